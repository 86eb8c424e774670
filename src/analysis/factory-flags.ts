import { ts } from 'ts-morph';
import type { FunctionNode } from '../syntax/functions.js';
import { snippet } from '../syntax/loc.js';
import { unwrap } from '../syntax/resolve.js';
import { findDeclaration } from '../syntax/scope.js';
import { refusalSites } from './refusal-sites.js';

/**
 * Guard factories whose arguments decide whether the middleware refuses: `authenticate('jwt', msg, isStrict)`
 * builds a strict guard with `true` and optional authentication with `false`. Judged per call site: with the
 * call's arguments bound to the factory's parameters, and an anonymous request (no user, no session), can any
 * refusal of the returned middleware run?
 */

/** Names a request carries only once someone signed in. */
const PRINCIPAL = /^(user|currentUser|principal|session|account|authUser)$/;

/** Why no refusal of `middleware` can run for an anonymous request when `factory` is called by `call`; else undefined. */
export function refusalsOffAt(middleware: FunctionNode, factory: FunctionNode, call: ts.CallExpression): string | undefined {
  const bound = new Map<ts.Node, ts.Expression>();
  factory.parameters.forEach((p, i) => {
    const arg = call.arguments[i] ?? p.initializer;
    if (arg) bound.set(p, arg);
  });
  if (!bound.size) return undefined;
  const sites = refusalSites(middleware);
  if (!sites.length) return undefined;
  let byArgument: string | undefined;
  for (const site of sites) {
    const off = site.conjuncts.find((c) => c.expr && evaluate(c.expr, bound) === Boolean(c.negated));
    if (!off) return undefined;
    if (off.expr && readsBound(off.expr, bound)) byArgument ??= off.text;
  }
  // Only when an argument switched a refusal off: a factory whose refusals all need a signed-in user is judged elsewhere.
  return byArgument && `with the arguments of ${snippet(call, 60)}, \`${byArgument}\` is false, so it never refuses an anonymous request: optional authentication`;
}

/** true/false when the test is decided by the bound arguments and an anonymous request; undefined otherwise. */
function evaluate(expr: ts.Expression, bound: Map<ts.Node, ts.Expression>): boolean | undefined {
  const e = unwrap(expr) as ts.Expression;
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) {
    const v = evaluate(e.operand, bound);
    return v === undefined ? undefined : !v;
  }
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    if (op === ts.SyntaxKind.AmpersandAmpersandToken) {
      const [l, r] = [evaluate(e.left, bound), evaluate(e.right, bound)];
      return l === false || r === false ? false : l === true && r === true ? true : undefined;
    }
    if (op === ts.SyntaxKind.BarBarToken) {
      const [l, r] = [evaluate(e.left, bound), evaluate(e.right, bound)];
      return l === true || r === true ? true : l === false && r === false ? false : undefined;
    }
    if (op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsEqualsToken) {
      const [l, r] = [literal(e.left, bound), literal(e.right, bound)];
      if (l === NONE || r === NONE) return undefined;
      return op === ts.SyntaxKind.EqualsEqualsEqualsToken ? l === r : l !== r;
    }
    return undefined;
  }
  const value = literal(e, bound);
  if (value !== NONE) return Boolean(value);
  // `user`, `req.user`: absent for a caller who did not sign in.
  const name = ts.isIdentifier(e) ? e.text : ts.isPropertyAccessExpression(e) ? e.name.text : undefined;
  return name && PRINCIPAL.test(name) ? false : undefined;
}

const NONE = Symbol('not a literal');

/** The literal an expression is, directly or as a bound parameter. */
function literal(expr: ts.Expression, bound: Map<ts.Node, ts.Expression>, depth = 0): unknown {
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
    if (arg) return literal(arg, bound, depth + 1);
  }
  return NONE;
}

function readsBound(expr: ts.Node, bound: Map<ts.Node, ts.Expression>): boolean {
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
