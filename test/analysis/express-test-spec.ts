// A small Express RequestSpec for unit tests, independent of the adapter in src/frameworks/express:
// `req.body|query|params|headers|cookies` and `req.get()/req.header()` are request; `req.user`,
// `req.auth` and `res.locals.user` are the principal; fixes read `req.user!.id` (TS) or `req.user.id` (JS).
import { ts } from 'ts-morph';
import type { RequestSpec, SourceKind } from '../../src/analysis/request-spec.js';
import type { RequestPart } from '../../src/model/facts.js';
import type { FunctionNode } from '../../src/syntax/functions.js';
import { unwrap } from '../../src/syntax/resolve.js';
import { findDeclaration } from '../../src/syntax/scope.js';

const PARTS: Record<string, RequestPart> = { body: 'body', query: 'query', params: 'params', headers: 'headers', cookies: 'cookies' };

export function testExpressSpec(handler: FunctionNode): RequestSpec {
  const [req, res] = handler.parameters;
  const is = (node: ts.Node, param: ts.ParameterDeclaration | undefined) => {
    const n = unwrap(node);
    return !!param && ts.isIdentifier(n) && findDeclaration(n.text, n) === param;
  };
  const classify = (raw: ts.Node): SourceKind | undefined => {
    const node = unwrap(raw);
    if (ts.isPropertyAccessExpression(node)) {
      const prop = node.name.text;
      if (is(node.expression, req)) {
        if (PARTS[prop]) return { kind: 'request', part: PARTS[prop] };
        if (prop === 'user' || prop === 'auth') return { kind: 'principal' };
      }
      const base = unwrap(node.expression);
      if (prop === 'user' && ts.isPropertyAccessExpression(base) && base.name.text === 'locals' && is(base.expression, res)) return { kind: 'principal' };
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && is(node.expression.expression, req)) {
      if (node.expression.name.text === 'get' || node.expression.name.text === 'header') return { kind: 'request', part: 'headers' };
    }
    // ({ body }, res) => ...
    if (ts.isBindingElement(node) && req && node.parent === req.name) {
      const key = (node.propertyName ?? node.name).getText();
      if (PARTS[key]) return { kind: 'request', part: PARTS[key] };
      if (key === 'user') return { kind: 'principal' };
    }
    return undefined;
  };
  return {
    framework: 'express',
    classify,
    principalIdText(at) {
      if (!req || !ts.isIdentifier(req.name)) return undefined;
      const isTs = /\.[cm]?tsx?$/.test(at.getSourceFile().fileName);
      return `${req.name.text}.user${isTs ? '!' : ''}.id`;
    },
  };
}
