import type { ts } from 'ts-morph';
import type { ObjectShape, Provenance } from '../provenance.js';
import type { DbCall, DbCallMatcher, MatchContext } from './db-call.js';
import { drizzleFilterShape, matchDrizzle } from './drizzle.js';
import { matchMongoDb } from './mongodb.js';
import { matchMongoose } from './mongoose.js';
import { matchPrisma } from './prisma.js';
import { matchSequelize } from './sequelize.js';
import { matchTypeorm } from './typeorm.js';
import { isQueryBuilderCall, queryBuilderFilterShape } from './typeorm-query-builder.js';

export type { DbCall, MatchContext } from './db-call.js';

/** Most specific first: a Prisma accessor or a resolved model beats the collection heuristic. */
const MATCHERS: DbCallMatcher[] = [matchDrizzle, matchPrisma, matchMongoose, matchSequelize, matchTypeorm, matchMongoDb];

export function matchDbCall(call: ts.CallExpression, ctx: MatchContext): DbCall | undefined {
  for (const match of MATCHERS) {
    const found = match(call, ctx);
    if (found) return found;
  }
  return undefined;
}

/** The filter as key → value entries: Drizzle conditions (`and(eq(t.id, id), ...)`) are read by their layer, other filters are objects. */
export function filterShape(db: DbCall, prov: Provenance): ObjectShape | undefined {
  if (db.layer === 'drizzle') return drizzleFilterShape(db, prov);
  if (isQueryBuilderCall(db)) return queryBuilderFilterShape(db, prov);
  return db.filter ? prov.shape(db.filter) : undefined;
}
