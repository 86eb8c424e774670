import { ts } from 'ts-morph';
import type { RequestSpec, SourceKind } from '../../analysis/request-spec.js';
import type { RequestPart } from '../../model/facts.js';
import type { FunctionNode } from '../../syntax/functions.js';
import { findDeclaration } from '../../syntax/scope.js';
import { unwrap } from '../../syntax/resolve.js';

/** `c.req.<method>()` → the part of the request it reads. */
const REQ_METHODS: Record<string, RequestPart> = {
  json: 'body',
  parseBody: 'body',
  formData: 'body',
  text: 'body',
  arrayBuffer: 'body',
  blob: 'body',
  param: 'params',
  query: 'query',
  queries: 'query',
  header: 'headers',
};
/** `c.req.valid(target)` → the part the validator checked (validation keeps the client's values). */
const VALID_TARGETS: Record<string, RequestPart> = {
  json: 'body',
  form: 'body',
  query: 'query',
  param: 'params',
  header: 'headers',
  cookie: 'cookies',
};
/** Variables authentication middleware set: `c.set('user', ...)`, hono/jwt's `jwtPayload`. */
const PRINCIPAL_VARIABLES = new Set(['user', 'session', 'jwtPayload', 'auth', 'principal', 'currentUser', 'account', 'claims', 'identity']);

/**
 * Hono handlers receive one context `c`: the client controls `c.req.json()`, `c.req.param()`,
 * `c.req.query()`, `c.req.header()`, `c.req.valid(...)` and cookies (`getCookie(c, name)`), while
 * `c.get('user')`, `c.get('session')`, `c.get('jwtPayload')` and `c.var.user` hold what authentication
 * middleware set. `principals` are extra principal expressions from config, written with `c`.
 */
export function honoRequestSpec(fn: FunctionNode, principals: string[], nullableUser = false): RequestSpec {
  const ctxParam = fn.parameters[0];
  const ctxName = ctxParam && ts.isIdentifier(ctxParam.name) ? ctxParam.name.text : undefined;
  const isCtx = (node: ts.Node): boolean => {
    const n = unwrap(node);
    return !!ctxParam && ts.isIdentifier(n) && findDeclaration(n.text, n) === ctxParam;
  };
  /** `c.req` (a destructured `const { req } = c` is not followed: rare in Hono code). */
  const isReq = (node: ts.Node): boolean => {
    const n = unwrap(node);
    return ts.isPropertyAccessExpression(n) && n.name.text === 'req' && isCtx(n.expression);
  };
  const configured = principals.map((p) => p.replace(/\s+/g, ''));

  const classify = (raw: ts.Node): SourceKind | undefined => {
    const node = unwrap(raw);
    if (configured.length && ctxName && (ts.isPropertyAccessExpression(node) || ts.isCallExpression(node))) {
      const text = node.getText().replace(/\s+/g, '').replace(/!/g, '').replace(/\?\./g, '.');
      const [head, ...rest] = text.split('.');
      if (head === ctxName && configured.includes(['c', ...rest].join('.'))) return { kind: 'principal' };
    }
    if (ts.isCallExpression(node)) {
      const callee = unwrap(node.expression);
      if (ts.isPropertyAccessExpression(callee)) {
        const method = callee.name.text;
        if (isReq(callee.expression)) {
          if (method === 'valid') {
            const target = node.arguments[0];
            const part = target && ts.isStringLiteralLike(target) ? VALID_TARGETS[target.text] : undefined;
            return { kind: 'request', part: part ?? 'request' };
          }
          if (REQ_METHODS[method]) return { kind: 'request', part: REQ_METHODS[method] };
          return undefined;
        }
        // c.get('user'), c.get('jwtPayload')
        if (method === 'get' && isCtx(callee.expression)) {
          const key = node.arguments[0];
          if (key && ts.isStringLiteralLike(key) && PRINCIPAL_VARIABLES.has(key.text)) return { kind: 'principal' };
          return undefined;
        }
      }
      // getCookie(c, 'session'), getSignedCookie(c, secret, 'x') from hono/cookie
      if (ts.isIdentifier(callee) && /^get(Signed)?Cookie$/.test(callee.text) && node.arguments[0] && isCtx(node.arguments[0])) {
        return { kind: 'request', part: 'cookies' };
      }
    }
    if (ts.isPropertyAccessExpression(node)) {
      const base = unwrap(node.expression);
      // c.var.user
      if (ts.isPropertyAccessExpression(base) && base.name.text === 'var' && isCtx(base.expression)) {
        return PRINCIPAL_VARIABLES.has(node.name.text) ? { kind: 'principal' } : undefined;
      }
      // c.req.raw is the whole client request
      if (node.name.text === 'raw' && isReq(base)) return { kind: 'request', part: 'request' };
    }
    return undefined;
  };

  return {
    framework: 'hono',
    classify,
    principalIdText(at) {
      if (!ctxName) return undefined;
      // Where the app types user as nullable (Variables: { user: User | null }), TypeScript needs the `!`:
      // the route is guarded, so the user is set when the handler runs.
      const ts = /\.(c|m)?tsx?$/.test(at.getSourceFile().fileName);
      return nullableUser && ts ? `${ctxName}.get('user')!.id` : `${ctxName}.get('user').id`;
    },
  };
}

/**
 * Whether the project types the `user` variable as possibly missing: `Variables: { user: User | null }`,
 * `user?: User`, or `| undefined`, in a Hono Env type anywhere in the project.
 */
export function declaresNullableUser(files: Iterable<ts.SourceFile>): boolean {
  const nullable = (t: ts.TypeNode | undefined): boolean =>
    !!t && ts.isUnionTypeNode(t) && t.types.some((x) => (ts.isLiteralTypeNode(x) && x.literal.kind === ts.SyntaxKind.NullKeyword) || x.kind === ts.SyntaxKind.UndefinedKeyword);
  for (const sf of files) {
    if (!sf.text.includes('Variables')) continue;
    let found = false;
    const visit = (n: ts.Node): void => {
      if (found) return;
      // Variables: { user: User | null } — in a type literal, an interface or a type alias named Variables.
      const holder = (ts.isPropertySignature(n) && n.name.getText() === 'Variables' && n.type) ? n.type
        : (ts.isTypeAliasDeclaration(n) && n.name.text === 'Variables') ? n.type : undefined;
      const members = holder && ts.isTypeLiteralNode(holder) ? holder.members : ts.isInterfaceDeclaration(n) && n.name.text === 'Variables' ? n.members : undefined;
      for (const m of members ?? []) {
        if (ts.isPropertySignature(m) && m.name.getText() === 'user' && (m.questionToken || nullable(m.type))) found = true;
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
    if (found) return true;
  }
  return false;
}
