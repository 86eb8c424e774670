import { ts } from 'ts-morph';
import { unwrap } from '../../syntax/resolve.js';
import { normalizeFieldName } from '../identity-fields.js';
import { calleeText, objectLiteralOf, propertyValue, stringArg } from '../schema/ast.js';
import type { OwnerModel } from '../schema/owner-schema.js';
import type { DbCall, MatchContext } from './db-call.js';

/** Where each operation takes its id, its options object (holding `where`) and its values. */
const OPERATIONS: Record<string, { kind: DbCall['kind']; id?: number; options?: number; data?: number }> = {
  findByPk: { kind: 'read', id: 0, options: 1 },
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
  const described = model?.layer === 'sequelize' ? model : undefined;
  const includes = options && described ? scopingIncludes(options, described, ctx) : [];
  return {
    layer: 'sequelize',
    call,
    modelName,
    model: described,
    operation,
    kind: op.kind,
    idArg: op.id === undefined ? undefined : call.arguments[op.id],
    filter: options && propertyValue(options, 'where'),
    data: data ? [data] : [],
    ...(includes.length ? { includes } : {}),
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

/** An include the record must match, of a parent it belongs to, with the parent's column that holds the owner. */
export interface ScopingInclude {
  where: ts.Expression;
  ownerField: string;
}

/** The includes of a Sequelize query that can scope it (see scopingIncludes). */
export function includesOf(db: object): ScopingInclude[] {
  return 'includes' in db ? (db as { includes: ScopingInclude[] }).includes : [];
}

/**
 * `include: [{ model: Project, where: { ownerId: me } }]`: the record is returned only with a matching parent
 * when the include is required (a `where` makes it so unless `required: false`), so a parent bound to the
 * principal scopes the record, if the record belongs to that parent through its own foreign key (an
 * association declared with `belongsTo`, by its alias when the include names one). The owner association
 * itself (`{ model: User, where: { id: me } }`) binds the user's id. Other includes (children, many-to-many
 * links such as labels, an `assignee` user) say nothing about whose record it is.
 */
function scopingIncludes(options: ts.ObjectLiteralExpression, model: OwnerModel, ctx: MatchContext): ScopingInclude[] {
  const list = propertyValue(options, 'include');
  const value = list && unwrap(list);
  const items = value && ts.isArrayLiteralExpression(value) ? [...value.elements] : value ? [value] : [];
  const out: ScopingInclude[] = [];
  for (const item of items) {
    const include = objectLiteralOf(item);
    const target = include && propertyValue(include, 'model');
    const where = include && propertyValue(include, 'where');
    if (!include || !target || !where || !isRequired(include)) continue;
    const as = propertyValue(include, 'as');
    const alias = as && ts.isStringLiteralLike(as) ? as.text : undefined;
    if (as && !alias) continue;
    const parentName = sequelizeModelName(target, ctx);
    const association = parentName && model.parents?.find((p) => p.model === parentName && p.as === alias);
    const parent = parentName ? ctx.schema.get(parentName, 'sequelize') : undefined;
    if (!association || !parent) continue;
    const ownerField = model.ownerField && normalizeFieldName(association.foreignKey) === normalizeFieldName(model.ownerField) ? parent.idField : parent.ownerField;
    if (ownerField) out.push({ where, ownerField });
  }
  return out;
}

/** `required: true`, or a `where` without `required: false` (Sequelize's default). */
function isRequired(include: ts.ObjectLiteralExpression): boolean {
  const required = propertyValue(include, 'required');
  return !required || unwrap(required).kind === ts.SyntaxKind.TrueKeyword;
}
