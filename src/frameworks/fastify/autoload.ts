import fs from 'node:fs';
import path from 'node:path';
import { ts } from 'ts-morph';
import { unwrap, type Resolver } from '../../syntax/resolve.js';
import { staticString } from '../../syntax/strings.js';

/** The options of `register(autoload, { dir, ... })` that decide what is loaded and at which prefix. */
export interface AutoloadOptions {
  dir: string;
  dirNameRoutePrefix: boolean;
  autoHooks: boolean;
  cascadeHooks: boolean;
  routeParams: boolean;
  /** `options: { prefix }` given to every loaded plugin. */
  prefix: string;
  ignorePattern?: RegExp;
  /** Why part of the options could not be read (matchFilter, a computed dir, ...). */
  unreadable?: string;
}

/** One directory autoload visits: its plugins (with the prefix from directory names) and the autohooks that wrap them. */
export interface AutoloadNode {
  dir: string;
  plugins: { file: string; prefix: string }[];
  hooks: string[];
}

const SCRIPT = /(?:(?:^.?|\.[^d]|[^.]d|[^.][^d])\.ts|\.js|\.cjs|\.mjs|\.cts|\.mts)$/i;
const INDEX = /^index(?:\.ts|\.js|\.cjs|\.mjs|\.cts|\.mts)$/i;
const AUTOHOOKS = /^[_.]?auto_?hooks(?:\.ts|\.js|\.cjs|\.mjs|\.cts|\.mts)$/i;

/** Reads autoload's options from the register call's object literal. */
export function readAutoloadOptions(opts: ts.Expression | undefined, resolver: Resolver): AutoloadOptions | { unreadable: string } {
  const obj = opts && objectLiteral(opts, resolver);
  if (!obj) return { unreadable: 'the options of @fastify/autoload cannot be read' };
  const prop = (name: string) => {
    for (const p of obj.properties) {
      if (ts.isPropertyAssignment(p) && p.name.getText() === name) return p.initializer;
      if (ts.isShorthandPropertyAssignment(p) && p.name.text === name) return p.name;
    }
    return undefined;
  };
  const dirExpr = prop('dir');
  const dir = dirExpr && evaluateDir(dirExpr, resolver);
  if (!dir) return { unreadable: `autoload's dir ${dirExpr ? dirExpr.getText() : '(missing)'} cannot be read` };
  const flag = (name: string, dflt: boolean) => {
    const v = prop(name);
    if (!v) return dflt;
    const u = unwrap(v);
    if (u.kind === ts.SyntaxKind.TrueKeyword) return true;
    if (u.kind === ts.SyntaxKind.FalseKeyword) return false;
    return undefined;
  };
  const out: AutoloadOptions = {
    dir,
    dirNameRoutePrefix: flag('dirNameRoutePrefix', true) ?? true,
    autoHooks: flag('autoHooks', false) ?? false,
    cascadeHooks: flag('cascadeHooks', false) ?? false,
    routeParams: flag('routeParams', false) ?? false,
    prefix: '',
  };
  const unreadable: string[] = [];
  if (prop('dirNameRoutePrefix') && flag('dirNameRoutePrefix', true) === undefined) unreadable.push('dirNameRoutePrefix is computed');
  for (const name of ['matchFilter', 'ignoreFilter', 'maxDepth', 'indexPattern', 'autoHooksPattern', 'scriptPattern']) {
    if (prop(name)) unreadable.push(`${name} is not modelled`);
  }
  const ignore = prop('ignorePattern');
  if (ignore) {
    const u = unwrap(ignore);
    if (ts.isRegularExpressionLiteral(u)) {
      const m = /^\/(.*)\/([a-z]*)$/s.exec(u.text);
      if (m) out.ignorePattern = new RegExp(m[1], m[2]);
    } else unreadable.push('ignorePattern is computed');
  }
  const pluginOpts = prop('options');
  const pluginObj = pluginOpts && objectLiteral(pluginOpts, resolver);
  if (pluginObj) {
    for (const p of pluginObj.properties) {
      if (ts.isPropertyAssignment(p) && p.name.getText() === 'prefix') {
        const s = staticString(p.initializer, resolver);
        if (s === undefined) unreadable.push('options.prefix is computed');
        else out.prefix = s.replace(/\/$/, '');
      }
    }
  }
  if (unreadable.length) out.unreadable = `@fastify/autoload: ${unreadable.join(', ')}`;
  return out;
}

