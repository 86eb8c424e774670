import { ts } from 'ts-morph';
import { isFunctionNode } from '../../syntax/functions.js';
import { snippet } from '../../syntax/loc.js';
import { propertyNameText, unwrap, type Resolver } from '../../syntax/resolve.js';
import { staticString } from '../../syntax/strings.js';
import type { AdapterContext } from '../adapter.js';
import { ExpressMiddlewareClassifier, type Verdict } from '../express/middleware.js';
import { conditionOf } from '../express/routers.js';
import type { NestApp } from './bootstrap.js';
import { classOf, decoratorsOf, nestCommonName, objectLiteral, property } from './decorators.js';

/** One `consumer.apply(...middleware).exclude(...).forRoutes(...)` in a module's `configure(consumer)`. */
export interface MiddlewareBinding {
  middleware: ts.Expression[];
  forRoutes: RouteSelector[];
  exclude: RouteSelector[];
  /** The configure() code registers it only when this holds. */
  condition?: string;
}

/** What forRoutes()/exclude() name: a controller, a path (every method, sub-paths included) or a path and one method. */
export type RouteSelector =
  | { kind: 'controller'; cls: ts.ClassDeclaration }
  | { kind: 'path'; path: string; method?: string }
  | { kind: 'unreadable'; text: string };

/** The route a binding is tested against. */
export interface RouteTarget {
  controller: ts.ClassDeclaration;
  method: string;
  /** The full path as served, prefix and version included. */
  path: string;
}

export type Coverage = { covers: 'yes' } | { covers: 'no' } | { covers: 'maybe'; why: string };

/** Every middleware binding in the `configure()` of the modules Nest instantiates. */
export function middlewareBindings(modules: Iterable<ts.ClassDeclaration>, resolver: Resolver): MiddlewareBinding[] {
  const out: MiddlewareBinding[] = [];
  for (const mod of modules) {
    const configure = mod.members.find((m): m is ts.MethodDeclaration => ts.isMethodDeclaration(m) && !!m.name && propertyNameText(m.name) === 'configure');
    if (!configure?.body) continue;
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'forRoutes') {
        const binding = readChain(n, resolver);
        if (binding) out.push(binding);
      }
      ts.forEachChild(n, visit);
    };
    visit(configure.body);
  }
  return out;
}

/** `x.apply(A, B).exclude(E).forRoutes(R)`, walked back from forRoutes to the nearest apply. */
function readChain(forRoutes: ts.CallExpression, resolver: Resolver): MiddlewareBinding | undefined {
  const exclude: RouteSelector[] = [];
  let receiver = unwrap((forRoutes.expression as ts.PropertyAccessExpression).expression);
  while (ts.isCallExpression(receiver) && ts.isPropertyAccessExpression(receiver.expression)) {
    const name = receiver.expression.name.text;
    if (name === 'exclude') exclude.push(...receiver.arguments.flatMap((a) => selectors(a, resolver)));
    if (name === 'apply') {
      return {
        middleware: receiver.arguments.flatMap((a) => (ts.isSpreadElement(a) ? [a.expression] : [a])),
        forRoutes: forRoutes.arguments.flatMap((a) => selectors(a, resolver)),
        exclude,
        condition: conditionOf(forRoutes),
      };
    }
    receiver = unwrap(receiver.expression.expression);
  }
  return undefined;
}

function selectors(arg: ts.Expression, resolver: Resolver): RouteSelector[] {
  const e = unwrap(arg);
  if (ts.isSpreadElement(e)) {
    const v = resolver.value(e.expression);
    if (v.kind === 'node' && ts.isArrayLiteralExpression(unwrap(v.node))) {
      return (unwrap(v.node) as ts.ArrayLiteralExpression).elements.flatMap((x) => selectors(x, resolver));
    }
    return [{ kind: 'unreadable', text: snippet(e) }];
  }
  const s = staticString(e, resolver);
  if (s !== undefined) return [{ kind: 'path', path: s }];
  const obj = objectLiteral(e, resolver);
  if (obj) {
    const p = property(obj, 'path');
    const m = property(obj, 'method');
    const path = p && staticString(p, resolver);
    if (path === undefined || property(obj, 'version')) return [{ kind: 'unreadable', text: snippet(e) }];
    const method = m ? requestMethodName(m, resolver) : undefined;
    if (m && method === undefined) return [{ kind: 'unreadable', text: snippet(e) }];
    return [{ kind: 'path', path, method: method === 'ALL' ? undefined : method }];
  }
  const cls = classOf(e, resolver);
  if (cls && decoratorsOf(cls, resolver).some((d) => nestCommonName(d) === 'Controller')) return [{ kind: 'controller', cls }];
  return [{ kind: 'unreadable', text: snippet(e) }];
}

function requestMethodName(expr: ts.Expression, resolver: Resolver): string | undefined {
  const v = resolver.value(expr);
  if (v.kind === 'external' && v.path[0] === 'RequestMethod' && v.path[1]) return v.path[1];
  return undefined;
}

