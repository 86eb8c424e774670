import { ts } from 'ts-morph';

export type FunctionNode =
  | ts.FunctionDeclaration
  | ts.FunctionExpression
  | ts.ArrowFunction
  | ts.MethodDeclaration;

export function isFunctionNode(node: ts.Node): node is FunctionNode {
  return ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isArrowFunction(node) || ts.isMethodDeclaration(node);
}

/** The expressions a function (or getter) returns (an arrow's expression body, or its own `return`s, not nested functions'). */
export function returnedExpressions(fn: FunctionNode | ts.GetAccessorDeclaration): ts.Expression[] {
  if (!fn.body) return [];
  if (!ts.isBlock(fn.body)) return [fn.body];
  const out: ts.Expression[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isReturnStatement(n)) {
      if (n.expression) out.push(n.expression);
      return;
    }
    if (isFunctionNode(n) || ts.isClassLike(n)) return;
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(fn.body, visit);
  return out;
}

/** Calls every node in the function's own body (not nested functions) with `visit`. */
export function forEachOwnNode(fn: FunctionNode, visit: (n: ts.Node) => void): void {
  const walk = (n: ts.Node): void => {
    visit(n);
    if (n !== fn && (isFunctionNode(n) || ts.isClassLike(n))) return;
    ts.forEachChild(n, walk);
  };
  if (fn.body) walk(fn.body);
}

/** Name of a property-access callee: `app.get` → 'get'. */
export function calleeName(call: ts.CallExpression): string | undefined {
  const c = call.expression;
  if (ts.isPropertyAccessExpression(c)) return c.name.text;
  if (ts.isIdentifier(c)) return c.text;
  return undefined;
}
