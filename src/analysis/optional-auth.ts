import { ts } from 'ts-morph';
import { isFunctionNode, type FunctionNode } from '../syntax/functions.js';
import { snippet } from '../syntax/loc.js';
import { holdsWithoutEnvironment } from '../syntax/environment.js';
import { unwrap, type Resolver } from '../syntax/resolve.js';
import { findRefusal } from './guard-evidence.js';

/**
 * Optional authentication: middleware that verifies a token when there is one but hands requests that
 * carry none to the handler — `if (!token) return next()`, `if (authorization === undefined) { next(); return }`.
 * It refuses bad tokens and continues on good ones, which looks like a guard, yet an anonymous request
 * passes. Shared by the Express and Hono classifiers (Fastify hooks and Express middleware skip lists: see hook-skips.ts).
 */

/** Names a condition must mention to be about credentials, so `if (!req.path.startsWith('/api')) return next()` is not one. */
const CREDENTIAL_WORDS = /auth|token|jwt|bearer|session|cookie|credential|user|api[-_]?key|header/i;
/**
 * Switches of the deployment, not of the request: `if (!process.env.AUTH_TOKEN) return next()`, `if
 * (!multiUserMode) next()`. They turn the check off for a whole installation (development, single-user mode);
 * where it is on, anonymous requests are refused, so the middleware still establishes who the caller is.
 */
const DEPLOYMENT_SWITCH = /process\.env|\bconfig\b|\bsettings?\b|NODE_ENV|[Mm]ode\b|[Mm]ode\)|[Ee]nabled|[Dd]isabled|isDev|isProd|feature/;

/**
 * The text of the condition under which `fn` continues with no credentials, or undefined. `nextParamIndex`
 * is the position of `next` (Express 2, Hono 1); only a bare `next()` continues: `next(err)` refuses.
 */
export function passesWithoutCredentials(fn: FunctionNode, nextParamIndex: number): string | undefined {
  return passesWhen(fn, nextParamIndex, (cond) => testsAbsence(cond) && CREDENTIAL_WORDS.test(cond.getText()) && !DEPLOYMENT_SWITCH.test(cond.getText()));
}

/**
 * The text of a deployment switch under which `fn` continues without checking anything (`if
 * (process.env.NODE_ENV === 'development' || !process.env.AUTH_TOKEN) return next()`), or undefined. Whether such
 * a middleware protects depends on how the app is deployed, which the scan cannot know.
 */
function switchedOffWhen(fn: FunctionNode, nextParamIndex: number): ts.Expression | undefined {
  return passesWhenNode(fn, nextParamIndex, (cond) => DEPLOYMENT_SWITCH.test(cond.getText()));
}

/**
 * A middleware that refuses (`refusal`) but lets everything through under a deployment switch: `unknown` with the
 * reason, or, when the switch reads environment variables and is off in a deployment that sets none
 * (`if (config.IS_LOCAL_APP_MODE)`, defined as `env.X === 'DANGEROUSLY_...'`), `off` with what the guard's evidence
 * adds: the guard stands, as it does where the app is deployed as written.
 */
export function deploymentSwitch(fn: FunctionNode, nextParamIndex: number, refusal: string, resolver?: Resolver): { unknown: string } | { off: string } | undefined {
  const cond = switchedOffWhen(fn, nextParamIndex);
  if (!cond) return undefined;
  if (holdsWithoutEnvironment(cond, resolver) === false) {
    return { off: `lets every request through only when \`${snippet(cond, 40)}\`, which a deployment that sets no environment variable does not` };
  }
  return { unknown: `${fn.name?.getText() ?? 'middleware'}: ${refusal}, but lets every request through when \`${snippet(cond, 40)}\`: a deployment setting the scan cannot know` };
}

function passesWhen(fn: FunctionNode, nextParamIndex: number, test: (cond: ts.Expression) => boolean): string | undefined {
  const cond = passesWhenNode(fn, nextParamIndex, test);
  return cond && snippet(cond, 40);
}

