import { ts } from 'ts-morph';
import { callsIn, findRefusal } from '../../analysis/guard-evidence.js';
import { isFunctionNode, returnedExpressions, type FunctionNode } from '../../syntax/functions.js';
import { unwrap, type Resolver } from '../../syntax/resolve.js';
import { findDeclaration } from '../../syntax/scope.js';

/**
 * Path parameters an Express route guard ties to the caller: before passing the request on, it refuses
 * (401/403, and stops) when `req.params.userId` is not the caller's id — unconditionally, or unless a check on
 * the caller alone admits them (their role or rights):
 *
 *   const auth = (...rights) => (req, res, next) => {
 *     const granted = rights.every((r) => RIGHTS[req.user.role].includes(r));
 *     if (!granted && req.params.userId !== req.user.id) return res.status(403).end();
 *     next();
 *   };
 *
 * Behind `auth('manageUsers')` the parameter names the caller's own account, or the caller holds the rights.
 * Followed into a helper the middleware calls, and into the callback that helper returns (Passport's
 * `verifyCallback(req, resolve, reject, rights)`), with its arguments. A check nested in `if (rights.length)`
 * counts when the factory is called with rights. Anything else that could let the request through first (a
 * `return` or `next()` before the check, a `try`, a loop, an `else`) makes it bind nothing.
 */
export function paramsBoundToCaller(expr: ts.Expression, resolver: Resolver): string[] {
  const site = guardSite(expr, resolver);
  if (!site) return [];
  const request = site.middleware.parameters[0];
  if (!request || !ts.isIdentifier(request.name)) return [];
  const trace = new ArgumentTrace(site);
  const scopes: { fn: FunctionNode; via?: ts.CallExpression }[] = [{ fn: site.middleware }];
  for (const call of callsIn(site.middleware)) {
    const callee = resolver.value(call.expression);
    if (callee.kind !== 'node' || !isFunctionNode(callee.node) || callee.node === site.middleware) continue;
    trace.calledAt.set(callee.node, call);
    scopes.push({ fn: callee.node, via: call });
    for (const r of returnedExpressions(callee.node)) {
      const inner = unwrap(r);
      if (isFunctionNode(inner)) scopes.push({ fn: inner, via: call });
    }
  }
  const bound = new Set<string>();
  for (const { fn, via } of scopes) {
    // The middleware must not pass the request on before it hands over to the helper holding the check.
    if (via && continuesBefore(site.middleware, via)) continue;
    ownStatements(fn, (st) => {
      if (!ts.isIfStatement(st)) return;
      const param = boundParam(st, fn, trace);
      if (param) bound.add(param);
    });
  }
  return [...bound].sort();
}

interface GuardSite {
  middleware: FunctionNode;
  /** The factory that returned the middleware, and the arguments the route passes it: `auth('manageUsers')`. */
  factory?: FunctionNode;
  args?: readonly ts.Expression[];
}

/** `auth('manageUsers')` (a factory returning one middleware), `requireSelf`, or an inline middleware. */
function guardSite(expr: ts.Expression, resolver: Resolver): GuardSite | undefined {
  const e = unwrap(expr);
  if (isFunctionNode(e)) return { middleware: e };
  if (ts.isCallExpression(e)) {
    const callee = resolver.value(e.expression);
    if (callee.kind !== 'node' || !isFunctionNode(callee.node)) return undefined;
    const returned = returnedExpressions(callee.node).map((r) => unwrap(r));
    const middleware = returned.length === 1 && isFunctionNode(returned[0]) ? returned[0] : undefined;
    return middleware && { middleware, factory: callee.node, args: e.arguments };
  }
  const value = resolver.value(e);
  return value.kind === 'node' && isFunctionNode(value.node) ? { middleware: value.node } : undefined;
}

/** What a parameter of the guard's functions holds: the request, or the factory's rest arguments (by count). */
class ArgumentTrace {
  /** Helpers the middleware calls, with the call. */
  readonly calledAt = new Map<FunctionNode, ts.CallExpression>();

