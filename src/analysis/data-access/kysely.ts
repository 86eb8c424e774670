import { ts } from 'ts-morph';
import { insertAt } from '../fixes/edits.js';
import type { FixOutcome } from '../fixes/scope-fix.js';
import { builderQueries, hasOpaqueCondition, selectsOne } from './builder-filter.js';
import { chainOf, isChainTop, quoteOf, stringValue } from './chain-links.js';
import type { DbCall, MatchContext } from './db-call.js';

const ROOTS: Record<string, DbCall['kind']> = { selectFrom: 'list', updateTable: 'update', deleteFrom: 'delete', insertInto: 'create' };
const RUNS = new Set(['execute', 'executeTakeFirst', 'executeTakeFirstOrThrow', 'stream']);

/**
 * Kysely: `db.selectFrom('todos').where('id', '=', id).selectAll().executeTakeFirst()`, `db.updateTable('todos')
 * .set(v).where(...).execute()`, `db.deleteFrom('todos')...`, `db.insertInto('todos').values(v)`, recognised on
 * the call that runs the query, for a table the project's migrations declare.
 */
export function matchKysely(call: ts.CallExpression, ctx: MatchContext): DbCall | undefined {
  if (!isChainTop(call)) return undefined;
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee) || !RUNS.has(callee.name.text)) return undefined;
  const { links } = chainOf(call);
  const start = links.findIndex((l) => ROOTS[l.name] !== undefined);
  if (start < 0) return undefined;
  const first = links[start];
  const table = stringValue(first.call.arguments[0])?.split(/\s+as\s+/i)[0];
  const model = table ? ctx.schema.get(table) : undefined;
  if (!model) return undefined;
  const rest = links.slice(start);
  const wheres = rest.filter((l) => l.name === 'where');
  const set = rest.find((l) => l.name === 'set' || l.name === 'values');
  const q = { links: rest, whereAfter: wheres[wheres.length - 1]?.call ?? set?.call ?? first.call, dialect: 'kysely' as const };
  builderQueries.set(call, q);
  let kind = ROOTS[first.name];
  if (kind === 'list' && (callee.name.text !== 'execute' || selectsOne(q, model.idField) || hasOpaqueCondition(q))) kind = 'read';
  return { layer: 'kysely', call, modelName: model.name, model, operation: `${first.name}…${callee.name.text}`, kind, data: set?.call.arguments[0] ? [set.call.arguments[0]] : [] };
}

/** `.where('<owner>', '=', <principal>)` after the last condition (or after the table / `set`). */
export function kyselyScopeFix(db: DbCall, ownerField: string, principal: string): FixOutcome {
  const q = builderQueries.get(db.call);
  if (!q?.whereAfter) return { notFixableReason: 'no place for a where clause in this query' };
  if (q.links.some((l) => l.name === 'orWhere')) return { notFixableReason: 'the conditions use orWhere; add the owner to each alternative by hand' };
  const quote = quoteOf(q.links[0].call.arguments[0]);
  const text = `.where(${quote}${ownerField}${quote}, ${quote}=${quote}, ${principal})`;
  return { fix: { description: `bind ${db.modelName} query to the authenticated user (${ownerField})`, edits: [insertAt(db.call.getSourceFile(), q.whereAfter.getEnd(), text)] } };
}
