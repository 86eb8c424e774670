import { ts } from 'ts-morph';
import type { TextEdit } from '../../model/types.js';
import { propertyNameText, unwrap } from '../../syntax/resolve.js';
import type { FixOutcome } from '../fixes/scope-fix.js';
import { insertAt } from '../fixes/edits.js';
import type { ObjectShape, Provenance, ShapeEntry } from '../provenance.js';
import { objectLiteralOf } from '../schema/ast.js';
import { chainOf, stringValue, type Link } from './chain-links.js';
import type { DbCall, MatchContext } from './db-call.js';
import { repositoryEntity } from './typeorm.js';

/** The calls that run a query builder, and what they do. */
const TERMINALS: Record<string, DbCall['kind'] | 'execute'> = {
  getOne: 'read',
  getOneOrFail: 'read',
  getRawOne: 'read',
  getMany: 'list',
  getRawMany: 'list',
  getManyAndCount: 'list',
  getCount: 'list',
  getExists: 'list',
  execute: 'execute',
};
const WHERE_LINKS = new Set(['where', 'andWhere']);

/** What the fix and the filter reader need: the chain, the alias, where to add a condition. */
interface BuilderQuery {
  links: Link[];
  alias?: string;
}

const builders = new WeakMap<ts.CallExpression, BuilderQuery>();

/**
 * TypeORM's QueryBuilder, recognised on the call that runs it: `repo.createQueryBuilder('t').where('t.id = :id',
 * { id }).andWhere('t.ownerId = :ownerId', { ownerId }).getOne()`, `dataSource.createQueryBuilder().update(Todo)
 * .set(v).where(...).execute()`, `.delete().from(Todo).where(...).execute()`. The entity comes from the repository
 * or from `from`/`update`/`delete`/`createQueryBuilder(Todo, 't')`; the WHERE strings are read for `alias.column
 * = :param` equalities joined by AND, with their values from the parameters objects.
 */
export function matchQueryBuilder(call: ts.CallExpression, ctx: MatchContext): DbCall | undefined {
  const callee = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const terminal = TERMINALS[callee.name.text];
  if (!terminal) return undefined;
  const { links } = chainOf(call);
  const start = links.findIndex((l) => l.name === 'createQueryBuilder');
  if (start < 0) return undefined;
  const create = links[start];
  const receiver = (create.call.expression as ts.PropertyAccessExpression).expression;
  let entity = entityArg(create.call.arguments[0]) ?? repositoryEntity(receiver, ctx);
  let alias = stringValue(create.call.arguments[entityArg(create.call.arguments[0]) ? 1 : 0]);
  let kind: DbCall['kind'] = terminal === 'execute' ? 'list' : terminal;
  for (const l of links.slice(start + 1)) {
    if (l.name === 'from' || l.name === 'update' || l.name === 'into') {
      entity = entityArg(l.call.arguments[0]) ?? entity;
      alias = stringValue(l.call.arguments[1]) ?? alias;
    }
    if (terminal === 'execute') {
      if (l.name === 'update') kind = 'update';
      else if (l.name === 'delete' || l.name === 'softDelete') kind = 'delete';
      else if (l.name === 'insert') kind = 'create';
    }
  }
  if (!entity) return undefined;
  const model = ctx.schema.get(entity, 'typeorm');
  if (!model || model.layer !== 'typeorm') return undefined;
  builders.set(call, { links, alias });
  const data = links.filter((l) => l.name === 'set' || l.name === 'values').map((l) => l.call.arguments[0]).filter((a): a is ts.Expression => !!a);
  return { layer: 'typeorm', call, modelName: model.name, model, operation: `createQueryBuilder…${callee.name.text}`, kind, data };
}

export function isQueryBuilderCall(db: DbCall): boolean {
  return builders.has(db.call);
}

/**
 * The WHERE conditions as filter entries. Only `alias.column = :param` terms of `where`/`andWhere` conditions
 * joined by AND count: an `orWhere` anywhere, or an OR inside a condition, makes that condition bind nothing.
 */
