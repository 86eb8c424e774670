import { ts } from 'ts-morph';
import type { Fix, TextEdit } from '../../model/types.js';
import { unwrap } from '../../syntax/resolve.js';
import { isCallDb, type AnyDbCall, type DbCall } from '../data-access/db-call.js';
import { drizzleScopeFix } from '../data-access/drizzle.js';
import { isFindOptions, isManagerCall } from '../data-access/typeorm.js';
import { knexScopeFix } from '../data-access/knex.js';
import { kyselyScopeFix } from '../data-access/kysely.js';
import { rawSqlScopeFix } from '../data-access/raw-sql.js';
import { isQueryBuilderCall, queryBuilderScopeFix } from '../data-access/typeorm-query-builder.js';
import { objectLiteralOf, propertyKeys, propertyValue } from '../schema/ast.js';
import { prismaMajorVersion } from './prisma-version.js';
import { appendProperty, insertAt, objectText, propertyKey, renameMethod, replaceNode } from './edits.js';

export type FixOutcome = { fix: Fix; notFixableReason?: undefined } | { fix?: undefined; notFixableReason: string };

const PRISMA_FIRST: Record<string, string> = { findUnique: 'findFirst', findUniqueOrThrow: 'findFirstOrThrow' };
const PRISMA_MANY: Record<string, string> = { update: 'updateMany', delete: 'deleteMany' };
const MONGOOSE_BY_ID: Record<string, string> = {
  findById: 'findOne',
  findByIdAndUpdate: 'findOneAndUpdate',
  findByIdAndDelete: 'findOneAndDelete',
  findByIdAndRemove: 'findOneAndDelete',
};

/**
 * Binds a query to its owner in the query itself, so a re-scan sees `scopedBy: 'query'`:
 * - Prisma: the owner joins `where`; `findUnique` becomes `findFirst` (same return type, and a unique
 *   input cannot take a non-unique field before Prisma 5). `update`/`delete` keep their name and get the
 *   owner in their unique where on Prisma 5+ (or an undeclared version); on Prisma 4 they become
 *   `updateMany`/`deleteMany` only when the result is unused, since those return a count.
 * - Mongoose: `findById(id)` becomes `findOne({ _id: id, owner })`, and likewise for the ByIdAnd* forms.
 * - Sequelize: the owner joins `where`; `findByPk(id)` becomes `findOne({ where: { id, owner } })`.
 * - MongoDB driver: not fixed, the stored type of the owner (string or ObjectId) is unknown.
 */
export function scopeFix(db: AnyDbCall, ownerField: string, principal: string): FixOutcome {
  // Raw SQL is edited in its text, whether a call or a tagged template runs it.
  if (db.layer === 'sql' || !isCallDb(db)) return rawSqlScopeFix(db, ownerField, principal);
  const sf = db.call.getSourceFile();
  // A principal named like the owner field (a threaded parameter) is written as a shorthand.
  const owner = principal === ownerField ? principal : `${propertyKey(ownerField, sf)}: ${principal}`;
  const description = `bind ${db.modelName}.${db.operation} to the authenticated user (${ownerField})`;
  const done = (edits: (TextEdit | undefined)[]): FixOutcome =>
    edits.every((e): e is TextEdit => !!e) ? { fix: { description, edits } } : { notFixableReason: 'the call cannot be rewritten in place' };
  switch (db.layer) {
    case 'prisma':
      return prismaFix(db, owner, done);
    case 'mongoose':
      return mongooseFix(db, owner, done);
    case 'sequelize':
      return sequelizeFix(db, owner, done);
    case 'drizzle':
      return drizzleScopeFix(db, ownerField, principal);
    case 'knex':
      return knexScopeFix(db, ownerField, principal);
    case 'kysely':
      return kyselyScopeFix(db, ownerField, principal);
    case 'typeorm':
      if (isQueryBuilderCall(db)) return queryBuilderScopeFix(db, ownerField, principal, !!db.model?.ownerRelation);
      // A relation owner (`owner: User` without a foreign-key column) is matched through the related id.
      // update/delete criteria do not join relations: a relation owner cannot be added there.
      if (db.model?.ownerRelation && TYPEORM_CRITERIA.has(db.operation)) {
        return { notFixableReason: `${db.operation} criteria cannot filter by the ${ownerField} relation; fetch with findOneBy({ ..., ${ownerField}: { id } }) and refuse with 404 first` };
      }
      return typeormFix(db, db.model?.ownerRelation ? `${propertyKey(ownerField, sf)}: ${objectText([`id: ${principal}`])}` : owner, done);
    default:
      return { notFixableReason: `the stored type of ${ownerField} in ${db.modelName} is unknown; add \`${ownerField}\` to the filter by hand` };
  }
}

type Done = (edits: (TextEdit | undefined)[]) => FixOutcome;

