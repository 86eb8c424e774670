import { ts } from 'ts-morph';
import type { RequestPart } from '../model/facts.js';
import { isFunctionNode } from '../syntax/functions.js';
import { enclosingClass, propertyNameText, unwrap, type Resolver, type Value } from '../syntax/resolve.js';
import { findDeclaration } from '../syntax/scope.js';
import { unwrapValue, type Origin, type OriginSource } from './provenance.js';

const REQUEST_PARTS: Record<string, RequestPart> = { body: 'body', query: 'query', params: 'params', headers: 'headers', cookies: 'cookies', signedCookies: 'cookies' };
const PRINCIPAL_PROPS = new Set(['user', 'auth']);
/** Request types by package: a parameter declared with one of them holds the request. */
const REQUEST_TYPES: Record<string, string> = { express: 'Request', 'express-serve-static-core': 'Request', fastify: 'FastifyRequest' };

/**
 * How a request object is reached: `request` anywhere its principal may be set (a guard, an interceptor,
 * a request-scoped provider, Express middleware); `before-guards` where Nest guards have not run yet
 * (nestjs-cls's middleware `setup`), so `req.user` there is not the guard's verified user.
 */
type RequestObject = 'request' | 'before-guards';

/**
 * The current request outside a handler's own parameters: `@Inject(REQUEST) private request` in a
 * (request-scoped) provider, `context.switchToHttp().getRequest()` in a guard or interceptor, a parameter
 * typed `Request` (express) or `FastifyRequest`, the `req` of an Express-style `(req, res, next)`. Its
 * `body/query/params/headers/cookies` are the client's and its `user`/`auth` is the principal, as on a
 * handler's own request.
 */
export function requestObjectSource(resolver: Resolver): OriginSource {
  return {
    origin(expr) {
      const e = unwrap(expr);
      if (ts.isPropertyAccessExpression(e) || (ts.isElementAccessExpression(e) && ts.isStringLiteralLike(unwrap(e.argumentExpression)))) {
        const key = ts.isPropertyAccessExpression(e) ? e.name.text : (unwrap(e.argumentExpression) as ts.StringLiteral).text;
        const kind = requestObject(e.expression, resolver);
        return kind && memberOrigin(kind, key, e);
      }
      if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && /^(get|header)$/.test(e.expression.name.text)) {
        const [name] = e.arguments;
        if (name && ts.isStringLiteralLike(name) && requestObject(e.expression.expression, resolver)) return { kind: 'request', part: 'headers', path: [name.text], node: e };
      }
      return undefined;
    },
    member(object, key) {
      const kind = requestObject(object, resolver);
      return kind && memberOrigin(kind, key, object, `${object.getText()}.${key}`);
    },
  };
}

function memberOrigin(kind: RequestObject, key: string, node: ts.Node, text?: string): Origin | undefined {
  const part = REQUEST_PARTS[key];
  if (part) return { kind: 'request', part, path: [], node, ...(text ? { text } : {}) };
  if (PRINCIPAL_PROPS.has(key) && kind === 'request') return { kind: 'principal', path: [], node };
  return undefined;
}

/** Whether `expr` is the current request object, and whether guards have run where it is read. */
function requestObject(expr: ts.Node, resolver: Resolver, depth = 0): RequestObject | undefined {
  if (depth > 4) return undefined;
  const e = unwrapValue(expr);
  // `context.switchToHttp().getRequest()`: Nest's ExecutionContext in a guard or an interceptor.
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'getRequest') {
    const inner = unwrap(e.expression.expression);
    return ts.isCallExpression(inner) && ts.isPropertyAccessExpression(inner.expression) && inner.expression.name.text === 'switchToHttp' ? 'request' : undefined;
  }
  if (ts.isIdentifier(e)) {
    const decl = findDeclaration(e.text, e);
    if (decl && ts.isVariableDeclaration(decl) && decl.initializer && ts.isIdentifier(decl.name)) {
      const list = decl.parent;
      return ts.isVariableDeclarationList(list) && list.flags & ts.NodeFlags.Const ? requestObject(decl.initializer, resolver, depth + 1) : undefined;
    }
    return decl && ts.isParameter(decl) ? requestParameter(decl, resolver) : undefined;
  }
  // `this.request`: a constructor parameter property, or a field the constructor sets from one.
  if (ts.isPropertyAccessExpression(e) && e.expression.kind === ts.SyntaxKind.ThisKeyword) {
    const cls = enclosingClass(e);
    const ctor = cls?.members.find(ts.isConstructorDeclaration);
    if (!ctor) return undefined;
    const name = e.name.text;
    const property = ctor.parameters.find((p) => ts.isIdentifier(p.name) && p.name.text === name && ts.getModifiers(p)?.length);
    if (property) return requestParameter(property, resolver);
    const assigned = ctor.body?.statements.map((st) => thisAssignment(st, name)).find((v) => v !== undefined);
    return assigned ? requestObject(assigned, resolver, depth + 1) : undefined;
  }
  return undefined;
}

