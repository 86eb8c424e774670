import { ts } from 'ts-morph';
import type { ObjectShape, Provenance } from '../provenance.js';
import { isCallDb, type AnyDbCall, type DbCall, type DbCallMatcher, type MatchContext } from './db-call.js';
import { drizzleFilterShape, matchDrizzle } from './drizzle.js';
import { matchMongoDb } from './mongodb.js';
import { matchMongoose } from './mongoose.js';
import { matchPrisma } from './prisma.js';
import { matchRecordWrite } from './record-write.js';
import { matchSequelize } from './sequelize.js';
import { matchTypeorm } from './typeorm.js';
import { builderFilterShape } from './builder-filter.js';
import { matchKnex } from './knex.js';
import { matchKysely } from './kysely.js';
import { isRawSqlCall, matchRawSql, matchSqlTemplate, rawSqlShape } from './raw-sql.js';
import { isQueryBuilderCall, queryBuilderFilterShape } from './typeorm-query-builder.js';

export type { AnyDbCall, DbCall, MatchContext, QueryNode } from './db-call.js';

/**
 * Most specific first: a record written back after its read (`repo.save(todo)`), then a Prisma accessor or a
 * resolved model, then the collection heuristic.
 */
const MATCHERS: DbCallMatcher[] = [matchRecordWrite, matchDrizzle, matchPrisma, matchMongoose, matchSequelize, matchTypeorm, matchKysely, matchKnex, matchRawSql, matchMongoDb];

/** A call of any data layer, or a SQL client's tagged template (`await sql\`SELECT ...\``). */
export function matchDbCall(node: ts.CallExpression | ts.TaggedTemplateExpression, ctx: MatchContext): AnyDbCall | undefined {
  if (ts.isTaggedTemplateExpression(node)) return matchSqlTemplate(node, ctx);
  const call = node;
  for (const match of MATCHERS) {
    const found = match(call, ctx);
    if (found) return found;
  }
  return undefined;
}

/** The filter as key → value entries: Drizzle conditions (`and(eq(t.id, id), ...)`) are read by their layer, other filters are objects. */
export function filterShape(db: AnyDbCall, prov: Provenance): ObjectShape | undefined {
  if (isRawSqlCall(db)) return rawSqlShape(db, prov, 'where');
  if (!isCallDb(db)) return undefined;
  if (db.layer === 'drizzle') return drizzleFilterShape(db, prov);
  if (isQueryBuilderCall(db)) return queryBuilderFilterShape(db, prov);
  if (db.layer === 'knex' || db.layer === 'kysely') return builderFilterShape(db, prov);
  return db.filter ? prov.shape(db.filter) : undefined;
}

/** The objects a call writes, entry by entry: its data arguments, or the columns of a raw INSERT or UPDATE ... SET. */
export function writtenShapes(db: AnyDbCall, prov: Provenance, document: (e: ts.Expression) => ts.Expression): { data: ts.Expression; shape: ObjectShape }[] {
  if (isRawSqlCall(db)) {
    const shape = rawSqlShape(db, prov, 'written');
    return shape ? [{ data: db.call, shape }] : [];
  }
  const out: { data: ts.Expression; shape: ObjectShape }[] = [];
  for (const data of db.data) {
    const shape = prov.shape(document(data));
    if (shape) out.push({ data, shape });
  }
  return out;
}