/**
 * Whether a binding runs for a route, as Nest mounts it: a controller covers its own routes; a path is mounted
 * under the global prefix (and the route's URI version), on its sub-paths too when it is for every method, and
 * only for the exact path when it names one method (GET also serves HEAD). Wildcards cover every route. What the
 * scan cannot model exactly (exclusions from the global prefix, versions) is `maybe`, never `yes`.
 */
export function coverage(binding: MiddlewareBinding, route: RouteTarget, app: NestApp | undefined): Coverage {
  const test = (sel: RouteSelector): Coverage => {
    if (sel.kind === 'controller') return { covers: sel.cls === route.controller ? 'yes' : 'no' };
    if (sel.kind === 'unreadable') return { covers: 'maybe', why: `forRoutes/exclude entry ${sel.text} cannot be read` };
    return pathCoverage(sel, route, app);
  };
  const selected = strongest(binding.forRoutes.map(test));
  if (selected.covers === 'no') return selected;
  const excluded = strongest(binding.exclude.map(test));
  if (excluded.covers === 'yes') return { covers: 'no' };
  if (excluded.covers === 'maybe') return { covers: 'maybe', why: excluded.why };
  return selected;
}

function strongest(list: Coverage[]): Coverage {
  return list.find((c) => c.covers === 'yes') ?? list.find((c) => c.covers === 'maybe') ?? { covers: 'no' };
}

const WILDCARD = /^\/?(\*|\(\.\*\)|\{\*\w*\}|\*\w+|\/\*\w*)$/;

function pathCoverage(sel: { path: string; method?: string }, route: RouteTarget, app: NestApp | undefined): Coverage {
  if (sel.method && sel.method !== route.method && !(sel.method === 'GET' && route.method === 'HEAD') && route.method !== 'ALL') return { covers: 'no' };
  const prefix = app?.globalPrefix?.prefix ? '/' + app.globalPrefix.prefix.replace(/^\/+|\/+$/g, '') : '';
  let rest = route.path;
  if (prefix) {
    if (rest !== prefix && !rest.startsWith(prefix + '/')) {
      // The route is excluded from the global prefix: Nest mounts middleware for it by rules the scan does not model.
      return matches(sel.path, rest, !sel.method) ? { covers: 'maybe', why: `${sel.path} may or may not be mounted outside the global prefix` } : { covers: 'no' };
    }
    rest = rest.slice(prefix.length) || '/';
  }
  if (app?.versioning) {
    const version = new RegExp(`^/${escapeRegExp(app.versioning.prefix)}[^/]+(?=/|$)`).exec(rest);
    if (version) {
      const bare = rest.slice(version[0].length) || '/';
      return matches(sel.path, bare, !sel.method) || WILDCARD.test(sel.path)
        ? { covers: 'maybe', why: `whether ${sel.path} is mounted for version ${version[0].slice(1)} depends on the versioning set-up` }
        : { covers: 'no' };
    }
  }
  if (WILDCARD.test(sel.path)) return { covers: 'yes' };
  return { covers: matches(sel.path, rest, !sel.method) ? 'yes' : 'no' };
}

/** path-to-regexp as Nest mounts a middleware path: `:p` one segment; `*`/`(.*)`/`{*x}` the rest; sub-paths when `prefix`. */
function matches(pattern: string, path: string, prefix: boolean): boolean {
  const source = ('/' + pattern.replace(/^\/+/, '')).replace(/\/+$/, '');
  let re = '';
  for (let i = 0; i < source.length; i++) {
    const rest = source.slice(i);
    const wild = /^(\(\.\*\)|\{\*\w*\}|\*\w*)/.exec(rest);
    if (wild) {
      re += '.*';
      i += wild[0].length - 1;
      continue;
    }
    const param = /^:\w+/.exec(rest);
    if (param) {
      re += '[^/]+';
      i += param[0].length - 1;
      continue;
    }
    re += source[i].replace(/[.+?^$()[\]\\|{}]/g, '\\$&');
  }
  return new RegExp(`^${re}${prefix ? '(?:/.*)?' : '/?'}$`, 'i').test(path);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Whether a Nest middleware refuses: a class's `use(req, res, next)` or a functional middleware, judged as
 * Express middleware is (refuses with 401/403 on one path, calls next() on another).
 */
export class NestMiddlewareClassifier {
  private readonly express: ExpressMiddlewareClassifier;

  constructor(private readonly ctx: AdapterContext) {
    this.express = new ExpressMiddlewareClassifier(ctx);
  }

  classify(expr: ts.Expression): Verdict {
    const cls = classOf(expr, this.ctx.resolver);
    if (cls) {
      const use = cls.members.find((m): m is ts.MethodDeclaration => ts.isMethodDeclaration(m) && !!m.name && propertyNameText(m.name) === 'use');
      if (!use?.body) return { verdict: 'unknown', reason: `middleware ${snippet(expr)} has no use() the scan can read` };
      return this.express.classifyFunction(use);
    }
    const v = this.ctx.resolver.value(expr);
    if (v.kind === 'node' && isFunctionNode(v.node)) return this.express.classifyFunction(v.node);
    return this.express.classify(expr);
  }
}
