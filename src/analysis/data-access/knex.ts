import { ts } from 'ts-morph';
import { unwrap } from '../../syntax/resolve.js';
import { appendProperty, insertAt } from '../fixes/edits.js';
import type { FixOutcome } from '../fixes/scope-fix.js';
import { builderQueries, hasOpaqueCondition, selectsOne } from './builder-filter.js';
import { chainOf, isChainTop, quoteOf, stringValue } from './chain-links.js';
import type { DbCall, MatchContext } from './db-call.js';

const TABLE_LINKS = new Set(['from', 'table', 'into']);

/**
 * Knex: `knex('todos').where({ id }).first()`, `db('todos').where('id', id).update(v)`, `.del()`,
 * `knex.select('*').from('todos')`, `.insert(v)`, on the outermost call of the chain, where the
 * knex instance is the package's (`import knex from 'knex'`; `const db = knex(config)`) and the table
 * is one the project's migrations declare.
 */
export function matchKnex(call: ts.CallExpression, ctx: MatchContext): DbCall | undefined {
  if (!isChainTop(call)) return undefined;
  const { links, root } = chainOf(call);
  let table: string | undefined;
  let instance: ts.Expression | undefined;
  if (ts.isCallExpression(root) && stringValue(root.arguments[0])) {
    table = stringValue(root.arguments[0]);
    instance = root.expression;
  } else {
    const from = links.find((l) => TABLE_LINKS.has(l.name));
    table = from && stringValue(from.call.arguments[0]);
    instance = root;
  }
  if (!table || !instance || !isKnexInstance(instance, ctx)) return undefined;
  const model = ctx.schema.get(table);
  if (!model) return undefined;
  const names = links.map((l) => l.name);
  const link = (n: string) => links.find((l) => l.name === n);
  const wheres = links.filter((l) => l.name === 'where' || l.name === 'andWhere');
  builderQueries.set(call, { links, whereAfter: wheres[wheres.length - 1]?.call ?? (ts.isCallExpression(root) ? root : links[0]?.call), dialect: 'knex' });
  const base = { layer: 'knex' as const, call, modelName: model.name, model };
  if (names.includes('del') || names.includes('delete')) return { ...base, operation: 'del', kind: 'delete', data: [] };
  if (names.includes('update')) return { ...base, operation: 'update', kind: 'update', data: dataOf(link('update')) };
  if (names.includes('insert')) return { ...base, operation: 'insert', kind: 'create', data: dataOf(link('insert')) };
  const q = builderQueries.get(call)!;
  const one = names.includes('first') || selectsOne(q, model.idField) || hasOpaqueCondition(q);
  return { ...base, operation: names.includes('first') ? 'first' : 'select', kind: one ? 'read' : 'list', data: [] };
}

function dataOf(link: { call: ts.CallExpression } | undefined): ts.Expression[] {
  return link?.call.arguments[0] ? [link.call.arguments[0]] : [];
}

/** The package's function, or a value made by calling it (`const db = knex({...})`), or a transaction of it. */
function isKnexInstance(expr: ts.Expression, ctx: MatchContext): boolean {
  const v = ctx.resolver.value(expr);
  if (v.kind === 'external') return v.pkg === 'knex';
  if (v.kind !== 'node') return false;
  const made = ts.isVariableDeclaration(v.node) && v.node.initializer ? unwrap(v.node.initializer) : unwrap(v.node);
  if (!ts.isCallExpression(made)) return false;
  const maker = ctx.resolver.value(made.expression);
  return maker.kind === 'external' && maker.pkg === 'knex';
}

/** Adds the owner to the last `where({...})` object, or `.where('<owner>', <principal>)` after the last condition. */
export function knexScopeFix(db: DbCall, ownerField: string, principal: string): FixOutcome {
  const q = builderQueries.get(db.call);
  if (!q?.whereAfter) return { notFixableReason: 'no place for a where clause in this query' };
  if (q.links.some((l) => /^or[A-Z]/.test(l.name))) return { notFixableReason: 'the conditions use orWhere; add the owner to each alternative by hand' };
  const description = `bind ${db.modelName}.${db.operation} to the authenticated user (${ownerField})`;
  const last = q.whereAfter;
  const obj = last.arguments.length === 1 && unwrap(last.arguments[0]);
  if (obj && ts.isObjectLiteralExpression(obj) && q.links.some((l) => l.call === last && (l.name === 'where' || l.name === 'andWhere'))) {
    return { fix: { description, edits: [appendProperty(obj, `${/^[A-Za-z_$][\w$]*$/.test(ownerField) ? ownerField : `'${ownerField}'`}: ${principal}`)] } };
  }
  const quote = quoteOf(q.links.map((l) => l.call.arguments[0]).find((a) => a && ts.isStringLiteralLike(a)) ?? (ts.isCallExpression(chainOf(db.call).root) ? (chainOf(db.call).root as ts.CallExpression).arguments[0] : undefined));
  return { fix: { description, edits: [insertAt(db.call.getSourceFile(), last.getEnd(), `.where(${quote}${ownerField}${quote}, ${principal})`)] } };
}
