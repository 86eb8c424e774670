import { ts } from 'ts-morph';
import { enclosingClass, propertyNameText, unwrap } from '../../syntax/resolve.js';
import { objectLiteralOf, propertyValue } from '../schema/ast.js';
import type { DbCall, MatchContext } from './db-call.js';
import { matchQueryBuilder } from './typeorm-query-builder.js';

/** Where the selector and the data are, per Repository / EntityManager method. */
const OPERATIONS: Record<string, { kind: DbCall['kind']; selector: 'where-option' | 'where' | 'criteria' | 'none'; data?: number }> = {
  findOne: { kind: 'read', selector: 'where-option' },
  findOneOrFail: { kind: 'read', selector: 'where-option' },
  findOneBy: { kind: 'read', selector: 'where' },
  findOneByOrFail: { kind: 'read', selector: 'where' },
  find: { kind: 'list', selector: 'where-option' },
  findBy: { kind: 'list', selector: 'where' },
  findAndCount: { kind: 'list', selector: 'where-option' },
  findAndCountBy: { kind: 'list', selector: 'where' },
  update: { kind: 'update', selector: 'criteria', data: 1 },
  delete: { kind: 'delete', selector: 'criteria' },
  softDelete: { kind: 'delete', selector: 'criteria' },
  // remove(entity) deletes a record fetched before: the fetch is where the selection happens.
  remove: { kind: 'delete', selector: 'none' },
  softRemove: { kind: 'delete', selector: 'none' },
  save: { kind: 'create', selector: 'none', data: 0 },
  insert: { kind: 'create', selector: 'none', data: 0 },
};

/**
 * `this.todos.findOneBy({ id })` where `todos` is a repository injected with `@InjectRepository(Todo)`
 * (or typed `Repository<Todo>`), and `dataSource.getRepository(Todo).findOne(...)`.
 */
export function matchTypeorm(call: ts.CallExpression, ctx: MatchContext): DbCall | undefined {
  const callee = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const operation = callee.name.text;
  const op = OPERATIONS[operation];
  if (!op) return matchQueryBuilder(call, ctx);
  // EntityManager: `manager.findOneBy(Todo, { id })`, the entity class first and the repository's arguments after it.
  const managed = managerEntity(call, ctx);
  const modelName = managed ?? repositoryEntity(callee.expression, ctx);
  if (!modelName) return undefined;
  const model = ctx.schema.get(modelName, 'typeorm');
  const offset = managed ? 1 : 0;
  const first = call.arguments[offset];
  let filter: ts.Expression | undefined;
  let idArg: ts.Expression | undefined;
  if (op.selector === 'where-option') {
    const options = objectLiteralOf(first);
    if (options && !isFindOptions(options)) filter = first;
    else if (options) filter = propertyValue(options, 'where');
    else if (first && op.kind === 'read' && isIdLike(first)) idArg = first;
  } else if (op.selector === 'where') filter = first;
  else if (op.selector === 'criteria' && first) {
    // update(id, data) / delete(id) take the primary key itself, or a where object.
    if (objectLiteralOf(first)) filter = first;
    else idArg = first;
  }
  const data = op.data === undefined ? undefined : call.arguments[op.data + offset];
  if (managed) managerCalls.add(call);
  return {
    layer: 'typeorm',
    call,
    modelName,
    model: model?.layer === 'typeorm' ? model : undefined,
    operation,
    kind: op.kind,
    filter,
    idArg,
    data: data ? [data] : [],
  };
}

/** The keys of TypeORM's find options. */
const FIND_OPTION_KEYS = new Set([
  'where', 'select', 'relations', 'order', 'join', 'skip', 'take', 'cache', 'lock', 'withDeleted',
  'loadRelationIds', 'loadEagerRelations', 'relationLoadStrategy', 'transaction', 'comment',
]);

/**
 * Whether `find`/`findOne` is given options (`{ where, relations }`) rather than TypeORM 0.2's conditions
 * object (`findOne({ slug })`, `find({ authorId })`): the conditions form names no option key.
 */
