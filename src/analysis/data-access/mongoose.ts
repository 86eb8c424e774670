import { ts } from 'ts-morph';
import { unwrap } from '../../syntax/resolve.js';
import { calleeText, stringArg } from '../schema/ast.js';
import type { DbCall, MatchContext } from './db-call.js';
import { MONGO_QUERY_OPERATIONS } from './mongodb.js';

/** Which argument is the id, the filter and the update/document, per operation: the driver's query API plus Mongoose's by-id calls. */
const OPERATIONS: Record<string, { kind: DbCall['kind']; id?: number; filter?: number; data?: number }> = {
  ...MONGO_QUERY_OPERATIONS,
  findById: { kind: 'read', id: 0 },
  findByIdAndUpdate: { kind: 'update', id: 0, data: 1 },
  findByIdAndDelete: { kind: 'delete', id: 0 },
  findByIdAndRemove: { kind: 'delete', id: 0 },
  create: { kind: 'create', data: 0 },
};

/** `Todo.findById(id)` where `Todo` is a `model('Todo', schema)` (followed across files) or a known Mongoose model name. */
export function matchMongoose(call: ts.CallExpression, ctx: MatchContext): DbCall | undefined {
  const callee = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const operation = callee.name.text;
  const op = OPERATIONS[operation];
  if (!op) return undefined;
  const modelName = mongooseModelName(callee.expression, ctx);
  if (!modelName) return undefined;
  const model = ctx.schema.get(modelName, 'mongoose');
  const arg = (i: number | undefined) => (i === undefined ? undefined : call.arguments[i]);
  const data = arg(op.data);
  return {
    layer: 'mongoose',
    call,
    modelName,
    model: model?.layer === 'mongoose' ? model : undefined,
    operation,
    kind: op.kind,
    idArg: arg(op.id),
    filter: arg(op.filter),
    data: data ? [data] : [],
  };
}

function mongooseModelName(receiver: ts.Expression, ctx: MatchContext): string | undefined {
  const v = ctx.resolver.value(receiver);
  if (v.kind === 'node' && ts.isCallExpression(v.node) && calleeText(v.node) === 'model') return stringArg(v.node, 0);
  const e = unwrap(receiver);
  if (ts.isIdentifier(e)) {
    const m = ctx.schema.get(e.text, 'mongoose');
    if (m?.layer === 'mongoose' && m.name.toLowerCase() === e.text.toLowerCase()) return m.name;
  }
  return undefined;
}
