import { ts } from 'ts-morph';
import { isFunctionNode, type FunctionNode } from '../../syntax/functions.js';
import { unwrap, type Resolver } from '../../syntax/resolve.js';

/**
 * The function that really handles a route: the handler expression followed through names and imports,
 * wrappers such as `catchAsync(fn)` / `asyncHandler(fn)`, `.bind(this)`, and methods of controller instances.
 */
export function resolveHandler(expr: ts.Expression, resolver: Resolver, depth = 0): FunctionNode | undefined {
  if (depth > 6) return undefined;
  const e = unwrap(expr);
  if (isFunctionNode(e)) return e;
  const value = resolver.value(e);
  if (value.kind !== 'node') return undefined;
  const node = unwrap(value.node);
  if (isFunctionNode(node)) return node;
  if (ts.isCallExpression(node)) {
    // fn.bind(x)
    if (ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'bind') {
      return resolveHandler(node.expression.expression, resolver, depth + 1);
    }
    // A wrapper that takes the handler: catchAsync(async (req, res) => ...).
    for (const arg of node.arguments) {
      const inner = resolveHandler(arg, resolver, depth + 1);
      if (inner) return inner;
    }
  }
  if (ts.isPropertyAssignment(node) && isFunctionNode(unwrap(node.initializer))) return unwrap(node.initializer) as FunctionNode;
  return undefined;
}

/** A readable name for the handler: `getTodo`, `todoController.get`, or undefined for inline functions. */
export function handlerName(expr: ts.Expression, fn: FunctionNode | undefined): string | undefined {
  const e = unwrap(expr);
  if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) return e.getText();
  if (ts.isCallExpression(e)) {
    const inner = e.arguments.find((a) => ts.isIdentifier(a) || ts.isPropertyAccessExpression(a));
    if (inner) return inner.getText();
  }
  if (fn && (ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn)) && fn.name) return fn.name.text;
  return undefined;
}
