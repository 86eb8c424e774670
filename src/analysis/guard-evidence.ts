import { ts } from 'ts-morph';
import type { FunctionNode } from '../syntax/functions.js';
import { snippet } from '../syntax/loc.js';
import { unwrap, unwrapAwait, type Resolver } from '../syntax/resolve.js';
import { findDeclaration } from '../syntax/scope.js';
import { withInitializers } from './refusal-sites.js';

/**
 * Evidence that code refuses a request as unauthenticated or forbidden: a 401/403 response, an
 * Unauthorized/Forbidden exception, an error carrying such a status. Framework-neutral on purpose:
 * the same shapes appear in Express, Fastify, Hono and Nest code.
 */

const REFUSAL_STATUS = new Set([401, 403]);
const REFUSAL_NAMES = /^(UNAUTHORIZED|UNAUTHORISED|FORBIDDEN|Unauthorized|Unauthorised|Forbidden)$/;
const REFUSAL_CLASS = /(Unauthori[sz]ed|Forbidden|Unauthenticated|AuthenticationError|AuthError|NotAuthenticated|PermissionDenied|AccessDenied|NotAuthori[sz]ed|NotLoggedIn|NotSignedIn|NeedsLogin|NeedLogin|LoginRequired|SignInRequired|AuthenticationRequired|AuthRequired)/;
export const LOGIN_PATH = /(^|\/)(login|signin|sign-in|log-in|auth)(\b|\/|\?|$)/i;
const STATUS_SETTERS = new Set(['status', 'sendStatus', 'code', 'writeHead', 'unauthorized', 'forbidden']);

/** Whether an expression denotes the status 401 or 403 (`401`, `httpStatus.UNAUTHORIZED`, `HttpStatus.FORBIDDEN`). */
export function isRefusalStatus(node: ts.Node): boolean {
  const e = unwrap(node);
  if (ts.isNumericLiteral(e)) return REFUSAL_STATUS.has(Number(e.text));
  if (ts.isStringLiteralLike(e)) return REFUSAL_STATUS.has(Number(e.text)) || REFUSAL_NAMES.test(e.text);
  if (ts.isPropertyAccessExpression(e)) return REFUSAL_NAMES.test(e.name.text);
  if (ts.isIdentifier(e)) return REFUSAL_NAMES.test(e.text);
  return false;
}

/** One refusal site: the node and a few words saying what it is. */
export interface Refusal {
  node: ts.Node;
  evidence: string;
}

/** The first node under `root` (nested callbacks included) that refuses with 401/403. */
export function findRefusal(root: ts.Node): Refusal | undefined {
  let found: Refusal | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    const evidence = refusalAt(n);
    if (evidence) {
      found = { node: n, evidence };
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(root);
  return found;
}

/** Whether this node itself refuses (not its children). */
export function refusalAt(n: ts.Node): string | undefined {
  if (ts.isCallExpression(n)) {
    const callee = n.expression;
    const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
    // res.status(401), reply.code(403), res.sendStatus(401), res.writeHead(401), reply.unauthorized()
    if (name && STATUS_SETTERS.has(name)) {
      if (name === 'unauthorized' || name === 'forbidden') return `calls ${name}()`;
      if (n.arguments[0] && isRefusalStatus(n.arguments[0])) return `responds ${n.arguments[0].getText()}`;
    }
    // c.json({...}, 401), c.text('no', 403)
    if (name && /^(json|text|body|html|newResponse|send)$/.test(name) && n.arguments.slice(1).some(isRefusalStatus)) {
      return `responds ${n.arguments.slice(1).find(isRefusalStatus)!.getText()}`;
    }
    // Pages refuse by sending the browser to the login page: res.redirect('/login').
    // Also a template that starts with the login path: c.redirect(`/login?next=${encodeURIComponent(url)}`).
    const target = n.arguments.find((a) => LOGIN_PATH.test(ts.isStringLiteralLike(a) ? a.text : ts.isTemplateExpression(a) ? a.head.text : ''));
    if (name === 'redirect' && target) return `redirects to ${snippet(target, 40)}`;
    // createError(401), httpError(403)
    // createError(401), httpError(403), a project's quickError(401, 'no_jwt', ...) or sendError(res, 403)
    if (name && /error/i.test(name) && n.arguments.some(isRefusalStatus)) {
      return `creates a ${n.arguments.find(isRefusalStatus)!.getText()} error`;
    }
  }
  if (ts.isNewExpression(n)) {
    const cls = n.expression.getText();
    if (REFUSAL_CLASS.test(cls)) return `new ${cls}`;
    if ((n.arguments ?? []).some(isRefusalStatus)) return `new ${cls} with ${n.arguments!.find(isRefusalStatus)!.getText()}`;
    // new ApiError({ code: 'UNAUTHORIZED', message }): an error class of the project carrying the status.
    if (ts.isThrowStatement(n.parent) && (n.arguments ?? []).some(hasStatusProperty)) return `throws ${cls} with a 401/403 code`;
    // const error = new AppError({ status: 401, ... }); next(error): handed to the error handler.
    if ((n.arguments ?? []).some(hasStatusProperty) && handedToNext(n)) return `passes ${cls} with a 401/403 status to next()`;
    if (/Response$/.test(cls) && n.arguments?.[1] && hasStatusProperty(n.arguments[1])) return 'returns a 401/403 Response';
  }
  if (ts.isThrowStatement(n) && n.expression && ts.isCallExpression(n.expression)) {
    const cls = n.expression.expression.getText();
    if (REFUSAL_CLASS.test(cls)) return `throws ${cls}`;
  }
  if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    const left = n.left;
    if (ts.isPropertyAccessExpression(left) && left.name.text === 'statusCode' && isRefusalStatus(n.right)) {
      return `sets statusCode ${n.right.getText()}`;
    }
  }
  if (ts.isThrowStatement(n) && n.expression && hasStatusProperty(n.expression)) return 'throws an error with status 401/403';
  return undefined;
}

