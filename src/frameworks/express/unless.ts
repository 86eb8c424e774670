import { ts } from 'ts-morph';
import { snippet } from '../../syntax/loc.js';
import { unwrap, type Resolver } from '../../syntax/resolve.js';
import { staticString } from '../../syntax/strings.js';
import { objectLiteral, property } from '../nest/decorators.js';

/** `guard.unless({ path, method })` (express-unless, as express-jwt exposes it): the guard and what it skips. */
export interface Unless {
  guard: ts.Expression;
  options: ts.Expression | undefined;
}

export function asUnless(expr: ts.Expression): Unless | undefined {
  const e = unwrap(expr);
  if (!ts.isCallExpression(e) || !ts.isPropertyAccessExpression(e.expression) || e.expression.name.text !== 'unless') return undefined;
  return { guard: e.expression.expression, options: e.arguments[0] };
}

export type Skip = { skips: 'yes' } | { skips: 'no' } | { skips: 'maybe'; why: string };

/**
 * Whether `unless(options)` skips the guard for a route: `path` entries compared with the request path (strings
 * exactly; `{ url, methods }` objects for some methods), `method` for every path. A string that one of the route's
 * concrete URLs may equal (`/users/me` for `/users/:id`), a RegExp, `custom` or `ext` cannot be decided: maybe.
 */
