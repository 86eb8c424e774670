import { ts } from 'ts-morph';
import { holdsWithoutEnvironment } from '../../syntax/environment.js';
import { isFunctionNode } from '../../syntax/functions.js';
import { snippet } from '../../syntax/loc.js';
import { unwrap, type Resolver } from '../../syntax/resolve.js';
import { findDeclaration } from '../../syntax/scope.js';
import { defaultedString } from '../../syntax/config-defaults.js';
import { mappedStrings, staticString } from '../../syntax/strings.js';
import { arrayElements, isPackageExport, objectLiteral, property } from './decorators.js';

/** A route excluded from the global prefix: `'health'` or `{ path, method: RequestMethod.GET }`. */
export interface PrefixExclusion {
  path: string;
  /** Upper-case method, or undefined for every method. */
  method?: string;
}

export interface UriVersioning {
  prefix: string;
  /** defaultVersion: versions of controllers that declare none (VERSION_NEUTRAL as the empty string). */
  defaultVersion?: string[];
}

/** One `NestFactory.create(AppModule, ...)` and what main.ts configures on the app it returns. */
export interface NestApp {
  call: ts.CallExpression;
  rootModule: ts.Expression;
  platform: 'express' | 'fastify';
  globalPrefix?: { prefix: string; exclude: PrefixExclusion[] };
  versioning?: UriVersioning;
  /** Whether versioning is enabled with a non-URI type (paths carry no version). */
  versioningWithoutUri?: boolean;
  globalGuards: ts.Expression[];
  /** Every call main.ts (or a set-up function it passes the app to) makes on the app: where guards and prefixes are set. */
  setupCalls: ts.CallExpression[];
  /** What main.ts does to the app that the scan could not read. */
  unresolved: string[];
  /** Why the global prefix is `<dynamic>`: a reason only for the routes that carry it. */
  dynamicPrefix?: string;
  /** What the scan could not read that only changes which paths carry the global prefix (its exclusions). */
  pathUnresolved: string[];
  /** The global prefix is a configuration default the scan assumed: said in the reason of the routes that carry it. */
  assumedPrefix?: { note: string; at: ts.Node };
}

export const VERSION_NEUTRAL = '';
const APP_METHODS = new Set(['setGlobalPrefix', 'enableVersioning', 'useGlobalGuards']);