function prismaFix(db: DbCall, owner: string, done: Done): FixOutcome {
  const { call, operation } = db;
  const args = call.arguments[0] && unwrap(call.arguments[0]);
  if (operation === 'upsert') return { notFixableReason: 'an upsert creates the record when the owner does not match; check ownership before it' };
  if (PRISMA_MANY[operation]) {
    if (!args || !ts.isObjectLiteralExpression(args)) return { notFixableReason: 'the arguments are built elsewhere' };
    const where = objectLiteralOf(propertyValue(args, 'where'));
    if (!where || where !== unwrap(propertyValue(args, 'where')!)) return { notFixableReason: 'the where clause is built elsewhere' };
    const major = prismaMajorVersion(call.getSourceFile().fileName);
    // Prisma 5+ takes non-unique filters next to the id in update/delete (extendedWhereUnique): same return
    // type, and someone else's record raises P2025 (record not found) instead of being changed.
    if (major === undefined || major >= 5) return done([bindOwner(where, owner)]);
    if (resultUsed(call)) {
      return {
        notFixableReason: `the result of ${operation} is used and ${PRISMA_MANY[operation]} returns a count (Prisma ${major} has no owner filter on ${operation}); fetch with findFirst({ where: { id, ${owner.split(':')[0]} } }) and refuse with 404 first`,
      };
    }
    const allowed = operation === 'update' ? ['where', 'data'] : ['where'];
    const extra = propertyKeys(args).filter((k) => !allowed.includes(k));
    if (extra.length) return { notFixableReason: `${PRISMA_MANY[operation]} does not accept ${extra.join(', ')}` };
    if (operation === 'update' && hasNestedWrites(propertyValue(args, 'data'))) {
      return { notFixableReason: 'updateMany cannot perform nested relation writes in data' };
    }
    return done([renameMethod(call, PRISMA_MANY[operation]), bindOwner(where, owner)]);
  }
  // findUnique takes only unique fields before Prisma 5; findFirst takes the owner and returns the same type.
  const rename = PRISMA_FIRST[operation] ? [renameMethod(call, PRISMA_FIRST[operation])] : [];
  if (!args) return done([...rename, insertAt(call.getSourceFile(), call.arguments.pos, objectText([`where: ${objectText([owner])}`]))]);
  if (!ts.isObjectLiteralExpression(args)) return { notFixableReason: 'the arguments are built elsewhere' };
  const whereValue = propertyValue(args, 'where');
  if (!whereValue) return done([...rename, appendProperty(args, `where: ${objectText([owner], args)}`)]);
  const where = unwrap(whereValue);
  if (!ts.isObjectLiteralExpression(where)) return { notFixableReason: 'the where clause is built elsewhere' };
  return done([...rename, bindOwner(where, owner)]);
}

function mongooseFix(db: DbCall, owner: string, done: Done): FixOutcome {
  const { call, operation } = db;
  if (MONGOOSE_BY_ID[operation]) {
    const id = call.arguments[0];
    if (!id) return { notFixableReason: 'no id argument' };
    return done([renameMethod(call, MONGOOSE_BY_ID[operation]), replaceNode(id, objectText([`_id: ${id.getText()}`, owner]))]);
  }
  return filterFix(db, owner, done);
}

function sequelizeFix(db: DbCall, owner: string, done: Done): FixOutcome {
  const { call, operation } = db;
  if (operation === 'findByPk') {
    const id = call.arguments[0];
    if (!id || call.arguments.length > 1) return { notFixableReason: 'findByPk with options: move them into a findOne with the owner in where' };
    const idField = db.model?.idField ?? 'id';
    return done([renameMethod(call, 'findOne'), replaceNode(id, objectText([`where: ${objectText([`${idField}: ${id.getText()}`, owner])}`]))]);
  }
  const optionsIndex = operation === 'update' ? 1 : 0;
  const options = call.arguments[optionsIndex] && unwrap(call.arguments[optionsIndex]);
  if (!options) {
    if (optionsIndex === 0) return done([insertAt(call.getSourceFile(), call.arguments.pos, objectText([`where: ${objectText([owner])}`]))]);
    return { notFixableReason: 'update without options' };
  }
  if (!ts.isObjectLiteralExpression(options)) return { notFixableReason: 'the options are built elsewhere' };
  const where = propertyValue(options, 'where');
  if (!where) return done([appendProperty(options, `where: ${objectText([owner], options)}`)]);
  const w = unwrap(where);
  if (!ts.isObjectLiteralExpression(w)) return { notFixableReason: 'the where clause is built elsewhere' };
  return done([bindOwner(w, owner)]);
}

/** Repository and EntityManager methods whose first argument (after the entity, for the manager) is the where object itself. */
const TYPEORM_WHERE_FIRST = new Set(['findOneBy', 'findOneByOrFail', 'findBy', 'findAndCountBy', 'countBy', 'existsBy']);
const TYPEORM_OPTIONS_FIRST = new Set(['findOne', 'findOneOrFail', 'find', 'findAndCount', 'count', 'exists']);
const TYPEORM_CRITERIA = new Set(['update', 'delete', 'softDelete', 'restore']);

/**
 * TypeORM: the owner joins the where object (`findOneBy({ id, ownerId })`, `findOne({ where: { id, ownerId } })`);
 * `update(id, v)`/`delete(id)` take `{ id, ownerId }` as criteria instead of the bare id. The manager's
 * forms (`manager.findOneBy(Todo, {...})`) are the same one argument later.
 */
