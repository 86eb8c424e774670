import { ts } from 'ts-morph';
import { unwrap, type Resolver } from './resolve.js';
import { findDeclaration } from './scope.js';

/**
 * What a loop variable takes, one entry per iteration, when the loop runs over a literal list:
 * `routes.forEach((route) => ...)`, `routes.map(...)`, `for (const route of routes)`, where `routes` is an array
 * literal here or in another module, spreads of such arrays included (`[...require('./users'), ...adminRoutes]`).
 * Undefined when `id` is no loop variable or the list is not literal.
 */
export function loopElements(id: ts.Identifier, resolver: Resolver): ts.Expression[] | undefined {
  const decl = findDeclaration(id.text, id);
  const list = decl && loopSource(decl);
  return list ? literalElements(list, resolver, 0) : undefined;
}

/**
 * `list.forEach((x) => ...)` / `list.map(...)` / `for (const x of list)`: the iterated expression, for the loop
 * variable `decl` (a name or a destructuring pattern: `([verb, path]) =>`, `for (const { path } of routes)`).
 */
export function loopSource(decl: ts.Node): ts.Expression | undefined {
  if (ts.isParameter(decl) && decl.parent.parameters[0] === decl) {
    const loop = decl.parent.parent;
    if (!ts.isCallExpression(loop) || loop.arguments[0] !== decl.parent || !ts.isPropertyAccessExpression(loop.expression)) return undefined;
    return ['forEach', 'map'].includes(loop.expression.name.text) ? loop.expression.expression : undefined;
  }
  if (ts.isVariableDeclaration(decl) && ts.isVariableDeclarationList(decl.parent) && ts.isForOfStatement(decl.parent.parent)) {
    return decl.parent.parent.expression;
  }
  return undefined;
}

function literalElements(expr: ts.Expression, resolver: Resolver, depth: number): ts.Expression[] | undefined {
  if (depth > 4) return undefined;
  const v = resolver.value(expr);
  const list = v.kind === 'node' ? unwrap(v.node as ts.Expression) : undefined;
  if (!list || !ts.isArrayLiteralExpression(list)) return undefined;
  const out: ts.Expression[] = [];
  for (const el of list.elements) {
    if (!ts.isSpreadElement(el)) {
      out.push(el);
      continue;
    }
    const inner = literalElements(el.expression, resolver, depth + 1);
    if (!inner) return undefined;
    out.push(...inner);
  }
  return out;
}
