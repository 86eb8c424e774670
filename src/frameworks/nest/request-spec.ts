import { ts } from 'ts-morph';
import path from 'node:path';
import type { RequestSpec, SourceKind } from '../../analysis/request-spec.js';
import { detectStyle, importEdit, relativeSpecifier } from '../../fix/style.js';
import { nestAuthFiles, nestAuthNames } from '../../fix/templates/nest.js';
import type { Fix, TextEdit } from '../../model/types.js';
import type { AdapterContext } from '../adapter.js';
import { generatedDirectory } from './auth-fix.js';
import { usesJsExtensionsFor } from '../generated-module.js';
import type { RequestPart } from '../../model/facts.js';
import { isFunctionNode, returnedExpressions } from '../../syntax/functions.js';
import { unwrap, type Resolver } from '../../syntax/resolve.js';
import { findDeclaration } from '../../syntax/scope.js';
import { decoratorsOf, type DecoratorUse } from './decorators.js';

/** What a handler parameter receives, from its decorator. */
export type ParamRole =
  | { kind: 'part'; part: RequestPart; field?: string }
  | { kind: 'request' }
  | { kind: 'principal'; idPath: string[] | undefined }
  | { kind: 'other' };

const PARAM_PARTS: Record<string, RequestPart> = { Body: 'body', Query: 'query', Param: 'params', Headers: 'headers' };
const REQUEST_PARTS: Record<string, RequestPart> = { body: 'body', query: 'query', params: 'params', headers: 'headers', cookies: 'cookies', signedCookies: 'cookies' };
const PRINCIPAL_PROPS = new Set(['user', 'auth']);
const PRINCIPAL_READ = /\.(user|session|principal|currentUser|auth)\b|\[['"]user['"]\]/;

/** The role of one parameter of a route handler, from its decorator (`@Body('userId')`, `@Req()`, `@CurrentUser()`). */
export function paramRole(param: ts.ParameterDeclaration, resolver: Resolver): ParamRole {
  for (const d of decoratorsOf(param, resolver)) {
    const v = d.value;
    if (v.kind === 'external' && v.pkg === '@nestjs/common') {
      const name = v.path[v.path.length - 1];
      if (PARAM_PARTS[name]) return { kind: 'part', part: PARAM_PARTS[name], field: fieldArg(d) };
      if (name === 'Req' || name === 'Request') return { kind: 'request' };
      // express-session's object: server-side state, never the client's.
      if (name === 'Session') return { kind: 'principal', idPath: undefined };
      return { kind: 'other' };
    }
    if (v.kind === 'external' && v.pkg === '@thallesp/nestjs-better-auth' && v.path[v.path.length - 1] === 'Session') {
      return { kind: 'principal', idPath: ['user', 'id'] };
    }
    if (v.kind === 'node') {
      const role = customDecoratorRole(v.node, d, resolver);
      if (role) return role;
    }
  }
  return { kind: 'other' };
}

/** `@Body('userId')` → 'userId'. */
function fieldArg(d: DecoratorUse): string | undefined {
  const a = d.call?.arguments[0];
  return a && ts.isStringLiteralLike(a) ? a.text : undefined;
}

/** A `createParamDecorator((data, ctx) => ...)`: what its factory returns from the request. */
function customDecoratorRole(node: ts.Node, d: DecoratorUse, resolver: Resolver): ParamRole | undefined {
  const call = unwrap(node);
  if (!ts.isCallExpression(call)) return undefined;
  const callee = resolver.value(call.expression);
  if (callee.kind !== 'external' || callee.pkg !== '@nestjs/common' || callee.path[callee.path.length - 1] !== 'createParamDecorator') return undefined;
  const factoryExpr = call.arguments[0] && unwrap(call.arguments[0]);
  const fv = factoryExpr && (isFunctionNode(factoryExpr) ? { kind: 'node' as const, node: factoryExpr } : resolver.value(factoryExpr));
  const factory = fv && fv.kind === 'node' && isFunctionNode(fv.node) ? fv.node : undefined;
  if (!factory) return undefined;
  const texts = returnedExpressions(factory).map((r) => expandedText(r));
  const data = fieldArg(d);
  if (texts.some((t) => PRINCIPAL_READ.test(t))) {
    // `@CurrentUser('id') userId` is already the id when the factory returns `user[data]`.
    const returnsField = texts.some((t) => /\[\s*data\s*\]/.test(t));
    return { kind: 'principal', idPath: data && returnsField ? (data === 'id' ? [] : undefined) : ['id'] };
  }
  for (const [prop, part] of Object.entries(REQUEST_PARTS)) {
    if (texts.some((t) => new RegExp(`\\.${prop}\\b`).test(t))) return { kind: 'part', part };
  }
  return undefined;
}

/** A returned expression with the local variables it names replaced by their initializers, once. */
function expandedText(expr: ts.Expression): string {
  let text = expr.getText();
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n)) {
      const decl = findDeclaration(n.text, n);
      if (decl && ts.isVariableDeclaration(decl) && decl.initializer) text += ` ${decl.initializer.getText()}`;
    }
    ts.forEachChild(n, visit);
  };
  visit(expr);
  return text;
}

/**
 * Nest handlers receive values through decorated parameters: `@Body()`, `@Query()`, `@Param()` and
 * `@Headers()` are the client's; `@Req() req` exposes the request (`req.user` is the principal); a
 * `createParamDecorator` that returns the request's user, and `@Session()`, are the principal.
 */