function passesWhenNode(fn: FunctionNode, nextParamIndex: number, test: (cond: ts.Expression) => boolean): ts.Expression | undefined {
  const nextParam = fn.parameters[nextParamIndex];
  if (!nextParam || !ts.isIdentifier(nextParam.name) || !fn.body) return undefined;
  const next = nextParam.name.text;
  let found: ts.Expression | undefined;
  const visit = (n: ts.Node): void => {
    // Callbacks handed to a call run for this request (`UserModel.findOne(q, ep.done(function (user) { if (!user)
    // return next() ... }))`); functions declared for later do not.
    if (found || (n !== fn.body && isFunctionNode(n) && !(ts.isCallExpression(n.parent) && n.parent.arguments.includes(n as ts.Expression)))) return;
    if (ts.isIfStatement(n) && test(n.expression) && continuesBare(n.thenStatement, next) && !findRefusal(n.thenStatement)) {
      found = n.expression;
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(fn.body);
  return found;
}

/** `!token`, `!header?.startsWith('Bearer ')`, `token == null`, `token === undefined`, `!a || !b`. */
export function testsAbsence(cond: ts.Expression): boolean {
  const e = unwrap(cond);
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) return true;
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    if (op === ts.SyntaxKind.BarBarToken) return testsAbsence(e.left) || testsAbsence(e.right);
    const nullish = (x: ts.Node) => x.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(x) && x.text === 'undefined');
    if (op === ts.SyntaxKind.EqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsEqualsToken) return nullish(unwrap(e.left)) || nullish(unwrap(e.right));
  }
  return false;
}

/** The branch calls `next()` with no argument (an error argument would end the request instead). */
function continuesBare(branch: ts.Node, next: string): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found || isFunctionNode(n)) return;
    if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === next && n.arguments.length === 0) found = true;
    else ts.forEachChild(n, visit);
  };
  visit(branch);
  return found;
}

/** Where a request carries its caller: `req.user`, `request.auth`, `c.set('session', ...)`. */
const PRINCIPAL_SLOT = /^(user|auth|session|principal|currentUser|account|identity|viewer)$/;

/**
 * `req.auth = session ?? emptyAuth()` in middleware that never refuses: it attaches whoever the credentials name, or
 * nobody, and lets every request through. That is optional authentication on purpose, not a forgotten check.
 * Read in `fn` and, one call deep, in the project functions it hands its request to (`await sessionAuth(req, res)`).
 */
export function attachesPrincipal(fn: FunctionNode, resolver: Resolver, depth = 0): string | undefined {
  const request = fn.parameters[0];
  if (!request || !ts.isIdentifier(request.name) || !fn.body) return undefined;
  const name = request.name.text;
  let found: string | undefined;
  const visit = (n: ts.Node): void => {
    if (found || (n !== fn.body && isFunctionNode(n))) return;
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(n.left)) {
      const target = unwrap(n.left.expression);
      if (ts.isIdentifier(target) && target.text === name && PRINCIPAL_SLOT.test(n.left.name.text)) found = snippet(n, 50);
    }
    // Hono: c.set('user', user)
    if (!found && ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'set') {
      const target = unwrap(n.expression.expression);
      const key = n.arguments[0] && unwrap(n.arguments[0]);
      if (ts.isIdentifier(target) && target.text === name && key && ts.isStringLiteralLike(key) && PRINCIPAL_SLOT.test(key.text)) found = snippet(n, 50);
    }
    if (!found && depth < 1 && ts.isCallExpression(n) && n.arguments.some((a) => ts.isIdentifier(unwrap(a)) && (unwrap(a) as ts.Identifier).text === name)) {
      const inner = resolver.functionOf(n.expression);
      if (inner && inner !== fn) found = attachesPrincipal(inner, resolver, depth + 1);
    }
    if (!found) ts.forEachChild(n, visit);
  };
  visit(fn.body);
  return found;
}

/** How the verdict of middleware that only attaches the caller begins; route claims weigh it apart from other optional authentication. */
export const ATTACHES_CALLER = 'attaches the caller when the request names one';

/** The verdict of middleware that never refuses: optional authentication when it attaches the caller. */
export function neverRefuses(fn: FunctionNode, resolver: Resolver): { verdict: 'none'; why: string } {
  const attached = attachesPrincipal(fn, resolver);
  return { verdict: 'none', why: attached ? `${ATTACHES_CALLER} (\`${attached}\`) and never refuses: optional authentication` : 'never refuses a request' };
}