export function unlessSkips(unless: Unless, method: string, routePath: string, resolver: Resolver): Skip {
  const opts = objectLiteral(unless.options, resolver);
  if (!opts) return { skips: 'maybe', why: `cannot read the options of ${snippet(unless.options ?? unless.guard)}.unless()` };
  for (const p of opts.properties) {
    const name = p.name?.getText().replace(/^['"]|['"]$/g, '');
    if (!ts.isPropertyAssignment(p) && !ts.isShorthandPropertyAssignment(p)) return { skips: 'maybe', why: 'unless() options hold a spread' };
    if (name === 'custom' || name === 'ext') return { skips: 'maybe', why: `unless({ ${name} }) decides at run time` };
  }
  const methodsOf = (e: ts.Expression | undefined): string[] | undefined | 'unreadable' => {
    if (!e) return undefined;
    const list = ts.isArrayLiteralExpression(unwrap(e)) ? (unwrap(e) as ts.ArrayLiteralExpression).elements.slice() : [e];
    const out = list.map((x) => staticString(x, resolver)?.toUpperCase());
    return out.every((x): x is string => !!x) ? out : 'unreadable';
  };
  const coversMethod = (methods: string[] | undefined) => !methods || methods.includes(method) || method === 'ALL';
  const topMethods = methodsOf(property(opts, 'method'));
  if (topMethods === 'unreadable') return { skips: 'maybe', why: 'cannot read unless({ method })' };
  if (topMethods && coversMethod(topMethods) && method !== 'ALL') return { skips: 'yes' };
  const pathExpr = property(opts, 'path');
  if (!pathExpr) return { skips: 'no' };
  // `path: PATHS_WITH_OPEN_ACCESS`, a list kept beside the guard.
  const resolved = resolver.value(pathExpr);
  const value = (resolved.kind === 'node' && ts.isArrayLiteralExpression(unwrap(resolved.node as ts.Expression)) ? unwrap(resolved.node as ts.Expression) : unwrap(pathExpr)) as ts.Expression;
  const entries = ts.isArrayLiteralExpression(value) ? value.elements.slice() : [value];
  let maybe: string | undefined;
  let patternMaybe: string | undefined;
  for (const entry of entries) {
    let url: ts.Expression | undefined = entry as ts.Expression;
    let methods: string[] | undefined;
    const obj = objectLiteral(entry, resolver);
    if (obj) {
      url = property(obj, 'url');
      const m = methodsOf(property(obj, 'methods') ?? property(obj, 'method'));
      if (m === 'unreadable') return { skips: 'maybe', why: `cannot read the methods of ${snippet(entry)}` };
      methods = m;
    }
    if (!coversMethod(methods)) continue;
    const u = url && unwrap(url);
    if (u && ts.isRegularExpressionLiteral(u)) {
      // Decidable for a path without parameters; a template's concrete URLs may or may not match.
      const re = regExpOf(u.text);
      if (re && !/[:*]/.test(routePath)) {
        if (re.test(routePath)) return { skips: 'yes' };
        continue;
      }
      const literal = literalPattern(u.text);
      if (literal) {
        const example = urlMatching(routePath, literal);
        if (example === 'every') return { skips: 'yes' };
        if (example) patternMaybe ??= `requests matching ${u.text} skip the guard and may reach this route (${example})`;
        continue;
      }
      patternMaybe ??= `requests matching ${u.text} skip the guard and may reach this route`;
      continue;
    }
    const s = url && staticString(url, resolver);
    if (s === undefined) {
      maybe ??= `${snippet(entry)} in unless() is not a plain path`;
      continue;
    }
    if (s.replace(/\/+$/, '') === routePath.replace(/\/+$/, '') && !routePath.includes(':') && !routePath.includes('*')) {
      return methods && method === 'ALL' ? { skips: 'maybe', why: `${s} is skipped for some methods` } : { skips: 'yes' };
    }
    if (templateMayMatch(routePath, s)) maybe ??= `a request to ${s} skips the guard and may reach this route`;
  }
  const why = maybe ?? patternMaybe;
  return why ? { skips: 'maybe', why } : { skips: 'no' };
}

function regExpOf(literal: string): RegExp | undefined {
  const m = /^\/(.*)\/([a-z]*)$/s.exec(literal);
  try {
    return m ? new RegExp(m[1], m[2]) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a concrete URL can be one of a route template's URLs (`:p` any one segment, `*` anything). */
function templateMayMatch(template: string, url: string): boolean {
  const re = template
    .split('/')
    .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.startsWith('*') ? '.*' : seg.replace(/[.+?^${}()|[\]\\*]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${re}/?$`, 'i').test(url);
}

/** A RegExp that only looks for a literal text, such as `/\/ajax\//i`: the text, where it must sit, its case. */
interface LiteralPattern {
  text: string;
  atStart: boolean;
  atEnd: boolean;
  ignoreCase: boolean;
}

function literalPattern(literal: string): LiteralPattern | undefined {
  // A `.*` at either end asks for nothing more (`^\/public\/.*` is `^\/public\/`).
  const m = /^\/(\^?)(?:\.\*)?((?:\\[/.\-]|[\w/\-])+?)(?:\.\*)?(\$?)\/([a-z]*)$/.exec(literal);
  if (!m || /[^i]/.test(m[4]!)) return undefined;
  return { text: m[2]!.replace(/\\(.)/g, '$1'), atStart: m[1] === '^', atEnd: m[3] === '$', ignoreCase: m[4] === 'i' };
}

/**
 * Whether some URL the route template serves (a parameter any one segment, a wildcard any text, a trailing
 * slash allowed) holds the pattern's text: 'every' when its fixed segments alone do; else one such URL, found by
 * trying as parameter values the pieces of the text; undefined when none does.
 */
function urlMatching(template: string, pattern: LiteralPattern): 'every' | string | undefined {
  const norm = (x: string) => (pattern.ignoreCase ? x.toLowerCase() : x);
  const text = norm(pattern.text);
  const holdsExactly = (u: string) => (pattern.atStart ? u.startsWith(text) : pattern.atEnd ? u.endsWith(text) : u.includes(text)) && (!pattern.atStart || !pattern.atEnd || u === text);
  const held = (url: string) => [url, `${url}/`].find(holdsExactly);
  const segments = template.split('/');
  const params = segments.map((seg, i) => (seg.startsWith(':') || seg.startsWith('*') ? i : -1)).filter((i) => i >= 0);
  const fill = (values: string[]) => norm(segments.map((seg, i) => (params.includes(i) ? values[params.indexOf(i)]! : seg)).join('/'));
  if (held(fill(params.map(() => '\u0000')))) return 'every';
  // A wildcard takes any text, slashes included; many parameters: not searched, assumed to match.
  if (params.some((i) => segments[i]!.startsWith('*'))) return fill(params.map((i) => (segments[i]!.startsWith('*') ? text : 'x')));
  if (params.length > 3) return template;
  const pieces = text.split('/').filter(Boolean);
  const candidates = [...new Set([...pieces, ...pieces.flatMap((p) => [...p].map((_, i) => p.slice(i))), ...pieces.flatMap((p) => [...p].map((_, i) => p.slice(0, i + 1))), 'x'])];
  const tryFrom = (values: string[]): string | undefined => {
    if (values.length === params.length) return held(fill(values));
    for (const c of candidates) {
      const found = tryFrom([...values, c]);
      if (found) return found;
    }
    return undefined;
  };
  return tryFrom([]);
}