/**
 * Walks the directory the way @fastify/autoload does: an index file stands for its directory's other
 * scripts (subdirectories still load), directory names become prefixes, autohooks files wrap their
 * directory's plugins (and, with cascadeHooks, the subdirectories').
 */
export function autoloadTree(opts: AutoloadOptions): AutoloadNode[] {
  const nodes: AutoloadNode[] = [];
  const visit = (dir: string, prefix: string, inherited: string[]): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    } catch {
      return;
    }
    const node: AutoloadNode = { dir, plugins: [], hooks: [] };
    nodes.push(node);
    if (opts.autoHooks) {
      node.hooks.push(...inherited);
      const hook = entries.find((e) => e.isFile() && AUTOHOOKS.test(e.name));
      if (hook) node.hooks.push(path.join(dir, hook.name));
    }
    const index = entries.find((e) => e.isFile() && INDEX.test(e.name));
    if (index) node.plugins.push({ file: path.join(dir, index.name), prefix });
    for (const e of entries) {
      const file = path.join(dir, e.name);
      if (opts.ignorePattern && opts.ignorePattern.test(path.relative(opts.dir, file).split(path.sep).join('/'))) continue;
      if (e.isDirectory()) {
        if (e.name === 'node_modules') continue;
        const segment = opts.dirNameRoutePrefix ? e.name : '';
        let next = segment ? `${prefix || ''}/${segment}` : prefix;
        if (opts.routeParams) next = replaceRouteParams(next);
        visit(file, next, opts.autoHooks && opts.cascadeHooks ? node.hooks : []);
      } else if (!index && e.isFile() && SCRIPT.test(e.name) && !AUTOHOOKS.test(e.name) && !e.name.endsWith('.d.ts')) {
        node.plugins.push({ file, prefix });
      }
    }
  };
  visit(opts.dir, '', []);
  return nodes;
}

/** `/users/_id` → `/users/:id`, `/a__b` → `/a:b`, as autoload's routeParams does. */
function replaceRouteParams(prefix: string): string {
  if (prefix.includes('__')) return prefix.replace(/__/g, ':');
  return prefix.replace(/\/_/g, '/:');
}

/** An object literal, written in place or held in a constant. */
export function objectLiteral(expr: ts.Expression, resolver: Resolver): ts.ObjectLiteralExpression | undefined {
  const u = unwrap(expr);
  if (ts.isObjectLiteralExpression(u)) return u;
  const v = resolver.value(u);
  if (v.kind === 'node' && ts.isObjectLiteralExpression(unwrap(v.node))) return unwrap(v.node) as ts.ObjectLiteralExpression;
  return undefined;
}

/**
 * `path.join(__dirname, 'routes')`, `join(import.meta.dirname, 'routes')`,
 * `path.join(dirname(fileURLToPath(import.meta.url)), 'plugins')`, `new URL('./routes', import.meta.url)`:
 * relative to the source file's directory (compiled output mirrors it).
 */
export function evaluateDir(expr: ts.Expression, resolver: Resolver): string | undefined {
  const here = path.dirname(expr.getSourceFile().fileName);
  const e = unwrap(expr);
  const isHere = (n: ts.Node): boolean => {
    const u = unwrap(n);
    const text = u.getText().replace(/\s/g, '');
    if (text === '__dirname' || text === 'import.meta.dirname') return true;
    if (ts.isCallExpression(u) && /(^|\.)dirname$/.test(u.expression.getText()) && u.arguments[0]) {
      const inner = unwrap(u.arguments[0]).getText().replace(/\s/g, '');
      return /^(fileURLToPath|url\.fileURLToPath)\(import\.meta\.url\)$/.test(inner) || inner === '__filename' || inner === 'import.meta.filename';
    }
    if (ts.isIdentifier(u)) {
      const v = resolver.value(u);
      return v.kind === 'node' && v.node !== u && isHere(v.node);
    }
    return false;
  };
  if (ts.isCallExpression(e) && /(^|\.)(join|resolve)$/.test(e.expression.getText()) && e.arguments.length >= 1 && isHere(e.arguments[0])) {
    const parts: string[] = [];
    for (const a of e.arguments.slice(1)) {
      const s = staticString(a, resolver);
      if (s === undefined) return undefined;
      parts.push(s);
    }
    return path.join(here, ...parts);
  }
  if (ts.isNewExpression(e) && e.expression.getText() === 'URL' && e.arguments?.[0] && e.arguments[1]?.getText() === 'import.meta.url') {
    const s = staticString(e.arguments[0], resolver);
    return s === undefined ? undefined : path.join(here, s);
  }
  return undefined;
}
