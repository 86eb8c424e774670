import type { ts } from 'ts-morph';
import type { DbCall, DbCallMatcher, MatchContext } from './db-call.js';
import { matchMongoDb } from './mongodb.js';
import { matchMongoose } from './mongoose.js';
import { matchPrisma } from './prisma.js';
import { matchSequelize } from './sequelize.js';

export type { DbCall, MatchContext } from './db-call.js';

/** Most specific first: a Prisma accessor or a resolved model beats the collection heuristic. */
const MATCHERS: DbCallMatcher[] = [matchPrisma, matchMongoose, matchSequelize, matchMongoDb];

export function matchDbCall(call: ts.CallExpression, ctx: MatchContext): DbCall | undefined {
  for (const match of MATCHERS) {
    const found = match(call, ctx);
    if (found) return found;
  }
  return undefined;
}
