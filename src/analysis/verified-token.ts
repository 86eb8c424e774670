import { ts } from 'ts-morph';
import { isFunctionNode } from '../syntax/functions.js';
import { baseClass, enclosingClass, propertyNameText, unwrap, type Resolver } from '../syntax/resolve.js';
import { findDeclaration } from '../syntax/scope.js';
import type { OriginSource } from './provenance.js';
import { isExport } from './request-object.js';

/** Package functions that return a token's payload only after checking its signature (they throw otherwise). */
const VERIFIERS: Record<string, Set<string>> = {
  jsonwebtoken: new Set(['verify']),
  jose: new Set(['jwtVerify']),
  '@nestjs/jwt': new Set(['verify', 'verifyAsync']),
};

/**
 * The payload of a verified token is the principal: `jwt.verify(token, secret)` (jsonwebtoken),
 * `await jwtVerify(token, key)` (jose: `{ payload }`), `this.jwtService.verifyAsync(token)` (@nestjs/jwt),
 * and the payload passport-jwt hands its verify callback after checking the signature (a Nest
 * `PassportStrategy(Strategy)`'s `validate(payload)`, or `new Strategy(options, (payload, done) => ...)`).
 * Decoding without verifying (`jwt.decode`) is not, and neither is the callback form of `verify`, which
 * returns nothing.
 */
export function verifiedTokenSource(resolver: Resolver): OriginSource {
  return {
    origin(expr) {
      const e = unwrap(expr);
      if (ts.isIdentifier(e)) {
        const decl = findDeclaration(e.text, e);
        return decl && ts.isParameter(decl) && isPassportJwtPayload(decl, resolver) ? { kind: 'principal', path: [], node: e } : undefined;
      }
      return ts.isCallExpression(e) && isPackageVerification(e, resolver) ? { kind: 'principal', path: [], node: e } : undefined;
    },
  };
}

/** `jwt.verify(token, secret)`, `jwtVerify(token, key)`: a package's verifier called in the form that throws on a bad token. */
export function isPackageVerification(call: ts.CallExpression, resolver: Resolver): boolean {
  if (call.arguments.some((a) => isFunctionNode(unwrap(a)))) return false;
  const v = resolver.value(call.expression);
  return v.kind === 'external' && !!VERIFIERS[v.pkg]?.has(v.path[v.path.length - 1]);
}

/** The payload parameter of a passport-jwt verify callback: the first, or the second with `passReqToCallback`. */
function isPassportJwtPayload(param: ts.ParameterDeclaration, resolver: Resolver): boolean {
  const fn = param.parent;
  const at = (fn as ts.SignatureDeclaration).parameters.indexOf(param);
  // `class JwtStrategy extends PassportStrategy(Strategy) { validate(payload) { ... } }` (@nestjs/passport)
  if (ts.isMethodDeclaration(fn) && fn.name && propertyNameText(fn.name) === 'validate') {
    const cls = enclosingClass(fn);
    const base = cls && baseClass(cls);
    const mixin = base && unwrap(base);
    if (!cls || !mixin || !ts.isCallExpression(mixin) || !isExport(resolver.value(mixin.expression), '@nestjs/passport', 'PassportStrategy')) return false;
    if (!mixin.arguments[0] || !isExport(resolver.value(mixin.arguments[0]), 'passport-jwt', 'Strategy')) return false;
    const superCall = superCallOf(cls);
    return payloadIndex(superCall?.arguments[0]) === at;
  }
  // `new Strategy(options, (payload, done) => ...)` (passport-jwt)
  const call = fn.parent;
  if (isFunctionNode(fn) && call && ts.isNewExpression(call) && call.arguments?.[1] === fn && isExport(resolver.value(call.expression), 'passport-jwt', 'Strategy')) {
    return payloadIndex(call.arguments[0]) === at;
  }
  return false;
}

/** Where the payload comes in the verify callback's parameters, given the strategy's options (unknown options: -1). */
function payloadIndex(options: ts.Expression | undefined): number {
  const o = options && unwrap(options);
  if (!o || !ts.isObjectLiteralExpression(o)) return -1;
  const flag = o.properties.find((p) => p.name && propertyNameText(p.name) === 'passReqToCallback');
  if (!flag) return 0;
  if (!ts.isPropertyAssignment(flag)) return -1;
  const v = unwrap(flag.initializer);
  return v.kind === ts.SyntaxKind.TrueKeyword ? 1 : v.kind === ts.SyntaxKind.FalseKeyword ? 0 : -1;
}

function superCallOf(cls: ts.ClassLikeDeclaration): ts.CallExpression | undefined {
  const ctor = cls.members.find(ts.isConstructorDeclaration);
  for (const st of ctor?.body?.statements ?? []) {
    const e = ts.isExpressionStatement(st) ? unwrap(st.expression) : undefined;
    if (e && ts.isCallExpression(e) && e.expression.kind === ts.SyntaxKind.SuperKeyword) return e;
  }
  return undefined;
}