export function nestRequestSpec(fn: ts.MethodDeclaration, resolver: Resolver, ctx?: AdapterContext): RequestSpec {
  const roles = new Map<ts.ParameterDeclaration, ParamRole>(fn.parameters.map((p) => [p, paramRole(p, resolver)]));
  const paramOf = (node: ts.Node): ts.ParameterDeclaration | undefined => {
    if (!ts.isIdentifier(node)) return undefined;
    const decl = findDeclaration(node.text, node);
    return decl && ts.isParameter(decl) && roles.has(decl) ? decl : undefined;
  };
  const fromRole = (role: ParamRole | undefined): SourceKind | undefined => {
    if (role?.kind === 'part') return { kind: 'request', part: role.part };
    if (role?.kind === 'principal') return { kind: 'principal' };
    return undefined;
  };

  const classify = (raw: ts.Node): SourceKind | undefined => {
    const node = unwrap(raw);
    const param = paramOf(node);
    if (param) return fromRole(roles.get(param));
    if (ts.isPropertyAccessExpression(node)) {
      const base = paramOf(unwrap(node.expression));
      if (base && roles.get(base)?.kind === 'request') {
        const prop = node.name.text;
        if (REQUEST_PARTS[prop]) return { kind: 'request', part: REQUEST_PARTS[prop] };
        if (PRINCIPAL_PROPS.has(prop)) return { kind: 'principal' };
      }
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const base = paramOf(unwrap(node.expression.expression));
      if (base && roles.get(base)?.kind === 'request' && /^(get|header)$/.test(node.expression.name.text)) return { kind: 'request', part: 'headers' };
    }
    // A destructured parameter: `@Body() { userId }`, `@Req() { user }`.
    if (ts.isBindingElement(node)) {
      let p: ts.Node = node;
      while (ts.isBindingElement(p) || ts.isObjectBindingPattern(p) || ts.isArrayBindingPattern(p)) p = p.parent;
      if (ts.isParameter(p) && roles.has(p)) {
        const role = roles.get(p);
        if (role?.kind === 'request') {
          const key = (node.propertyName ?? node.name).getText();
          if (REQUEST_PARTS[key]) return { kind: 'request', part: REQUEST_PARTS[key] };
          if (PRINCIPAL_PROPS.has(key)) return { kind: 'principal' };
          return undefined;
        }
        return fromRole(role);
      }
    }
    return undefined;
  };

  return {
    framework: 'nest',
    classify,
    principalIdText(at) {
      if (!isInside(at, fn)) return undefined;
      return reachablePrincipal(roles);
    },
    principalSetup(at) {
      if (!ctx || !isInside(at, fn) || reachablePrincipal(roles)) return undefined;
      const name = addedPrincipalName(fn, roles);
      return name ? { text: `${name}.id`, ...currentUserSetup(fn, name, ctx) } : undefined;
    },
  };
}

/** The principal's id through a parameter the handler already has: `@CurrentUser() user` or `@Req() req`. */
function reachablePrincipal(roles: Map<ts.ParameterDeclaration, ParamRole>): string | undefined {
  for (const [param, role] of roles) {
    if (role.kind === 'principal' && role.idPath && ts.isIdentifier(param.name)) return [param.name.text, ...role.idPath].join('.');
  }
  for (const [param, role] of roles) {
    if (role.kind === 'request' && ts.isIdentifier(param.name)) return `${param.name.text}.user!.id`;
  }
  return undefined;
}

/**
 * The name of the `@CurrentUser()` parameter a fix adds when the handler has no principal: `user`, unless the
 * method already uses that name. Undefined when a principal parameter exists without a readable id.
 */
function addedPrincipalName(fn: ts.MethodDeclaration, roles: Map<ts.ParameterDeclaration, ParamRole>): string | undefined {
  if ([...roles.values()].some((r) => r.kind === 'principal' || r.kind === 'request')) return undefined;
  const used = new Set<string>();
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n)) used.add(n.text);
    ts.forEachChild(n, visit);
  };
  visit(fn);
  return ['user', 'currentUser', 'authUser'].find((n) => !used.has(n));
}

/**
 * `@CurrentUser() user: { id: string }` after the handler's parameters (an inline type: a decorated parameter's
 * type is emitted as metadata, which an interface imported without `import type` breaks under isolatedModules),
 * the import of the generated decorator, and the generated file when the project does not have it yet.
 */
function currentUserSetup(fn: ts.MethodDeclaration, name: string, ctx: AdapterContext): Pick<Fix, 'edits' | 'newFiles'> {
  const sf = fn.getSourceFile();
  const style = detectStyle(sf.text, sf.fileName);
  const param = `@${nestAuthNames.currentUser}() ${name}: { id: string }`;
  const last = fn.parameters[fn.parameters.length - 1];
  const paramEdit: TextEdit = last
    ? { file: sf.fileName, start: last.end, end: last.end, text: `, ${param}` }
    : { file: sf.fileName, start: fn.parameters.pos, end: fn.parameters.pos, text: param };
  const dir = generatedDirectory(ctx, sf.fileName);
  const jsExtensions = usesJsExtensionsFor(ctx, sf);
  const generated = path.join(dir, nestAuthNames.currentUserFile);
  const specifier = relativeSpecifier(sf.fileName, generated, jsExtensions);
  const importText = importEdit(sf.fileName, sf.text, { names: [nestAuthNames.currentUser], specifier, moduleKind: 'esm' }, style);
  const files = nestAuthFiles({ style, strategy: 'jwt', jsExtensions });
  return {
    edits: importText ? [paramEdit, importText] : [paramEdit],
    newFiles: [{ file: generated, text: files[nestAuthNames.currentUserFile] }],
  };
}

function isInside(node: ts.Node, fn: ts.Node): boolean {
  for (let n: ts.Node | undefined = node; n; n = n.parent) if (n === fn) return true;
  return false;
}