/** Names a condition must mention to be about a credential (a token, a key, a session), not about input. */
const CREDENTIAL = /auth|token|jwt|bearer|session|cookie|credential|api[-_]?key|secret|signature/i;

/**
 * `if (!token) return res.status(400).json(...)` where `token` is a credential: a refusal with any 4xx status
 * counts when what is missing is the credential (validation of other input never does).
 */
export function findCredentialRefusal(root: ts.Node): Refusal | undefined {
  let found: Refusal | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isIfStatement(n) && isAbsenceTest(n.expression) && CREDENTIAL.test(n.expression.getText()) && fromHeaders(n.expression)) {
      const status = clientErrorIn(n.thenStatement);
      if (status) {
        found = { node: n, evidence: `responds ${status} when \`${n.expression.getText().slice(0, 40)}\`` };
        return;
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(root);
  return found;
}

/**
 * The tested value is read from the request's headers or cookies (`const token = req.header('x-api-key')`), where
 * credentials travel; a token in the body or query is input that validation checks for presence.
 */
function fromHeaders(cond: ts.Expression): boolean {
  return /header|cookie|authorization/i.test(withInitializers(cond));
}

function isAbsenceTest(cond: ts.Expression): boolean {
  const e = unwrap(cond);
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) return true;
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.BarBarToken) return isAbsenceTest(e.left) || isAbsenceTest(e.right);
  return false;
}

/** A 4xx answer in a branch: `res.status(400)`, `reply.code(422)`, `res.sendStatus(400)`, `c.json(x, 400)`. */
function clientErrorIn(branch: ts.Node): string | undefined {
  let found: string | undefined;
  const is4xx = (a: ts.Node | undefined) => !!a && ts.isNumericLiteral(unwrap(a)) && /^4\d\d$/.test((unwrap(a) as ts.NumericLiteral).text);
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(n)) {
      const name = ts.isPropertyAccessExpression(n.expression) ? n.expression.name.text : undefined;
      if (name && STATUS_SETTERS.has(name) && is4xx(n.arguments[0])) found = n.arguments[0]!.getText();
      else if (name && /^(json|text|send)$/.test(name) && is4xx(n.arguments[1])) found = n.arguments[1]!.getText();
    }
    ts.forEachChild(n, visit);
  };
  visit(branch);
  return found;
}

/**
 * `const auth = await authenticateUser(req, res); if (!auth.success) return res.status(auth.status).json(...)`: the
 * status comes from a project helper, which answers `{ success: false, status: 401 }` on some path.
 */
