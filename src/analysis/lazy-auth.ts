import { ts } from 'ts-morph';
import { isFunctionNode, type FunctionNode } from '../syntax/functions.js';
import { snippet } from '../syntax/loc.js';
import { unwrap } from '../syntax/resolve.js';

/**
 * Lazy authentication: a hook or middleware that only attaches a verifier to the request
 * (`request.getCurrentUserId = async () => { ... throw new UnauthorizedError() }`) refuses nobody itself;
 * a handler that calls the verifier is protected by that call, one that does not is open.
 */

/** Functions a hook assigns to properties of its request parameter, by property name. */
export function attachedVerifiers(hook: FunctionNode): Map<string, FunctionNode> {
  const out = new Map<string, FunctionNode>();
  const request = hook.parameters[0];
  if (!request || !ts.isIdentifier(request.name) || !hook.body) return out;
  const name = request.name.text;
  const visit = (n: ts.Node): void => {
    if (n !== hook.body && isFunctionNode(n)) return;
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(n.left)) {
      const target = unwrap(n.left.expression);
      const value = unwrap(n.right);
      if (ts.isIdentifier(target) && target.text === name && isFunctionNode(value)) out.set(n.left.name.text, value);
    }
    ts.forEachChild(n, visit);
  };
  visit(hook.body);
  return out;
}

/** Whether `n` lies inside one of `fns` (below `stop`). */
export function insideAny(n: ts.Node, fns: ReadonlySet<ts.Node>, stop: ts.Node): boolean {
  for (let cur: ts.Node | undefined = n; cur && cur !== stop; cur = cur.parent) if (fns.has(cur)) return true;
  return false;
}

/**
 * `const userId = await request.getCurrentUserId()` among the handler's top-level statements (or those of a
 * leading try block), where `getCurrentUserId` is a verifier the chain attaches: the text of the call.
 */
export function callsVerifier(handler: FunctionNode, verifiers: readonly string[]): string | undefined {
  const request = handler.parameters[0];
  if (!request || !ts.isIdentifier(request.name) || !handler.body || !ts.isBlock(handler.body) || !verifiers.length) return undefined;
  const name = request.name.text;
  const statements = handler.body.statements.flatMap((s) => (ts.isTryStatement(s) ? [...s.tryBlock.statements] : [s]));
  for (const st of statements) {
    let found: string | undefined;
    const visit = (n: ts.Node): void => {
      if (found || isFunctionNode(n) || ts.isIfStatement(n) || ts.isConditionalExpression(n)) return;
      if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && verifiers.includes(n.expression.name.text)) {
        const target = unwrap(n.expression.expression);
        if (ts.isIdentifier(target) && target.text === name) found = snippet(n, 50);
      }
      ts.forEachChild(n, visit);
    };
    visit(st);
    if (found) return found;
  }
  return undefined;
}
