import { ts } from 'ts-morph';
import type { RequestSpec, SourceKind } from '../../analysis/request-spec.js';
import type { RequestPart } from '../../model/facts.js';
import type { FunctionNode } from '../../syntax/functions.js';
import { findDeclaration } from '../../syntax/scope.js';
import { unwrap } from '../../syntax/resolve.js';

const REQUEST_PARTS: Record<string, RequestPart> = {
  body: 'body',
  query: 'query',
  params: 'params',
  headers: 'headers',
  cookies: 'cookies',
  signedCookies: 'cookies',
};
const PRINCIPAL_PROPS = new Set(['user', 'auth']);
const LOCALS_PRINCIPAL = new Set(['user', 'auth', 'session', 'principal', 'currentUser', 'account']);

/**
 * Express handlers receive `(req, res, next)`: the client controls `req.body/query/params/headers/cookies`,
 * while `req.user` / `req.auth` / `res.locals.user` are set by the authentication middleware.
 * `principals` are extra principal expressions from config, written with `req`/`res` (`req.currentUser`).
 */
export function expressRequestSpec(fn: FunctionNode, principals: string[]): RequestSpec {
  const [reqParam, resParam] = fn.parameters;
  const isParam = (node: ts.Node, param: ts.ParameterDeclaration | undefined): boolean => {
    if (!param || !ts.isIdentifier(node)) return false;
    return findDeclaration(node.text, node) === param;
  };
  const reqName = reqParam && ts.isIdentifier(reqParam.name) ? reqParam.name.text : undefined;
  const resName = resParam && ts.isIdentifier(resParam.name) ? resParam.name.text : undefined;
  const configured = principals.map((p) => p.replace(/\s+/g, ''));

  const classify = (raw: ts.Node): SourceKind | undefined => {
    const node = unwrap(raw);
    if (configured.length && (ts.isPropertyAccessExpression(node) || ts.isCallExpression(node))) {
      const text = normalise(node, reqName, resName);
      if (text && configured.includes(text)) return { kind: 'principal' };
    }
    if (ts.isPropertyAccessExpression(node)) {
      const base = unwrap(node.expression);
      const prop = node.name.text;
      if (isParam(base, reqParam)) {
        if (REQUEST_PARTS[prop]) return { kind: 'request', part: REQUEST_PARTS[prop] };
        if (PRINCIPAL_PROPS.has(prop)) return { kind: 'principal' };
        return undefined;
      }
      // req.session.user / req.session.userId: set by the server, not the client.
      if (ts.isPropertyAccessExpression(base) && base.name.text === 'session' && isParam(unwrap(base.expression), reqParam)) {
        return /^user/.test(prop) ? { kind: 'principal' } : undefined;
      }
      if (ts.isPropertyAccessExpression(base) && base.name.text === 'locals' && isParam(unwrap(base.expression), resParam)) {
        return LOCALS_PRINCIPAL.has(prop) ? { kind: 'principal' } : undefined;
      }
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const { expression: base, name } = node.expression;
      if (isParam(unwrap(base), reqParam) && (name.text === 'get' || name.text === 'header')) return { kind: 'request', part: 'headers' };
    }
    // ({ body, params }, res) => ...: a destructured request parameter.
    if (ts.isIdentifier(node) && reqParam && !ts.isIdentifier(reqParam.name)) {
      const decl = findDeclaration(node.text, node);
      if (decl && ts.isBindingElement(decl) && decl.parent === reqParam.name) {
        const key = (decl.propertyName ?? decl.name).getText();
        if (REQUEST_PARTS[key]) return { kind: 'request', part: REQUEST_PARTS[key] };
        if (PRINCIPAL_PROPS.has(key)) return { kind: 'principal' };
      }
    }
    return undefined;
  };

  return {
    framework: 'express',
    classify,
    principalIdText(at) {
      if (!reqName) return undefined;
      const isTs = /\.(c|m)?tsx?$/.test(at.getSourceFile().fileName);
      return isTs ? `${reqName}.user!.id` : `${reqName}.user.id`;
    },
  };
}

/** `request.currentUser` with the handler's own parameter names replaced by `req`/`res`, for config matching. */
function normalise(node: ts.Node, reqName: string | undefined, resName: string | undefined): string | undefined {
  const text = node.getText().replace(/\s+/g, '').replace(/!/g, '').replace(/\?\./g, '.');
  const [head, ...rest] = text.split('.');
  if (head === reqName) return ['req', ...rest].join('.');
  if (head === resName) return ['res', ...rest].join('.');
  return undefined;
}