  constructor(private readonly site: GuardSite) {}

  isRequest(id: ts.Expression, depth = 0): boolean {
    const p = this.parameter(id);
    if (!p) return false;
    if (p.fn === this.site.middleware) return p.index === 0;
    const arg = this.argument(p, depth);
    return !!arg && this.isRequest(arg, depth + 1);
  }

  /** How many values a rest parameter of the factory holds, followed through helper arguments. */
  restCount(id: ts.Expression, depth = 0): number | undefined {
    const p = this.parameter(id);
    if (!p) return undefined;
    const { factory, args } = this.site;
    if (p.fn === factory && p.decl.dotDotDotToken && args && !args.some(ts.isSpreadElement)) return Math.max(0, args.length - p.index);
    const arg = this.argument(p, depth);
    return arg ? this.restCount(arg, depth + 1) : undefined;
  }

  private parameter(id: ts.Expression): { decl: ts.ParameterDeclaration; fn: FunctionNode; index: number } | undefined {
    const e = unwrap(id);
    if (!ts.isIdentifier(e)) return undefined;
    const decl = findDeclaration(e.text, e);
    if (!decl || !ts.isParameter(decl) || !isFunctionNode(decl.parent)) return undefined;
    return { decl, fn: decl.parent, index: decl.parent.parameters.indexOf(decl) };
  }

  private argument(p: { fn: FunctionNode; index: number }, depth: number): ts.Expression | undefined {
    const call = this.calledAt.get(p.fn);
    const arg = call?.arguments[p.index];
    return depth < 4 && arg && !call.arguments.slice(0, p.index + 1).some(ts.isSpreadElement) ? arg : undefined;
  }
}

/** `if (<privilege clauses> && req.params.X !== caller.id) return <refusal>`: X, when everything around it holds. */
function boundParam(st: ts.IfStatement, fn: FunctionNode, trace: ArgumentTrace): string | undefined {
  if (st.elseStatement || !stops(st.thenStatement) || !findRefusal(st.thenStatement)) return undefined;
  const conjuncts = andTerms(st.expression);
  const callers = new Callers(st, fn, trace);
  const mismatches = conjuncts.map((c) => mismatchedParam(c, trace, callers));
  const index = mismatches.findIndex((m) => m !== undefined);
  if (index < 0 || mismatches.filter((m) => m !== undefined).length !== 1) return undefined;
  if (!conjuncts.every((c, i) => i === index || isPrivilegeClause(c, trace, callers))) return undefined;
  return reachedUnconditionally(st, fn, trace) ? mismatches[index] : undefined;
}

/** The caller inside the guard: `req.user`, `const user = req.user`, or the `user` the guard stores as `req.user = user`. */
class Callers {
  constructor(
    private readonly at: ts.IfStatement,
    private readonly fn: FunctionNode,
    private readonly trace: ArgumentTrace,
  ) {}

  is(e: ts.Expression): boolean {
    const u = unwrap(e);
    if (ts.isPropertyAccessExpression(u)) return u.name.text === 'user' && this.trace.isRequest(u.expression);
    if (!ts.isIdentifier(u)) return false;
    const decl = findDeclaration(u.text, u);
    if (!decl) return false;
    if (ts.isVariableDeclaration(decl) && decl.initializer && isConst(decl)) return this.is(decl.initializer);
    // `req.user = user` earlier in the same function.
    let stored = false;
    ownStatements(this.fn, (st) => {
      if (stored || st.getEnd() > this.at.getStart() || !ts.isExpressionStatement(st)) return;
      const x = st.expression;
      if (!ts.isBinaryExpression(x) || x.operatorToken.kind !== ts.SyntaxKind.EqualsToken || !ts.isIdentifier(x.right)) return;
      stored = x.right.text === u.text && findDeclaration(x.right.text, x.right) === decl && this.is(x.left);
    });
    return stored;
  }

