import fs from 'node:fs';
import path from 'node:path';
import { ts } from 'ts-morph';
import type { ProjectFiles } from '../../discover/project-files.js';
import { isFunctionNode, type FunctionNode } from '../../syntax/functions.js';
import { baseClass, unwrap, type Resolver } from '../../syntax/resolve.js';
import { staticString } from '../../syntax/strings.js';
import { evaluateDir, objectLiteral } from './autoload.js';
import { GUARD_HOOKS, property } from './contexts.js';

/**
 * fastify-decorators: `app.register(bootstrap, { directory, mask } | { controllers: [...] })` registers each
 * controller class as a plugin of its own (encapsulated), at the path of its `@Controller(route)`. Its methods
 * decorated `@GET(url, options)`, `@POST({ url, options })`, ... are routes; its methods (and its base classes')
 * decorated `@Hook('onRequest')` are hooks of that plugin. A class decorated with a method decorator is a request
 * handler whose `handle()` answers.
 */
export interface DecoratedController {
  cls: ts.ClassLikeDeclaration;
  route: string | undefined;
  hooks: { name: string; fn: FunctionNode; at: ts.Expression }[];
  routes: DecoratedRoute[];
}

export interface DecoratedRoute {
  decorator: ts.CallExpression;
  methods: string[];
  path: string | undefined;
  options?: ts.ObjectLiteralExpression;
  optionsExpr?: ts.Expression;
  handler: FunctionNode;
  name: string;
}

const PACKAGE = 'fastify-decorators';
const METHOD_DECORATORS: Record<string, string[]> = {
  GET: ['GET'],
  POST: ['POST'],
  PUT: ['PUT'],
  PATCH: ['PATCH'],
  DELETE: ['DELETE'],
  HEAD: ['HEAD'],
  OPTIONS: ['OPTIONS'],
  ALL: ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT', 'OPTIONS'],
};
/** fastify-decorators' default mask: files named `*.handler.*` or `*.controller.*`. */
const DEFAULT_MASK = /\.(handler|controller)\./;
const SCRIPT = /\.(ts|tsx|js|mjs|cjs|mts|cts)$/;

export function isDecoratorsBootstrap(pkg: string, exportPath: string[]): boolean {
  return pkg === PACKAGE && exportPath[exportPath.length - 1] === 'bootstrap';
}

/** The controllers a bootstrap registration loads, or why they cannot be read. */
export function readBootstrap(opts: ts.Expression | undefined, resolver: Resolver, files: ProjectFiles): { controllers: DecoratedController[]; prefix: string | undefined; unknowns: string[] } {
  const obj = opts && objectLiteral(opts, resolver);
  if (!obj) return { controllers: [], prefix: undefined, unknowns: ['the options of fastify-decorators bootstrap cannot be read'] };
  const unknowns: string[] = [];
  const classes: ts.ClassLikeDeclaration[] = [];
  const listed = property(obj, 'controllers');
  const list = listed && unwrap(listed);
  if (list && ts.isArrayLiteralExpression(list)) {
    for (const el of list.elements) {
      const v = resolver.value(el);
      if (v.kind === 'node' && ts.isClassLike(v.node)) classes.push(v.node);
      else unknowns.push(`controller ${el.getText()} given to bootstrap cannot be read`);
    }
  } else if (listed) unknowns.push(`bootstrap's controllers ${listed.getText()} cannot be read`);
  const dirExpr = property(obj, 'directory');
  if (dirExpr) {
    const dir = evaluateDir(dirExpr, resolver);
    const mask = maskOf(property(obj, 'mask'));
    if (!dir || !mask) unknowns.push(`bootstrap's ${!dir ? `directory ${dirExpr.getText()}` : 'mask'} cannot be read`);
    else for (const file of filesUnder(dir)) if (mask.test(path.basename(file))) classes.push(...controllerClasses(files.get(path.normalize(file))));
  }
  const prefixExpr = property(obj, 'prefix');
  const prefix = prefixExpr ? (staticString(prefixExpr, resolver) ?? '<dynamic>') : undefined;
  return { controllers: classes.flatMap((cls) => readController(cls, resolver) ?? []), prefix, unknowns };
}