/** Finds every Nest bootstrap: a call of `NestFactory.create` (or createMicroservice-less variants) from `@nestjs/core`. */
export function findNestApps(files: Iterable<ts.SourceFile>, resolver: Resolver, configFiles: () => Iterable<ts.SourceFile> = () => []): NestApp[] {
  const apps: NestApp[] = [];
  for (const sf of files) {
    if (!sf.text.includes('NestFactory')) continue;
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'create' && n.arguments[0]) {
        if (isPackageExport(resolver.value(n.expression.expression), '@nestjs/core', 'NestFactory')) apps.push(readApp(n, resolver, configFiles));
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return apps;
}

function readApp(call: ts.CallExpression, resolver: Resolver, configFiles: () => Iterable<ts.SourceFile>): NestApp {
  const adapter = call.arguments[1] && unwrap(call.arguments[1]);
  const adapterValue = adapter && ts.isNewExpression(adapter) ? resolver.value(adapter.expression) : undefined;
  const app: NestApp = {
    call,
    rootModule: call.arguments[0],
    platform: adapterValue && isPackageExport(adapterValue, '@nestjs/platform-fastify', 'FastifyAdapter') ? 'fastify' : 'express',
    globalGuards: [],
    setupCalls: [],
    unresolved: [],
    pathUnresolved: [],
  };
  const holder = appVariable(call);
  if (!holder) return app;
  for (const use of usesOf(holder, resolver, 0)) {
    app.setupCalls.push(use);
    readAppCall(use, app, resolver, configFiles);
  }
  return app;
}

/**
 * The `if` around a setup call that tests environment variables only, and whether it holds when none is set;
 * undefined when the call runs unconditionally or the test reads anything else.
 */
function environmentGate(call: ts.Node): { test: string; holds: boolean } | undefined {
  let child: ts.Node = call;
  for (let n = call.parent; n && !isFunctionNode(n); child = n, n = n.parent) {
    if (!ts.isIfStatement(n) || child === n.expression) continue;
    const value = holdsWithoutEnvironment(n.expression);
    if (value === undefined) return undefined;
    return { test: snippet(n.expression, 60), holds: child === n.elseStatement ? !value : value };
  }
  return undefined;
}

/** `const app = await NestFactory.create(...)` → the declaration of `app`. */
function appVariable(call: ts.CallExpression): ts.VariableDeclaration | undefined {
  let top: ts.Node = call;
  while (ts.isAwaitExpression(top.parent) || ts.isParenthesizedExpression(top.parent) || ts.isAsExpression(top.parent)) top = top.parent;
  if (ts.isVariableDeclaration(top.parent) && ts.isIdentifier(top.parent.name)) return top.parent;
  // `let app; if (x) app = await NestFactory.create(...) else app = ...`: the variable both branches assign.
  const assignment = top.parent;
  if (ts.isBinaryExpression(assignment) && assignment.operatorToken.kind === ts.SyntaxKind.EqualsToken && assignment.right === top && ts.isIdentifier(assignment.left)) {
    const decl = findDeclaration(assignment.left.text, assignment.left);
    return decl && ts.isVariableDeclaration(decl) && ts.isIdentifier(decl.name) ? decl : undefined;
  }
  return undefined;
}

/** Calls `app.x(...)` on the variable, and on the parameter of a project function the app is passed to (`setupApp(app)`). */
function usesOf(decl: ts.VariableDeclaration | ts.ParameterDeclaration, resolver: Resolver, depth: number): ts.CallExpression[] {
  if (!ts.isIdentifier(decl.name)) return [];
  const name = decl.name.text;
  const scope = ts.isParameter(decl) ? decl.parent : decl.getSourceFile();
  const out: ts.CallExpression[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n)) {
      const callee = n.expression;
      if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === name && findDeclaration(name, callee.expression) === decl) {
        out.push(n);
      }
      if (depth < 2) {
        const i = n.arguments.findIndex((a) => ts.isIdentifier(a) && a.text === name && findDeclaration(name, a) === decl);
        const callee = i >= 0 ? resolver.value(n.expression) : undefined;
        const fn = callee?.kind === 'node' && isFunctionNode(callee.node) ? callee.node : undefined;
        const param = fn?.parameters[i];
        if (param) out.push(...usesOf(param, resolver, depth + 1));
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(scope);
  return out;
}

function readAppCall(call: ts.CallExpression, app: NestApp, resolver: Resolver, configFiles: () => Iterable<ts.SourceFile>): void {
  const method = (call.expression as ts.PropertyAccessExpression).name.text;
  if (!APP_METHODS.has(method)) return;
  if (method === 'useGlobalGuards') {
    for (const arg of call.arguments) {
      if (ts.isSpreadElement(arg)) app.globalGuards.push(...arrayElements(arg.expression, resolver, app.unresolved));
      else app.globalGuards.push(arg);
    }
    return;
  }
  if (method === 'setGlobalPrefix') {
    const gate = environmentGate(call);
    if (gate && !gate.holds) {
      // `if (process.env.SERVE_CLIENT) app.setGlobalPrefix('api')`: an unset variable is the default deployment.
      app.assumedPrefix = { note: `served without the global prefix ${snippet(call.arguments[0] ?? call, 30)}, which is set only when \`${gate.test}\`: the environment variable is assumed unset`, at: call };
      return;
    }
    let prefix = call.arguments[0] ? staticString(call.arguments[0], resolver) : undefined;
    // configService.get('app.apiPrefix') or process.env.API_PREFIX || 'api': the default, said in the reason.
    const assumed = prefix === undefined && call.arguments[0] ? defaultedString(call.arguments[0], resolver, configFiles) : undefined;
    if (assumed) {
      prefix = assumed.value;
      app.assumedPrefix = { note: `the global prefix is assumed to be ${JSON.stringify(assumed.value)}, the default of \`${assumed.from}\``, at: assumed.at };
    }
    if (prefix === undefined) app.dynamicPrefix = `the global prefix ${call.arguments[0] ? snippet(call.arguments[0]) : ''} is computed at run time`;
    const options = objectLiteral(call.arguments[1], resolver);
    const exclude: PrefixExclusion[] = [];
    for (const el of arrayElements(options && property(options, 'exclude'), resolver, app.unresolved)) {
      const s = staticString(el, resolver);
      if (s !== undefined) {
        exclude.push({ path: s });
        continue;
      }
      // ...LANGUAGES.map((code) => `/${code}{/*wildcard}`)
      const mapped = ts.isCallExpression(unwrap(el)) ? mappedStrings(unwrap(el) as ts.CallExpression, resolver) : undefined;
      if (mapped) {
        exclude.push(...mapped.map((path) => ({ path })));
        continue;
      }
      const obj = objectLiteral(el, resolver);
      const p = obj && property(obj, 'path');
      const m = obj && property(obj, 'method');
      const path = p && staticString(p, resolver);
      if (path === undefined) {
        app.pathUnresolved.push(`global prefix exclusion ${snippet(el)} cannot be read`);
        continue;
      }
      exclude.push({ path, method: m ? requestMethod(m, resolver) : undefined });
    }
    app.globalPrefix = { prefix: prefix ?? '<dynamic>', exclude };
    if (gate) app.assumedPrefix ??= { note: `the global prefix is set only when \`${gate.test}\`: the environment variable is assumed unset`, at: call };
    return;
  }
  // enableVersioning(): URI versioning by default.
  const options = objectLiteral(call.arguments[0], resolver);
  const type = options && property(options, 'type');
  const typeValue = type ? resolver.value(type) : undefined;
  const isUri = !type || (typeValue?.kind === 'external' && typeValue.path[typeValue.path.length - 1] === 'URI') || (type && staticString(type, resolver) === 'uri');
  if (!isUri) {
    app.versioningWithoutUri = true;
    return;
  }
  const prefixExpr = options && property(options, 'prefix');
  // A prefix read from config at run time: the version segment of every path is unknown, not 'v'.
  const prefix = prefixExpr ? (unwrap(prefixExpr).kind === ts.SyntaxKind.FalseKeyword ? '' : (staticString(prefixExpr, resolver) ?? '<dynamic>')) : 'v';
  const defaultExpr = options && property(options, 'defaultVersion');
  app.versioning = { prefix: prefix ?? 'v', defaultVersion: defaultExpr ? versionsOf(defaultExpr, resolver) : undefined };
}

/** `RequestMethod.GET` → 'GET'. */
function requestMethod(expr: ts.Expression, resolver: Resolver): string | undefined {
  const v = resolver.value(expr);
  if (v.kind === 'external' && v.path[0] === 'RequestMethod' && v.path[1]) return v.path[1] === 'ALL' ? undefined : v.path[1];
  return undefined;
}

/** `'1'`, `['1', '2']`, `VERSION_NEUTRAL` → versions ('' for neutral). */
export function versionsOf(expr: ts.Expression, resolver: Resolver): string[] | undefined {
  const one = (e: ts.Expression): string | undefined => {
    const v = resolver.value(e);
    if (isPackageExport(v, '@nestjs/common', 'VERSION_NEUTRAL')) return VERSION_NEUTRAL;
    return staticString(e, resolver);
  };
  const u = unwrap(expr);
  if (ts.isArrayLiteralExpression(u)) {
    const out = u.elements.map((e) => one(e as ts.Expression));
    return out.every((x) => x !== undefined) ? (out as string[]) : undefined;
  }
  const s = one(u as ts.Expression);
  return s === undefined ? undefined : [s];
}
