import { ts } from 'ts-morph';
import { isFunctionNode, type FunctionNode } from '../../syntax/functions.js';
import { unwrap, type Resolver } from '../../syntax/resolve.js';

/**
 * The function that really handles a route: the handler expression followed through names and imports,
 * wrappers such as `catchAsync(fn)` / `asyncHandler(fn)`, `.bind(this)`, and controller instances.
 */
export function resolveHandler(expr: ts.Expression, resolver: Resolver, depth = 0): FunctionNode | undefined {
  if (depth > 6) return undefined;
  const e = unwrap(expr);
  if (isFunctionNode(e)) return e;
  const value = resolver.value(e);
  if (value.kind !== 'node') return memberOfInstance(e, resolver);
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

/** `controller.list` where `controller = new TodoController()`: the class's method. */
function memberOfInstance(e: ts.Node, resolver: Resolver): FunctionNode | undefined {
  if (!ts.isPropertyAccessExpression(e)) return undefined;
  const base = resolver.value(e.expression);
  if (base.kind !== 'node' || !ts.isNewExpression(base.node)) return undefined;
  const cls = resolver.value(base.node.expression);
  if (cls.kind !== 'node' || !ts.isClassLike(cls.node)) return undefined;
  for (const m of cls.node.members) {
    if (!m.name || m.name.getText() !== e.name.text) continue;
    if (ts.isMethodDeclaration(m)) return m;
    if (ts.isPropertyDeclaration(m) && m.initializer && isFunctionNode(unwrap(m.initializer))) return unwrap(m.initializer) as FunctionNode;
  }
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
