import { ts } from 'ts-morph';
import { isFunctionNode } from '../syntax/functions.js';
import { unwrap, type Resolver } from '../syntax/resolve.js';
import type { OriginSource } from './provenance.js';

/** Package functions that return a token's payload only after checking its signature (they throw otherwise). */
const VERIFIERS: Record<string, Set<string>> = {
  jsonwebtoken: new Set(['verify']),
  jose: new Set(['jwtVerify']),
  '@nestjs/jwt': new Set(['verify', 'verifyAsync']),
};

/**
 * The payload of a verified token is the principal: `jwt.verify(token, secret)` (jsonwebtoken),
 * `await jwtVerify(token, key)` (jose: `{ payload }`), `this.jwtService.verifyAsync(token)` (@nestjs/jwt).
 * Decoding without verifying (`jwt.decode`) is not, and neither is the callback form of `verify`, which
 * returns nothing.
 */
export function verifiedTokenSource(resolver: Resolver): OriginSource {
  return {
    origin(expr) {
      const e = unwrap(expr);
      if (!ts.isCallExpression(e) || e.arguments.some((a) => isFunctionNode(unwrap(a)))) return undefined;
      const v = resolver.value(e.expression);
      if (v.kind !== 'external' || !VERIFIERS[v.pkg]?.has(v.path[v.path.length - 1])) return undefined;
      return { kind: 'principal', path: [], node: e };
    },
  };
}
