import { ts } from 'ts-morph';
import { propertyNameText, unwrap } from '../../syntax/resolve.js';
import type { ObjectShape, Provenance, ShapeEntry } from '../provenance.js';
import type { DbCall } from './db-call.js';
import type { Link } from './chain-links.js';
import { stringValue } from './chain-links.js';

/** A Knex/Kysely query as a list of conditions, kept per call for the filter reader and the fix. */
export interface BuilderQuery {
  links: Link[];
  /** The call after which a new where condition goes when the query has none. */
  whereAfter: ts.CallExpression | undefined;
  /** Kysely's `where(col, op, value)` vs Knex's `where(col, value)`. */
  dialect: 'knex' | 'kysely';
}

export const builderQueries = new WeakMap<ts.CallExpression, BuilderQuery>();

const WHERE = new Set(['where', 'andWhere']);
const OR_WHERE = /^or[A-Z]|^orWhere/;

/**
 * `.where({ id, user_id: me })`, `.where('id', id)`, `.where('todos.id', '=', id)` joined by AND; an
 * `orWhere` anywhere, or a callback condition, binds nothing (no entries), so nothing is claimed scoped.
 */
export function builderFilterShape(db: DbCall, prov: Provenance): ObjectShape | undefined {
  const q = builderQueries.get(db.call);
  if (!q) return undefined;
  if (q.links.some((l) => OR_WHERE.test(l.name))) return { entries: [] };
  const entries: ShapeEntry[] = [];
  for (const l of q.links) {
    if (!WHERE.has(l.name)) continue;
    const [a, b, c] = l.call.arguments;
    const column = stringValue(a);
    if (column !== undefined) {
      const value = l.call.arguments.length === 3 ? (stringValue(b) === '=' ? c : undefined) : b;
      if (value) entries.push({ kind: 'prop', key: column.split('.').pop()!, value, node: l.call as unknown as ts.ObjectLiteralElementLike, origin: prov.origin(value) });
      continue;
    }
    const obj = a && unwrap(a);
    if (obj && ts.isObjectLiteralExpression(obj)) {
      const shape = prov.shape(obj);
      for (const e of shape?.entries ?? []) if (e.kind === 'prop') entries.push({ ...e, key: e.key.split('.').pop()! });
    }
  }
  return { entries };
}

/** Whether the conditions name a column that selects one record (the primary key, a slug, a *_id). */
export function selectsOne(q: BuilderQuery, idField: string): boolean {
  return q.links.some((l) => {
    if (!WHERE.has(l.name)) return false;
    const col = stringValue(l.call.arguments[0])?.split('.').pop();
    if (col !== undefined) return col === idField || /^(uuid|slug)$/.test(col);
    const obj = l.call.arguments[0] && unwrap(l.call.arguments[0]);
    return !!obj && ts.isObjectLiteralExpression(obj) && obj.properties.some((p) => p.name && [idField, 'uuid', 'slug'].includes(propertyNameText(p.name) ?? ''));
  });
}

/** A condition the filter reader cannot see into (`where((eb) => ...)`, `whereRaw`, a variable): it may bind the owner. */
export function hasOpaqueCondition(q: BuilderQuery): boolean {
  return q.links.some((l) => {
    if (/^(where|andWhere)[A-Z]/.test(l.name) && !/^(where|andWhere)In$/.test(l.name)) return true;
    if (!WHERE.has(l.name)) return false;
    const a = l.call.arguments[0] && unwrap(l.call.arguments[0]);
    return !!a && !ts.isStringLiteralLike(a) && !ts.isObjectLiteralExpression(a);
  });
}