function typeormFix(db: DbCall, owner: string, done: Done): FixOutcome {
  const { call, operation } = db;
  const at = isManagerCall(call) ? 1 : 0;
  const arg = call.arguments[at] && unwrap(call.arguments[at]);
  const sf = call.getSourceFile();
  const insertionPoint = () => (at === 0 ? call.arguments.pos : call.arguments[0].getEnd());
  const prefix = at === 0 ? '' : ', ';
  if (TYPEORM_WHERE_FIRST.has(operation)) {
    if (!arg) return done([insertAt(sf, insertionPoint(), `${prefix}${objectText([owner])}`)]);
    if (ts.isObjectLiteralExpression(arg)) return done([bindOwner(arg, owner)]);
    return { notFixableReason: 'the where object is built elsewhere' };
  }
  const byId = (id: ts.Node) => {
    const idField = db.model?.idField ?? 'id';
    return replaceNode(id, objectText([id.getText(sf) === idField ? idField : `${propertyKey(idField, sf)}: ${id.getText(sf)}`, owner]));
  };
  if (TYPEORM_OPTIONS_FIRST.has(operation)) {
    if (!arg) return done([insertAt(sf, insertionPoint(), `${prefix}${objectText([`where: ${objectText([owner])}`])}`)]);
    // TypeORM 0.2: `findOne({ slug })` takes the conditions themselves, `findOne(id)` the primary key.
    if (ts.isObjectLiteralExpression(arg) && !isFindOptions(arg)) return done([bindOwner(arg, owner)]);
    if (db.idArg) return done([byId(arg)]);
    if (!ts.isObjectLiteralExpression(arg)) return { notFixableReason: 'the find options are built elsewhere' };
    const whereValue = propertyValue(arg, 'where');
    if (!whereValue) return done([appendProperty(arg, `where: ${objectText([owner], arg)}`)]);
    const where = unwrap(whereValue);
    if (ts.isObjectLiteralExpression(where)) return done([bindOwner(where, owner)]);
    return { notFixableReason: ts.isArrayLiteralExpression(where) ? 'the where is a list of alternatives; add the owner to each' : 'the where clause is built elsewhere' };
  }
  if (TYPEORM_CRITERIA.has(operation)) {
    if (!arg) return { notFixableReason: `${operation} without criteria` };
    if (ts.isObjectLiteralExpression(arg)) return done([bindOwner(arg, owner)]);
    if (ts.isArrayLiteralExpression(arg)) return { notFixableReason: `${operation} by a list of ids; add the owner to the criteria by hand` };
    return done([byId(arg)]);
  }
  return { notFixableReason: `${operation} is not rewritten automatically; check the record's owner before it` };
}

/** Mongoose filter operations: the owner joins the filter object. */
function filterFix(db: DbCall, owner: string, done: Done): FixOutcome {
  const filter = db.filter && unwrap(db.filter);
  if (!filter) {
    if (db.call.arguments.length === 0) return done([insertAt(db.call.getSourceFile(), db.call.arguments.pos, objectText([owner]))]);
    return { notFixableReason: 'no filter argument' };
  }
  if (!ts.isObjectLiteralExpression(filter)) return { notFixableReason: 'the filter is built elsewhere' };
  return done([bindOwner(filter, owner)]);
}

/**
 * Adds `owner: principal` to a filter object, or, when the filter already names the owner (with a value
 * from the request), replaces that value: the same edit the user-id-from-request fix makes, applied once.
 */
function bindOwner(obj: ts.ObjectLiteralExpression, owner: string): TextEdit {
  const colon = owner.indexOf(':');
  const key = colon < 0 ? owner : owner.slice(0, colon);
  const principal = colon < 0 ? owner : owner.slice(colon + 1).trim();
  for (const p of obj.properties) {
    if (!p.name || p.name.getText() !== key) continue;
    if (ts.isPropertyAssignment(p)) return replaceNode(p.initializer, principal);
    if (ts.isShorthandPropertyAssignment(p)) return replaceNode(p, owner);
  }
  return appendProperty(obj, owner);
}

/** Whether the value of a call is used (assigned, returned, passed on) rather than only awaited. */
function resultUsed(call: ts.CallExpression): boolean {
  let n: ts.Node = call;
  while (ts.isAwaitExpression(n.parent) || ts.isParenthesizedExpression(n.parent) || ts.isAsExpression(n.parent) || ts.isNonNullExpression(n.parent)) n = n.parent;
  return !(ts.isExpressionStatement(n.parent) || ts.isVoidExpression(n.parent));
}

/** Prisma nested writes (`tags: { connect: [...] }`) are objects inside data; updateMany takes only scalars. */
function hasNestedWrites(data: ts.Expression | undefined): boolean {
  const obj = data && objectLiteralOf(data);
  if (!obj) return data !== undefined;
  return obj.properties.some((p) => ts.isPropertyAssignment(p) && ts.isObjectLiteralExpression(unwrap(p.initializer)));
}
