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
};
const PRINCIPAL_PROPS = new Set(['user', 'session', 'auth', 'principal', 'currentUser']);

/**
 * Fastify handlers receive `(request, reply)`: the client controls `request.body/query/params/headers`
 * (and cookies with @fastify/cookie); `request.user` (set by @fastify/jwt's jwtVerify or a guard hook),
 * `request.session`, and request properties the project decorates and sets in its guards are the principal.
 * `principals` are extra principal expressions from config, written with `req` (`req.account`).
 */
export function fastifyRequestSpec(fn: FunctionNode, principals: string[], decoratedRequestProps: Set<string>): RequestSpec {
  const [reqParam] = fn.parameters;
  const reqName = reqParam && ts.isIdentifier(reqParam.name) ? reqParam.name.text : undefined;
  const isReq = (node: ts.Node): boolean => !!reqParam && ts.isIdentifier(node) && findDeclaration(node.text, node) === reqParam;
  const configured = principals.map((p) => p.replace(/\s+/g, ''));
  const principalProp = (prop: string) => PRINCIPAL_PROPS.has(prop) || (decoratedRequestProps.has(prop) && !REQUEST_PARTS[prop]);

  const classify = (raw: ts.Node): SourceKind | undefined => {
    const node = unwrap(raw);
    if (configured.length && ts.isPropertyAccessExpression(node) && reqName) {
      const text = node.getText().replace(/\s+/g, '').replace(/!/g, '').replace(/\?\./g, '.');
      const [head, ...rest] = text.split('.');
      if (head === reqName && configured.includes(['req', ...rest].join('.'))) return { kind: 'principal' };
    }
    if (ts.isPropertyAccessExpression(node)) {
      const base = unwrap(node.expression);
      const prop = node.name.text;
      if (isReq(base)) {
        if (REQUEST_PARTS[prop]) return { kind: 'request', part: REQUEST_PARTS[prop] };
        if (principalProp(prop)) return { kind: 'principal' };
        return undefined;
      }
    }
    // ({ body, params, user }, reply) => ...
    if (ts.isIdentifier(node) && reqParam && !ts.isIdentifier(reqParam.name)) {
      const decl = findDeclaration(node.text, node);
      if (decl && ts.isBindingElement(decl) && decl.parent === reqParam.name) {
        const key = (decl.propertyName ?? decl.name).getText();
        if (REQUEST_PARTS[key]) return { kind: 'request', part: REQUEST_PARTS[key] };
        if (principalProp(key)) return { kind: 'principal' };
      }
    }
    return undefined;
  };

  return {
    framework: 'fastify',
    classify,
    principalIdText(at) {
      if (!reqName) return undefined;
      // The generated FastifyRequest augmentation types user as `AuthUser | null` (decorateRequest('user', null)).
      const isTs = /\.(c|m)?tsx?$/.test(at.getSourceFile().fileName);
      return isTs ? `${reqName}.user!.id` : `${reqName}.user.id`;
    },
  };
}