  /** `caller.id`, `caller._id`, `String(caller.id)`, `caller.id.toString()`. */
  isId(e: ts.Expression): boolean {
    let u = unwrap(e);
    if (ts.isCallExpression(u) && ts.isIdentifier(u.expression) && u.expression.text === 'String' && u.arguments.length === 1) u = unwrap(u.arguments[0]);
    if (ts.isCallExpression(u) && ts.isPropertyAccessExpression(u.expression) && u.expression.name.text === 'toString' && !u.arguments.length) u = unwrap(u.expression.expression);
    return ts.isPropertyAccessExpression(u) && (u.name.text === 'id' || u.name.text === '_id') && this.is(u.expression);
  }
}

/** `req.params.X !== caller.id` (either side, `!=` too): X. */
function mismatchedParam(c: ts.Expression, trace: ArgumentTrace, callers: Callers): string | undefined {
  const e = unwrap(c);
  if (!ts.isBinaryExpression(e)) return undefined;
  const op = e.operatorToken.kind;
  if (op !== ts.SyntaxKind.ExclamationEqualsEqualsToken && op !== ts.SyntaxKind.ExclamationEqualsToken) return undefined;
  const param = paramRead(e.left, trace) ?? paramRead(e.right, trace);
  const other = paramRead(e.left, trace) !== undefined ? e.right : e.left;
  return param !== undefined && callers.isId(other) ? param : undefined;
}

/** `req.params.userId` / `req.params['userId']`: 'userId'. */
function paramRead(e: ts.Expression, trace: ArgumentTrace): string | undefined {
  const u = unwrap(e);
  const base = ts.isPropertyAccessExpression(u) || ts.isElementAccessExpression(u) ? unwrap(u.expression) : undefined;
  if (!base || !ts.isPropertyAccessExpression(base) || base.name.text !== 'params' || !trace.isRequest(base.expression)) return undefined;
  if (ts.isPropertyAccessExpression(u)) return u.name.text;
  const key = (u as ts.ElementAccessExpression).argumentExpression;
  return ts.isStringLiteralLike(key) ? key.text : undefined;
}

/**
 * A clause that decides by who the caller is (`!granted` where `granted` derives from `user.role`, `user.role !==
 * 'admin'`): it reads the caller, and of the request nothing else. Followed through `const` initializers.
 */
function isPrivilegeClause(c: ts.Expression, trace: ArgumentTrace, callers: Callers): boolean {
  let readsCaller = false;
  let readsRequest = false;
  const seen = new Set<ts.Node>();
  const visit = (n: ts.Node, depth: number): void => {
    if (readsRequest) return;
    if (ts.isPropertyAccessExpression(n) && n.name.text === 'user' && trace.isRequest(n.expression)) {
      readsCaller = true;
      return;
    }
    if (ts.isIdentifier(n) && isValueReference(n)) {
      if (trace.isRequest(n)) readsRequest = true;
      else if (callers.is(n)) readsCaller = true;
      else {
        const decl = findDeclaration(n.text, n);
        if (decl && ts.isVariableDeclaration(decl) && decl.initializer && isConst(decl) && depth < 4 && !seen.has(decl)) {
          seen.add(decl);
          visit(decl.initializer, depth + 1);
        }
      }
      return;
    }
    ts.forEachChild(n, (child) => visit(child, depth));
  };
  visit(c, 0);
  return readsCaller && !readsRequest;
}

/**
 * Every way to the check passes through it: no `return` or continuation call (`next()`, `resolve()`) before it
 * except in refusing branches, and every enclosing condition is known to hold (`if (rights.length)` when the
 * route passes rights); no enclosing `else`, loop, `try` or switch.
 */
function reachedUnconditionally(st: ts.IfStatement, fn: FunctionNode, trace: ArgumentTrace): boolean {
  let child: ts.Node = st;
  for (let n: ts.Node = st.parent; n !== fn; child = n, n = n.parent) {
    if (ts.isBlock(n)) {
      for (const before of n.statements) {
        if (before === child) break;
        if (letsThrough(before)) return false;
      }
    } else if (ts.isIfStatement(n)) {
      if (n.thenStatement !== child || !knownTrue(n.expression, trace)) return false;
    } else return false;
  }
  return true;
}