export function queryBuilderFilterShape(db: DbCall, prov: Provenance): ObjectShape | undefined {
  const q = builders.get(db.call);
  if (!q) return undefined;
  if (q.links.some((l) => l.name === 'orWhere')) return { entries: [] };
  const params = new Map<string, { value: ts.Expression; node: ts.Node }>();
  for (const l of q.links) {
    const obj =
      WHERE_LINKS.has(l.name) ? objectLiteralOf(l.call.arguments[1]) : l.name === 'setParameters' ? objectLiteralOf(l.call.arguments[0]) : undefined;
    for (const p of obj?.properties ?? []) {
      const key = p.name && propertyNameText(p.name);
      const value = ts.isPropertyAssignment(p) ? p.initializer : ts.isShorthandPropertyAssignment(p) ? p.name : undefined;
      if (key !== undefined && value) params.set(key, { value, node: p });
    }
    if (l.name === 'setParameter') {
      const key = stringValue(l.call.arguments[0]);
      if (key && l.call.arguments[1]) params.set(key, { value: l.call.arguments[1], node: l.call });
    }
  }
  const entries: ShapeEntry[] = [];
  for (const l of q.links) {
    if (!WHERE_LINKS.has(l.name)) continue;
    const condition = stringValue(l.call.arguments[0]);
    if (!condition) continue;
    for (const { column, param } of sqlEqualities(condition, q.alias)) {
      const bound = params.get(param);
      if (bound) entries.push({ kind: 'prop', key: column, value: bound.value, node: bound.node as ts.ObjectLiteralElementLike, origin: prov.origin(bound.value) });
    }
  }
  return { entries };
}

/**
 * `t.id = :id AND t.ownerId = :ownerId` → [{ column: 'id', param: 'id' }, { column: 'ownerId', param: 'ownerId' }].
 * A condition with OR (or anything but AND-joined equalities at its top level) binds nothing for sure.
 */
export function sqlEqualities(condition: string, alias?: string): { column: string; param: string }[] {
  const text = condition.trim().replace(/^\((.*)\)$/s, '$1');
  if (/\bor\b/i.test(text)) return [];
  const out: { column: string; param: string }[] = [];
  for (const term of text.split(/\s+and\s+/i)) {
    const m = /^\(?\s*(?:["`]?(\w+)["`]?\.)?["`]?(\w+)["`]?\s*=\s*:(\w+)\s*\)?$/.exec(term.trim());
    if (!m) continue;
    if (alias && m[1] && m[1] !== alias) continue; // a joined table's column, not this entity's
    out.push({ column: m[2], param: m[3] });
  }
  return out;
}

/**
 * Adds `.andWhere('t.ownerId = :ownerId', { ownerId: <principal> })` after the last where (or
 * `.where(...)` after the builder is created, or after `from`/`update`/`delete`), in the file's quotes.
 */
export function queryBuilderScopeFix(db: DbCall, ownerField: string, principal: string, relation: boolean): FixOutcome {
  const q = builders.get(db.call);
  if (!q?.alias && !q?.links.some((l) => l.name === 'update' || l.name === 'delete')) return { notFixableReason: 'the query builder has no alias to name the owner column with' };
  if (q.links.some((l) => l.name === 'orWhere')) return { notFixableReason: 'the conditions use orWhere; add the owner condition to each alternative by hand' };
  const sf = db.call.getSourceFile();
  const column = q.alias ? `${q.alias}.${ownerField}` : ownerField;
  const param = relation ? `${ownerField}Id` : ownerField;
  const wheres = q.links.filter((l) => WHERE_LINKS.has(l.name));
  const firstString = wheres.map((l) => l.call.arguments[0]).find((a) => a && ts.isStringLiteralLike(a));
  const quote = firstString && firstString.getText(sf).startsWith('"') ? '"' : "'";
  const after = wheres[wheres.length - 1] ?? q.links.find((l) => l.name === 'from' || l.name === 'update' || l.name === 'delete') ?? q.links.find((l) => l.name === 'createQueryBuilder');
  if (!after) return { notFixableReason: 'no place for a where clause in this query' };
  const method = wheres.length ? 'andWhere' : 'where';
  const edit: TextEdit = insertAt(sf, after.call.getEnd(), `.${method}(${quote}${column} = :${param}${quote}, { ${param}: ${principal} })`);
  return { fix: { description: `bind ${db.modelName} query builder to the authenticated user (${ownerField})`, edits: [edit] } };
}

function entityArg(arg: ts.Expression | undefined): string | undefined {
  const e = arg && unwrap(arg);
  return e && ts.isIdentifier(e) ? e.text : undefined;
}
