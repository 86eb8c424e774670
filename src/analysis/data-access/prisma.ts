import { ts } from 'ts-morph';
import { unwrap } from '../../syntax/resolve.js';
import { objectLiteralOf, propertyValue } from '../schema/ast.js';
import type { DbCall, MatchContext } from './db-call.js';

const OPERATIONS: Record<string, DbCall['kind']> = {
  findUnique: 'read',
  findUniqueOrThrow: 'read',
  findFirst: 'read',
  findFirstOrThrow: 'read',
  findMany: 'list',
  update: 'update',
  updateMany: 'update',
  upsert: 'update',
  delete: 'delete',
  deleteMany: 'delete',
  create: 'create',
  createMany: 'create',
};

/** `<client>.<model>.<operation>(args)`: the client can be anything (`prisma`, `db`, `this.prisma`); the model must be in schema.prisma. */
export function matchPrisma(call: ts.CallExpression, ctx: MatchContext): DbCall | undefined {
  const callee = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const operation = callee.name.text;
  const kind = OPERATIONS[operation];
  const accessor = unwrap(callee.expression);
  if (!kind || !ts.isPropertyAccessExpression(accessor)) return undefined;
  const model = ctx.schema.get(accessor.name.text, 'prisma');
  if (!model || model.layer !== 'prisma') return undefined;
  const args = objectLiteralOf(call.arguments[0]);
  const data: ts.Expression[] = [];
  const where = args && propertyValue(args, 'where');
  for (const key of operation === 'upsert' ? ['create', 'update'] : ['data']) {
    const v = args && propertyValue(args, key);
    if (v) data.push(v);
  }
  return { layer: 'prisma', call, modelName: accessor.name.text, model, operation, kind, filter: where, data };
}