export function findHelperStatusRefusal(root: ts.Node, resolver: Resolver): Refusal | undefined {
  let found: Refusal | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && STATUS_SETTERS.has(n.expression.name.text) && n.arguments[0]) {
      const arg = unwrap(n.arguments[0]);
      const holder = ts.isPropertyAccessExpression(arg) && /^(status|statusCode|code)$/.test(arg.name.text) ? unwrap(arg.expression) : undefined;
      const decl = holder && ts.isIdentifier(holder) ? findDeclaration(holder.text, holder) : undefined;
      const init = decl && ts.isVariableDeclaration(decl) && decl.initializer ? unwrapAwait(decl.initializer) : undefined;
      const helper = init && ts.isCallExpression(init) ? resolver.functionOf(init.expression) : undefined;
      if (helper && answersRefusal(helper, resolver)) {
        found = { node: n, evidence: `responds ${arg.getText()}, which ${snippet((init as ts.CallExpression).expression, 30)}() sets to 401/403` };
        return;
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(root);
  return found;
}

/**
 * Whether the helper returns `{ status: 401 }` somewhere: in its body, or in a function it calls or hands on
 * (`return withAuth(supaAuthenticateUser, ...)(req, res)`), one level down.
 */
function answersRefusal(helper: FunctionNode, resolver: Resolver): boolean {
  if (!helper.body) return false;
  if (containsNode(helper.body, hasStatusProperty)) return true;
  const named: FunctionNode[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n)) {
      for (const e of [n.expression, ...n.arguments]) {
        const f = ts.isIdentifier(e) || ts.isPropertyAccessExpression(e) ? resolver.functionOf(e) : undefined;
        if (f && f !== helper && !named.includes(f)) named.push(f);
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(helper.body);
  return named.some((f) => !!f.body && containsNode(f.body, hasStatusProperty));
}

function containsNode(root: ts.Node, test: (n: ts.Node) => boolean): boolean {
  let hit = false;
  const visit = (n: ts.Node): void => {
    if (hit) return;
    if (test(n)) hit = true;
    else ts.forEachChild(n, visit);
  };
  visit(root);
  return hit;
}

/** `next(new E(...))`, or `const e = new E(...)` then `next(e)` or `throw e` in the same block. */
function handedToNext(created: ts.NewExpression): boolean {
  const isNext = (call: ts.Node) => ts.isCallExpression(call) && ts.isIdentifier(call.expression) && /^(next|done|cb|callback)$/.test(call.expression.text);
  if (isNext(created.parent)) return true;
  const decl = created.parent;
  if (!ts.isVariableDeclaration(decl) || !ts.isIdentifier(decl.name)) return false;
  const name = decl.name.text;
  const block = decl.parent?.parent?.parent;
  if (!block || !ts.isBlock(block)) return false;
  return block.statements.some((st) => {
    const e = ts.isExpressionStatement(st) ? st.expression : ts.isReturnStatement(st) ? st.expression : ts.isThrowStatement(st) ? st.expression : undefined;
    const u = e && unwrap(e);
    if (ts.isThrowStatement(st) && u && ts.isIdentifier(u)) return u.text === name;
    return !!u && isNext(u) && (u as ts.CallExpression).arguments.some((a) => ts.isIdentifier(a) && a.text === name);
  });
}

function hasStatusProperty(node: ts.Node): boolean {
  const e = unwrap(node);
  if (!ts.isObjectLiteralExpression(e)) return false;
  return e.properties.some(
    (p) => ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && /^(status|statusCode|code)$/.test(p.name.text) && isRefusalStatus(p.initializer),
  );
}

/** Whether `fn` passes control on: calls its `next`-like parameter with no arguments, or hands it to another call. */
export function continuesWith(fn: FunctionNode, nextParamIndex: number): string | undefined {
  const param = fn.parameters[nextParamIndex];
  if (!param || !ts.isIdentifier(param.name)) return undefined;
  const next = param.name.text;
  let found: string | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(n)) {
      if (ts.isIdentifier(n.expression) && n.expression.text === next && n.arguments.length === 0) {
        found = `calls ${next}()`;
        return;
      }
      if (n.arguments.some((a) => ts.isIdentifier(a) && a.text === next)) {
        found = `passes ${next} on`;
        return;
      }
    }
    ts.forEachChild(n, visit);
  };
  if (fn.body) visit(fn.body);
  return found;
}

/** Every call in `fn`'s body, nested callbacks included: they run as part of a guard (jwt.verify(token, key, (err) => ...)). */
export function callsIn(fn: FunctionNode): ts.CallExpression[] {
  const calls: ts.CallExpression[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n)) calls.push(n);
    ts.forEachChild(n, visit);
  };
  if (fn.body) visit(fn.body);
  return calls;
}
