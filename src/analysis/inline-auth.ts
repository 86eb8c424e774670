import { ts } from 'ts-morph';
import type { InlineAuth } from '../model/facts.js';
import type { FunctionNode } from '../syntax/functions.js';
import { locOf, snippet } from '../syntax/loc.js';
import { unwrap } from '../syntax/resolve.js';
import { refusal } from './branch-refusal.js';
import type { Provenance } from './provenance.js';

/**
 * `if (!req.user) return res.status(401)...` among the handler's leading statements (before `stopAt`,
 * the first statement that touches the database): the handler authenticates by itself.
 */
export function findInlineAuth(fn: FunctionNode, prov: Provenance, root: string, stopAt: (st: ts.Statement) => boolean): InlineAuth | undefined {
  if (!fn.body || !ts.isBlock(fn.body)) return undefined;
  for (const st of leadingStatements(fn.body)) {
    if (ts.isIfStatement(st) && refusesWithoutPrincipal(st.expression, prov)) {
      const refused = refusal(st.thenStatement, 'auth');
      if (refused) return { evidence: `if (${snippet(st.expression, 40)}) ${snippet(refused, 50)}`, loc: locOf(st, root) };
    }
    if (stopAt(st)) return undefined;
  }
  return undefined;
}

/** The body's statements, looking into a leading `try { ... }` whose block holds the real work. */
function leadingStatements(body: ts.Block): ts.Statement[] {
  const out: ts.Statement[] = [];
  for (const st of body.statements) {
    if (ts.isTryStatement(st)) out.push(...st.tryBlock.statements);
    else out.push(st);
  }
  return out;
}

/** `!user`, `!req.user?.id`, `user == null`, `!user || ...`: true when the principal is absent. */
function refusesWithoutPrincipal(cond: ts.Expression, prov: Provenance): boolean {
  const e = unwrap(cond);
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) return prov.origin(e.operand).kind === 'principal';
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    if (op === ts.SyntaxKind.BarBarToken) return refusesWithoutPrincipal(e.left, prov) || refusesWithoutPrincipal(e.right, prov);
    if (op === ts.SyntaxKind.EqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsEqualsToken) {
      const nullish = (n: ts.Node) => n.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(n) && n.text === 'undefined');
      return (nullish(unwrap(e.right)) && prov.origin(e.left).kind === 'principal') || (nullish(unwrap(e.left)) && prov.origin(e.right).kind === 'principal');
    }
  }
  return false;
}