function requestParameter(p: ts.ParameterDeclaration, resolver: Resolver): RequestObject | undefined {
  const fn = p.parent;
  if (isClsMiddlewareSetup(fn, resolver) && fn.parameters.indexOf(p) === 1) return 'before-guards';
  if (injectsRequest(p, resolver) || hasRequestType(p, resolver)) return 'request';
  // Express middleware `(req, res, next)`.
  if (isFunctionNode(fn) && fn.parameters[0] === p && fn.parameters.length >= 3) {
    const next = fn.parameters[2].name;
    if (ts.isIdentifier(next) && next.text === 'next') return 'request';
  }
  return undefined;
}

/** `@Inject(REQUEST)` with REQUEST from @nestjs/core: the request of a request-scoped provider. */
export function injectsRequest(p: ts.ParameterDeclaration, resolver: Resolver): boolean {
  return (ts.getDecorators(p) ?? []).some((d) => {
    const call = unwrap(d.expression);
    if (!ts.isCallExpression(call) || !isExport(resolver.value(call.expression), '@nestjs/common', 'Inject') || !call.arguments[0]) return false;
    return isExport(resolver.value(call.arguments[0]), '@nestjs/core', 'REQUEST');
  });
}

function hasRequestType(p: ts.ParameterDeclaration, resolver: Resolver): boolean {
  const type = p.type;
  if (!type || !ts.isTypeReferenceNode(type)) return false;
  const name = type.typeName;
  const v = ts.isIdentifier(name) ? resolver.value(name) : resolver.member(resolver.value(name.left as ts.Node), name.right.text);
  return v.kind === 'external' && REQUEST_TYPES[v.pkg] === v.path[v.path.length - 1];
}

/** `ClsModule.forRoot({ middleware: { setup: (cls, req) => ... } })` (nestjs-cls): runs before Nest's guards. */
function isClsMiddlewareSetup(fn: ts.Node, resolver: Resolver): boolean {
  const setup = fn.parent;
  if (!setup || !ts.isPropertyAssignment(setup) || propertyNameText(setup.name) !== 'setup') return false;
  const middleware = setup.parent.parent;
  if (!middleware || !ts.isPropertyAssignment(middleware) || propertyNameText(middleware.name) !== 'middleware') return false;
  for (let n: ts.Node | undefined = middleware.parent; n; n = n.parent) {
    if (ts.isCallExpression(n)) {
      const v = resolver.value(n.expression);
      return v.kind === 'external' && v.pkg === 'nestjs-cls';
    }
  }
  return false;
}

/** `this.name = value` as a statement: the value. */
function thisAssignment(st: ts.Node, name: string): ts.Expression | undefined {
  if (!ts.isExpressionStatement(st) || !ts.isBinaryExpression(st.expression) || st.expression.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return undefined;
  const left = st.expression.left;
  return ts.isPropertyAccessExpression(left) && left.expression.kind === ts.SyntaxKind.ThisKeyword && left.name.text === name ? st.expression.right : undefined;
}

/** Whether a resolved value is package `pkg`'s export `name` (`@nestjs/core` `REQUEST`). */
export function isExport(v: Value, pkg: string, name: string): boolean {
  return v.kind === 'external' && v.pkg === pkg && v.path[v.path.length - 1] === name;
}
