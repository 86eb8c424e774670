import { ts } from 'ts-morph';
import { unwrap } from '../../syntax/resolve.js';
import { collectionNameOf } from '../schema/mongodb.js';
import type { DbCall, MatchContext } from './db-call.js';

/** The query API Mongoose mirrors from the driver: which argument is the filter and which the update/document. */
export const MONGO_QUERY_OPERATIONS: Record<string, { kind: DbCall['kind']; filter?: number; data?: number }> = {
  findOne: { kind: 'read', filter: 0 },
  find: { kind: 'list', filter: 0 },
  findOneAndUpdate: { kind: 'update', filter: 0, data: 1 },
  findOneAndReplace: { kind: 'update', filter: 0, data: 1 },
  findOneAndDelete: { kind: 'delete', filter: 0 },
  updateOne: { kind: 'update', filter: 0, data: 1 },
  updateMany: { kind: 'update', filter: 0, data: 1 },
  replaceOne: { kind: 'update', filter: 0, data: 1 },
  deleteOne: { kind: 'delete', filter: 0 },
  deleteMany: { kind: 'delete', filter: 0 },
  insertMany: { kind: 'create', data: 0 },
};

const OPERATIONS: Record<string, { kind: DbCall['kind']; filter?: number; data?: number }> = {
  ...MONGO_QUERY_OPERATIONS,
  insertOne: { kind: 'create', data: 0 },
};

/** `db.collection('todos').findOne(filter)`, also through a variable holding the collection. */
export function matchMongoDb(call: ts.CallExpression, ctx: MatchContext): DbCall | undefined {
  const callee = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const operation = callee.name.text;
  const op = OPERATIONS[operation];
  if (!op) return undefined;
  const modelName = collectionNameOf(callee.expression);
  if (!modelName) return undefined;
  const data = op.data === undefined ? undefined : call.arguments[op.data];
  return {
    layer: 'mongodb',
    call,
    modelName,
    model: ctx.schema.get(modelName, 'mongodb'),
    operation,
    kind: op.kind,
    filter: op.filter === undefined ? undefined : call.arguments[op.filter],
    data: data ? [data] : [],
  };
}