function readController(cls: ts.ClassLikeDeclaration, resolver: Resolver): DecoratedController | undefined {
  const controller = decoratorNamed(cls, 'Controller', resolver);
  const handler = Object.keys(METHOD_DECORATORS).map((n) => decoratorNamed(cls, n, resolver)).find(Boolean);
  if (!controller && !handler) return undefined;
  const hooks: DecoratedController['hooks'] = [];
  // Hooks of the base classes run too (an `AuthController` every controller extends); the class's own last.
  for (const c of [...ancestors(cls, resolver)].reverse()) {
    for (const m of c.members) {
      if (!ts.isMethodDeclaration(m) || !m.body) continue;
      const hook = decoratorNamed(m, 'Hook', resolver);
      const name = hook?.arguments[0] && staticString(hook.arguments[0], resolver);
      if (name && GUARD_HOOKS.has(name)) hooks.push({ name, fn: m, at: m.name as ts.Expression });
    }
  }
  const routes: DecoratedRoute[] = [];
  const className = cls.name?.text ?? 'controller';
  if (handler) {
    // A request handler class: `@GET('/x') class Handler extends RequestHandler { handle() {...} }`.
    const handle = cls.members.find((m): m is ts.MethodDeclaration => ts.isMethodDeclaration(m) && m.name.getText() === 'handle');
    const route = handle && routeOf(handler, handle, `${className}.handle`, resolver);
    if (route) routes.push(route);
  }
  for (const m of cls.members) {
    if (!ts.isMethodDeclaration(m) || !isFunctionNode(m)) continue;
    for (const name of Object.keys(METHOD_DECORATORS)) {
      const d = decoratorNamed(m, name, resolver);
      const route = d && routeOf(d, m, `${className}.${m.name.getText()}`, resolver);
      if (route) routes.push(route);
    }
  }
  const arg = controller?.arguments[0];
  const config = arg && objectLiteral(arg, resolver);
  const routeExpr = config ? property(config, 'route') : arg;
  const route = routeExpr ? (staticString(routeExpr, resolver) ?? '<dynamic>') : undefined;
  return { cls, route, hooks, routes };
}

/** `@GET()`, `@GET('/x')`, `@GET('/x', { preHandler })`, `@GET({ url: '/x', options: { preHandler } })`. */
function routeOf(d: ts.CallExpression, handler: FunctionNode, name: string, resolver: Resolver): DecoratedRoute | undefined {
  const methods = METHOD_DECORATORS[decoratorName(d)];
  if (!methods) return undefined;
  const [first, second] = d.arguments;
  const config = first && objectLiteral(first, resolver);
  const urlExpr = config ? property(config, 'url') : first;
  const optionsExpr = config ? property(config, 'options') : second;
  const options = optionsExpr && objectLiteral(optionsExpr, resolver);
  return {
    decorator: d,
    methods,
    path: urlExpr ? staticString(urlExpr, resolver) : '',
    ...(options ? { options } : optionsExpr ? { optionsExpr } : {}),
    handler,
    name,
  };
}

/** The class and the classes it extends, nearest first. */
function* ancestors(cls: ts.ClassLikeDeclaration, resolver: Resolver): Generator<ts.ClassLikeDeclaration> {
  let c: ts.ClassLikeDeclaration | undefined = cls;
  for (let depth = 0; c && depth < 8; depth++) {
    yield c;
    const base = baseClass(c);
    const v = base && resolver.value(base);
    c = v?.kind === 'node' && ts.isClassLike(v.node) ? v.node : undefined;
  }
}

/** A decorator of the node imported from fastify-decorators under `name`, as a call. */
function decoratorNamed(node: ts.Node, name: string, resolver: Resolver): ts.CallExpression | undefined {
  for (const d of ts.canHaveDecorators(node) ? (ts.getDecorators(node) ?? []) : []) {
    const e = d.expression;
    if (!ts.isCallExpression(e) || decoratorName(e) !== name) continue;
    const v = resolver.value(e.expression);
    if (v.kind === 'external' && v.pkg === PACKAGE) return e;
  }
  return undefined;
}

function decoratorName(call: ts.CallExpression): string {
  const callee = call.expression;
  return ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
}

function controllerClasses(sf: ts.SourceFile | undefined): ts.ClassLikeDeclaration[] {
  return sf ? sf.statements.filter((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && (ts.getDecorators(s) ?? []).length > 0) : [];
}

function maskOf(expr: ts.Expression | undefined): RegExp | undefined {
  if (!expr) return DEFAULT_MASK;
  const e = unwrap(expr);
  if (ts.isRegularExpressionLiteral(e)) {
    const m = /^\/(.*)\/([a-z]*)$/s.exec(e.text);
    return m ? new RegExp(m[1]!, m[2]!.replace(/[gy]/g, '')) : undefined;
  }
  if (ts.isStringLiteralLike(e)) return new RegExp(e.text.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return undefined;
}

function filesUnder(dir: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() && e.name !== 'node_modules' ? filesUnder(path.join(dir, e.name)) : e.isFile() && SCRIPT.test(e.name) && !e.name.endsWith('.d.ts') ? [path.join(dir, e.name)] : []));
}
