import { ts } from 'ts-morph';
import { isFunctionNode, returnedExpressions, type FunctionNode } from '../../syntax/functions.js';
import { unwrap, type Resolver } from '../../syntax/resolve.js';

/**
 * The call that hands a request to the project's Better Auth server, when a handler does that:
 * `(c) => auth.handler(c.req.raw)`, `auth(c.env).handler(c.req.raw)` on Workers (a function that
 * returns `betterAuth({...})`), or Fastify's `auth.handler(new Request(...))`. Such a route serves
 * sign-up, sign-in and session endpoints, which check credentials themselves.
 */
export function betterAuthHandlerCall(fn: FunctionNode, resolver: Resolver): ts.CallExpression | undefined {
  if (!fn.body) return undefined;
  let found: ts.CallExpression | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'handler' && n.arguments.length === 1) {
      if (isBetterAuthInstance(n.expression.expression, resolver)) {
        found = n;
        return;
      }
    }
    if (n !== fn.body && isFunctionNode(n)) return;
    ts.forEachChild(n, visit);
  };
  visit(fn.body);
  return found;
}

/** `betterAuth({...})` from better-auth, through variables, imports and factory functions that return it. */
function isBetterAuthInstance(expr: ts.Expression, resolver: Resolver, depth = 0): boolean {
  if (depth > 4) return false;
  const v = resolver.value(unwrap(expr));
  if (v.kind !== 'node') return false;
  const node = unwrap(v.node);
  if (!ts.isCallExpression(node)) return false;
  const callee = resolver.value(node.expression);
  if (callee.kind === 'external') return callee.pkg === 'better-auth' && callee.path.join('.') === 'betterAuth';
  if (callee.kind === 'node' && isFunctionNode(callee.node)) {
    return returnedExpressions(callee.node).some((r) => isBetterAuthInstance(r, resolver, depth + 1));
  }
  return false;
}
