import { ts } from 'ts-morph';
import { unwrap } from '../../syntax/resolve.js';
import { calleeText, objectLiteralOf, propertyValue, stringArg } from '../schema/ast.js';
import type { DbCall, MatchContext } from './db-call.js';

/** Where each operation takes its id, its options object (holding `where`) and its values. */
const OPERATIONS: Record<string, { kind: DbCall['kind']; id?: number; options?: number; data?: number }> = {
  findByPk: { kind: 'read', id: 0 },
  findOne: { kind: 'read', options: 0 },
  findAll: { kind: 'list', options: 0 },
  findAndCountAll: { kind: 'list', options: 0 },
  update: { kind: 'update', data: 0, options: 1 },
  destroy: { kind: 'delete', options: 0 },
  create: { kind: 'create', data: 0 },
  bulkCreate: { kind: 'create', data: 0 },
};

/** `Todo.findByPk(id)` where `Todo` is a `sequelize.define(...)` result or a model class initialised with `Todo.init`. */
export function matchSequelize(call: ts.CallExpression, ctx: MatchContext): DbCall | undefined {
  const callee = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const operation = callee.name.text;
  const op = OPERATIONS[operation];
  if (!op) return undefined;
  const modelName = sequelizeModelName(callee.expression, ctx);
  if (!modelName) return undefined;
  const model = ctx.schema.get(modelName, 'sequelize');
  const options = op.options === undefined ? undefined : objectLiteralOf(call.arguments[op.options]);
  const data = op.data === undefined ? undefined : call.arguments[op.data];
  return {
    layer: 'sequelize',
    call,
    modelName,
    model: model?.layer === 'sequelize' ? model : undefined,
    operation,
    kind: op.kind,
    idArg: op.id === undefined ? undefined : call.arguments[op.id],
    filter: options && propertyValue(options, 'where'),
    data: data ? [data] : [],
  };
}

function sequelizeModelName(receiver: ts.Expression, ctx: MatchContext): string | undefined {
  const v = ctx.resolver.value(receiver);
  if (v.kind === 'node') {
    const n = v.node;
    if (ts.isCallExpression(n) && calleeText(n) === 'define') return stringArg(n, 0);
    if (ts.isClassDeclaration(n) && n.name) {
      const m = ctx.schema.get(n.name.text, 'sequelize');
      if (m?.layer === 'sequelize') return m.name;
    }
  }
  const e = unwrap(receiver);
  if (ts.isIdentifier(e)) {
    const m = ctx.schema.get(e.text, 'sequelize');
    if (m?.layer === 'sequelize') return m.name;
  }
  return undefined;
}