/** A statement that may pass the request on: a `return` outside a refusing branch, or a call of a callback parameter with no arguments. */
function letsThrough(st: ts.Statement): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found || isFunctionNode(n) || ts.isClassLike(n)) return;
    if (ts.isIfStatement(n) && !n.elseStatement && stops(n.thenStatement) && findRefusal(n.thenStatement)) return;
    if (ts.isReturnStatement(n)) found = true;
    else if (ts.isCallExpression(n) && !n.arguments.length && ts.isIdentifier(n.expression)) {
      const decl = findDeclaration(n.expression.text, n.expression);
      if (decl && ts.isParameter(decl)) found = true;
    } else ts.forEachChild(n, visit);
  };
  visit(st);
  return found;
}

/** `rights.length`, `rights.length > 0`, `rights.length !== 0`, `rights.length >= 1`, for a rest parameter the route fills. */
function knownTrue(cond: ts.Expression, trace: ArgumentTrace): boolean {
  let e = unwrap(cond);
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    const right = unwrap(e.right);
    const n = ts.isNumericLiteral(right) ? Number(right.text) : undefined;
    const positive =
      ((op === ts.SyntaxKind.GreaterThanToken || op === ts.SyntaxKind.ExclamationEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken) && n === 0) ||
      (op === ts.SyntaxKind.GreaterThanEqualsToken && n === 1);
    if (!positive) return false;
    e = unwrap(e.left);
  }
  if (!ts.isPropertyAccessExpression(e) || e.name.text !== 'length') return false;
  return (trace.restCount(e.expression) ?? 0) > 0;
}

/** The then-branch ends the handling: it is, or ends with, a `return` or a `throw`. */
function stops(st: ts.Statement): boolean {
  const last = ts.isBlock(st) ? st.statements[st.statements.length - 1] : st;
  return !!last && (ts.isReturnStatement(last) || ts.isThrowStatement(last));
}

/** The middleware calls `next()` before handing over to `via` (in source order): the hand-over may not happen first. */
function continuesBefore(middleware: FunctionNode, via: ts.CallExpression): boolean {
  const next = middleware.parameters[2];
  if (!next || !ts.isIdentifier(next.name)) return false;
  const name = next.name.text;
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found || n.getStart() >= via.getEnd()) return;
    if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === name && !n.arguments.length) found = true;
    else if (ts.isReturnStatement(n) && n.getEnd() <= via.getStart()) found = true;
    else ts.forEachChild(n, visit);
  };
  if (middleware.body) visit(middleware.body);
  return found;
}

/** The statements of a function's own body, nested blocks included, not nested functions. */
function ownStatements(fn: FunctionNode, visit: (st: ts.Statement) => void): void {
  const walk = (n: ts.Node): void => {
    if (isFunctionNode(n) || ts.isClassLike(n)) return;
    if (ts.isStatement(n)) visit(n);
    ts.forEachChild(n, walk);
  };
  if (fn.body && ts.isBlock(fn.body)) fn.body.statements.forEach(walk);
}

function andTerms(e: ts.Expression): ts.Expression[] {
  const u = unwrap(e);
  if (ts.isBinaryExpression(u) && u.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken) return [...andTerms(u.left), ...andTerms(u.right)];
  return [u as ts.Expression];
}

function isConst(decl: ts.VariableDeclaration): boolean {
  return ts.isVariableDeclarationList(decl.parent) && (decl.parent.flags & ts.NodeFlags.Const) !== 0;
}

/** An identifier read as a value (not a property name, a declaration's name or a parameter's name). */
function isValueReference(id: ts.Identifier): boolean {
  const p = id.parent;
  if (ts.isPropertyAccessExpression(p) && p.name === id) return false;
  if ((ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isPropertyAssignment(p) || ts.isBindingElement(p)) && p.name === id) return false;
  return true;
}
