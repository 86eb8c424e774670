import { ts } from 'ts-morph';
import { unwrap } from '../syntax/resolve.js';
import { LOGIN_PATH } from './guard-evidence.js';

/** Which statuses count as refusing: any client error for ownership checks, 401/403 for authentication. */
export type RefusalKind = 'client-error' | 'auth';

const STATUS_METHODS = new Set(['status', 'code', 'sendStatus', 'writeHead']);
/** Hono and friends: `c.json(body, 404)`, `c.text('no', 403)`. */
const BODY_WITH_STATUS_METHODS = new Set(['json', 'text', 'body', 'html', 'send', 'newResponse']);
const STATUS_NAMES: Record<string, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
};
const AUTH_ERROR = /401|403|unauthori[sz]ed|unauthenticated|forbidden|not.?authenticated|not.?logged/i;

function accepts(status: number, kind: RefusalKind): boolean {
  return kind === 'auth' ? status === 401 || status === 403 : status >= 400 && status < 500;
}

function statusOf(expr: ts.Expression | undefined): number | undefined {
  if (!expr) return undefined;
  const e = unwrap(expr);
  if (ts.isNumericLiteral(e)) return Number(e.text);
  if (ts.isPropertyAccessExpression(e)) return STATUS_NAMES[e.name.text];
  return undefined;
}

/** An expression that answers with a refusing status somewhere in its call chain: `res.status(404).json(...)`. */
export function isRefusingResponse(expr: ts.Node, kind: RefusalKind): boolean {
  let e: ts.Node = unwrap(expr);
  if (ts.isAwaitExpression(e)) e = unwrap(e.expression);
  while (ts.isCallExpression(e) || ts.isPropertyAccessExpression(e) || ts.isNewExpression(e)) {
    if (ts.isCallExpression(e) || ts.isNewExpression(e)) {
      const callee = unwrap(e.expression);
      const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
      const args: readonly ts.Expression[] = e.arguments ?? [];
      if (name && STATUS_METHODS.has(name) && accepts(statusOf(args[0]) ?? 0, kind)) return true;
      if (name && BODY_WITH_STATUS_METHODS.has(name) && accepts(statusOf(args[1]) ?? 0, kind)) return true;
      // Pages refuse by sending the browser to the login page: `return res.redirect('/login')`.
      if (name === 'redirect' && args.some((a) => LOGIN_PATH.test(ts.isStringLiteralLike(a) ? a.text : ts.isTemplateExpression(a) ? a.head.text : ''))) return true;
      // `next(err)` hands an error to the framework's error handler instead of continuing.
      if (name === 'next' && args.length === 1 && !(ts.isStringLiteralLike(args[0]) && args[0].text === 'route')) return kind === 'client-error' || AUTH_ERROR.test(args[0].getText());
      // `new Response(null, { status: 403 })`, `new HTTPException(401)`, `createError(404)`.
      if (ts.isNewExpression(e) || name === 'createError') {
        if (args.some((a) => accepts(statusOf(a) ?? 0, kind))) return true;
        for (const a of args) {
          if (!ts.isObjectLiteralExpression(a)) continue;
          for (const p of a.properties) {
            if (ts.isPropertyAssignment(p) && p.name.getText() === 'status' && accepts(statusOf(p.initializer) ?? 0, kind)) return true;
          }
        }
      }
      e = callee;
    } else e = unwrap(e.expression);
  }
  return false;
}

/**
 * Whether a branch refuses the request, with the statement that does it: a `throw`, or a `return` of
 * (or after) a refusing response. A branch that only logs, or responds and falls through, does not refuse.
 */
export function refusal(branch: ts.Statement | undefined, kind: RefusalKind): ts.Statement | undefined {
  if (!branch) return undefined;
  const statements = ts.isBlock(branch) ? [...branch.statements] : [branch];
  let responded: ts.Statement | undefined;
  for (const st of statements) {
    if (ts.isThrowStatement(st)) return kind === 'client-error' || AUTH_ERROR.test(st.expression.getText()) ? st : undefined;
    if (ts.isReturnStatement(st)) {
      if (st.expression && isRefusingResponse(st.expression, kind)) return st;
      return responded;
    }
    if (ts.isExpressionStatement(st) && isRefusingResponse(st.expression, kind)) responded = st;
  }
  return undefined;
}

/** `c.json(body, 501)`, `res.status(410).json(...)`, `reply.code(404).send()`: the error status a response names. */
export function errorStatusOf(e: ts.Expression): number | undefined {
  let n: ts.Node = e;
  while (ts.isAwaitExpression(n) || ts.isParenthesizedExpression(n)) n = n.expression;
  while (ts.isCallExpression(n)) {
    const callee = n.expression;
    if (!ts.isPropertyAccessExpression(callee)) return undefined;
    const name = callee.name.text;
    const status = /^(status|code|sendStatus)$/.test(name) ? n.arguments[0] : /^(json|text|body|html|newResponse)$/.test(name) ? n.arguments[1] : undefined;
    if (status && ts.isNumericLiteral(status) && Number(status.text) >= 400) return Number(status.text);
    n = callee.expression;
  }
  return undefined;
}