export function isFindOptions(arg: ts.ObjectLiteralExpression): boolean {
  return arg.properties.some((p) => ts.isSpreadAssignment(p) || (!!p.name && FIND_OPTION_KEYS.has(propertyNameText(p.name) ?? '')));
}

/** TypeORM 0.2's `findOne(id)`: an argument named like a key (`id`, `req.params.slug`, `todoId`), not options built elsewhere. */
function isIdLike(arg: ts.Expression): boolean {
  const e = unwrap(arg);
  const name = ts.isIdentifier(e) ? e.text : ts.isPropertyAccessExpression(e) ? e.name.text : undefined;
  return !!name && /^(_?id|uuid|slug)$|[a-z0-9](Id|_id)$/.test(name);
}

const managerCalls = new WeakSet<ts.CallExpression>();

/** Whether a TypeORM call goes through the EntityManager (the entity class is its first argument). */
export function isManagerCall(call: ts.CallExpression): boolean {
  return managerCalls.has(call);
}

/** `manager.findOne(Todo, ...)`: a first argument naming a TypeORM entity of the project. */
function managerEntity(call: ts.CallExpression, ctx: MatchContext): string | undefined {
  const arg = call.arguments[0] && unwrap(call.arguments[0]);
  if (!arg || !ts.isIdentifier(arg) || call.arguments.length < 1) return undefined;
  const model = ctx.schema.get(arg.text, 'typeorm');
  return model?.layer === 'typeorm' && model.name === arg.text ? model.name : undefined;
}

/** The entity a repository expression serves, by the class name its injection or type names. */
export function repositoryEntity(receiver: ts.Expression, ctx?: MatchContext): string | undefined {
  const direct = repositoryEntityOf(receiver);
  if (direct || !ctx) return direct;
  // `const todos = dataSource.getRepository(Todo)` elsewhere, `this.repo = AppDataSource.getRepository(Todo)`.
  const v = ctx.resolver.value(receiver);
  return v.kind === 'node' && v.node !== receiver ? repositoryEntityOf(ts.isVariableDeclaration(v.node) && v.node.initializer ? v.node.initializer : (v.node as ts.Expression)) : undefined;
}

function repositoryEntityOf(receiver: ts.Expression): string | undefined {
  const e = unwrap(receiver);
  // dataSource.getRepository(Todo) / manager.getRepository(Todo)
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'getRepository') {
    const arg = e.arguments[0];
    return arg && ts.isIdentifier(unwrap(arg)) ? (unwrap(arg) as ts.Identifier).text : undefined;
  }
  if (!ts.isPropertyAccessExpression(e) || e.expression.kind !== ts.SyntaxKind.ThisKeyword) return undefined;
  const cls = enclosingClass(e);
  if (!cls) return undefined;
  const name = e.name.text;
  const ctor = cls.members.find(ts.isConstructorDeclaration);
  const param = ctor?.parameters.find((p) => ts.isIdentifier(p.name) && p.name.text === name);
  const field = cls.members.find((m): m is ts.PropertyDeclaration => ts.isPropertyDeclaration(m) && !!m.name && propertyNameText(m.name) === name);
  const holder = param ?? field;
  if (!holder) return undefined;
  for (const d of ts.canHaveDecorators(holder) ? (ts.getDecorators(holder) ?? []) : []) {
    const call = d.expression;
    if (ts.isCallExpression(call) && ts.isIdentifier(call.expression) && call.expression.text === 'InjectRepository' && call.arguments[0]) {
      const arg = unwrap(call.arguments[0]);
      if (ts.isIdentifier(arg)) return arg.text;
    }
  }
  // private readonly todos: Repository<Todo>
  const type = holder.type;
  if (type && ts.isTypeReferenceNode(type) && /Repository$/.test(type.typeName.getText()) && type.typeArguments?.[0]) {
    const t = type.typeArguments[0];
    if (ts.isTypeReferenceNode(t) && ts.isIdentifier(t.typeName)) return t.typeName.text;
  }
  return undefined;
}
