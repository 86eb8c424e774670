import { ts } from 'ts-morph';
import { unwrap } from '../../syntax/resolve.js';

/** One call of a builder chain: `.where(cond)`. */
export interface Link {
  name: string;
  call: ts.CallExpression;
}

/** The calls of a chain in order and the expression it starts from: `knex('todos').where(...).first()` → root `knex('todos')`. */
export function chainOf(top: ts.CallExpression): { links: Link[]; root: ts.Expression } {
  const links: Link[] = [];
  let cur: ts.Expression = top;
  for (;;) {
    const c = unwrap(cur);
    if (!ts.isCallExpression(c) || !ts.isPropertyAccessExpression(c.expression)) return { links, root: c as ts.Expression };
    links.unshift({ name: c.expression.name.text, call: c });
    cur = c.expression.expression;
  }
}

/** Not a link inside a longer chain: the call whose value the code uses. */
export function isChainTop(call: ts.CallExpression): boolean {
  const p = call.parent;
  return !(ts.isPropertyAccessExpression(p) && p.expression === call && ts.isCallExpression(p.parent) && p.parent.expression === p);
}

export function stringValue(arg: ts.Expression | undefined): string | undefined {
  const e = arg && unwrap(arg);
  return e && ts.isStringLiteralLike(e) ? e.text : undefined;
}

/** The file's quote for a new string literal, copied from a literal nearby. */
export function quoteOf(near: ts.Node | undefined): string {
  return near && near.getText().startsWith('"') ? '"' : "'";
}
