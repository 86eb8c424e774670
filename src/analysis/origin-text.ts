import { ts } from 'ts-morph';
import type { Origin } from './provenance.js';

/** Source-like text for where a value comes from: `req.params.id`, `req.headers['x-user-id']`. */
export function originText(o: Origin): string | undefined {
  if (o.kind === 'none') return undefined;
  let text = (o.kind === 'request' && o.text) || o.node.getText().replace(/\s+/g, ' ');
  let path = o.path;
  // `req.get('x-user-id')` already names its key.
  if (ts.isCallExpression(o.node) && path.length && ts.isStringLiteralLike(o.node.arguments[0] ?? o.node) && path[0] === (o.node.arguments[0] as ts.StringLiteral).text) path = path.slice(1);
  for (const key of path) text += /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `['${key}']`;
  return text;
}

/** The request read itself, without the field: `req.body`, `req.get('x-user-id')`. */
export function sourceText(o: Origin): string | undefined {
  if (o.kind === 'none') return undefined;
  return (o.kind === 'request' && o.text) || o.node.getText().replace(/\s+/g, ' ');
}
