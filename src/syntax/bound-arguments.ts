import { ts } from 'ts-morph';
import type { FunctionNode } from './functions.js';
import { unwrap } from './resolve.js';
import { findDeclaration } from './scope.js';

/**
 * A function's parameters bound to the arguments of one call (or their defaults), so a test inside the function
 * can be decided for that call: `Auth(isApiKey = false)` called as `Auth()` takes the `: UseGuards(Jwt)` branch.
 */
export type BoundArguments = ReadonlyMap<ts.Node, ts.Expression>;

export const NO_BINDINGS: BoundArguments = new Map();

const UNDEFINED = ts.factory.createIdentifier('undefined');

/** `fn`'s parameters bound to `call`'s arguments, on top of `outer` (the bindings of the calls around it). */
export function bindArguments(fn: FunctionNode, call: ts.CallExpression, outer: BoundArguments = NO_BINDINGS): BoundArguments {
  const bound = new Map(outer);
  fn.parameters.forEach((p, i) => {
    if (p.dotDotDotToken) return;
    // A parameter the call leaves out and that has no default is `undefined`.
    bound.set(p, call.arguments[i] ?? p.initializer ?? UNDEFINED);
  });
  return bound;
}

/** How the leaves a test is made of are read, beyond literals and bound parameters. */
export interface Leaves {
  /** The value a leaf holds when the caller knows it (`process.env.X` is `undefined` where nothing is set); else NOT_LITERAL. */
  literal?: (e: ts.Expression) => unknown;
  /** The truth of a leaf that is no value (say, `req.user` is false for an anonymous request). */
  otherwise?: (e: ts.Expression) => boolean | undefined;
}

/** true/false when the test is decided by the bound arguments and the leaves; undefined otherwise. */
export function evaluateBound(expr: ts.Expression, bound: BoundArguments, leaves: Leaves = {}): boolean | undefined {
  const e = unwrap(expr) as ts.Expression;
  const literal = (x: ts.Expression) => {
    const v = boundLiteral(x, bound);
    return v === NOT_LITERAL && leaves.literal ? leaves.literal(unwrap(x) as ts.Expression) : v;
  };
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) {
    const v = evaluateBound(e.operand, bound, leaves);
    return v === undefined ? undefined : !v;
  }
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    if (op === ts.SyntaxKind.AmpersandAmpersandToken) {
      const [l, r] = [evaluateBound(e.left, bound, leaves), evaluateBound(e.right, bound, leaves)];
      return l === false || r === false ? false : l === true && r === true ? true : undefined;
    }
    if (op === ts.SyntaxKind.BarBarToken) {
      const [l, r] = [evaluateBound(e.left, bound, leaves), evaluateBound(e.right, bound, leaves)];
      return l === true || r === true ? true : l === false && r === false ? false : undefined;
    }
    const comparison = EQUALITY.get(op);
    if (comparison) {
      const [l, r] = [literal(e.left), literal(e.right)];
      return l === NOT_LITERAL || r === NOT_LITERAL ? undefined : comparison(l, r);
    }
    return undefined;
  }
  const value = literal(e);
  if (value !== NOT_LITERAL) return Boolean(value);
  return leaves.otherwise?.(e);
}

/** The comparisons a test may make, evaluated as JavaScript does (`==` loosely: the project's own test). */
const EQUALITY = new Map<ts.SyntaxKind, (l: unknown, r: unknown) => boolean>([
  [ts.SyntaxKind.EqualsEqualsEqualsToken, (l, r) => l === r],
  [ts.SyntaxKind.ExclamationEqualsEqualsToken, (l, r) => l !== r],
  [ts.SyntaxKind.EqualsEqualsToken, (l, r) => l == r],
  [ts.SyntaxKind.ExclamationEqualsToken, (l, r) => l != r],
]);

export const NOT_LITERAL = Symbol('not a literal');

/** The literal an expression is, directly or as a bound parameter; NOT_LITERAL otherwise. */
export function boundLiteral(expr: ts.Expression, bound: BoundArguments, depth = 0): unknown {
  const e = unwrap(expr);
  if (ts.isStringLiteralLike(e)) return e.text;
  if (ts.isNumericLiteral(e)) return Number(e.text);
  if (e.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (e.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (e.kind === ts.SyntaxKind.NullKeyword) return null;
  if (ts.isIdentifier(e) && e.text === 'undefined') return undefined;
  if (ts.isIdentifier(e) && depth < 3) {
    const decl = findDeclaration(e.text, e);
    const arg = decl && bound.get(decl);
    if (arg) return boundLiteral(arg, bound, depth + 1);
  }
  // `options.isAuthOptional` of a parameter bound to an object literal: its property, or undefined when it has none.
  if (ts.isPropertyAccessExpression(e) && depth < 3) {
    const object = boundObject(e.expression, bound, depth + 1);
    if (object && !object.properties.some((p) => ts.isSpreadAssignment(p) || (p.name !== undefined && !ts.isIdentifier(p.name) && !ts.isStringLiteral(p.name)))) {
      const property = object.properties.find((p) => p.name !== undefined && (p.name as ts.Identifier | ts.StringLiteral).text === e.name.text);
      if (!property) return undefined;
      if (ts.isPropertyAssignment(property)) return boundLiteral(property.initializer, bound, depth + 1);
      if (ts.isShorthandPropertyAssignment(property)) return boundLiteral(property.name, bound, depth + 1);
    }
  }
  return NOT_LITERAL;
}

/** The object literal a bound parameter holds (`{ isAuthOptional: true }`), directly or through another. */
function boundObject(expr: ts.Expression, bound: BoundArguments, depth: number): ts.ObjectLiteralExpression | undefined {
  const e = unwrap(expr);
  if (ts.isObjectLiteralExpression(e)) return e;
  if (!ts.isIdentifier(e) || depth > 3) return undefined;
  const decl = findDeclaration(e.text, e);
  const arg = decl && bound.get(decl);
  return arg ? boundObject(arg, bound, depth + 1) : undefined;
}

/** Whether the expression reads a bound parameter. */
export function readsBound(expr: ts.Node, bound: BoundArguments): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(n)) {
      const decl = findDeclaration(n.text, n);
      if (decl && bound.has(decl)) found = true;
    }
    ts.forEachChild(n, visit);
  };
  visit(expr);
  return found;
}
