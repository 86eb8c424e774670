import { ts } from 'ts-morph';
import { detectStyle, importEdit } from '../../fix/style.js';
import type { TextEdit } from '../../model/types.js';
import { unwrap, type Value } from '../../syntax/resolve.js';
import { findDeclaration } from '../../syntax/scope.js';
import type { FixOutcome } from '../fixes/scope-fix.js';
import { appendProperty, insertAt, objectText, replaceNode } from '../fixes/edits.js';
import type { ObjectShape, Provenance, ShapeEntry } from '../provenance.js';
import { objectLiteralOf, propertyValue } from '../schema/ast.js';
import { chainOf, isChainTop, type Link } from './chain-links.js';
import type { DbCall, MatchContext } from './db-call.js';
import { ownerValue } from '../fixes/owner-value.js';

/** What a Drizzle call needs beyond DbCall to be read as a filter and rewritten: kept per call. */
interface DrizzleQuery {
  /** The table expression as written in the chain (`todos`), or the `db.query.<name>` accessor name. */
  table: ts.Expression | string;
  where?: ts.Expression;
  /** Where a `.where(...)` goes when there is none: after this call. */
  whereAfter?: ts.CallExpression;
  /** `db.query.t.findFirst(options)`: the options object (or none). */
  options?: ts.CallExpression;
}

const queries = new WeakMap<ts.CallExpression, DrizzleQuery>();
const resolvers = new WeakMap<ts.CallExpression, MatchContext['resolver']>();

/**
 * Drizzle's query builder and relational queries, recognised by their table (a `sqliteTable`/`pgTable`/
 * `mysqlTable` of the project, see schema/drizzle.ts), on the outermost call of the chain:
 * `db.select().from(t).where(c)`, `db.update(t).set(v).where(c)`, `db.delete(t).where(c)`,
 * `db.insert(t).values(v)`, `db.query.t.findFirst({ where })` / `findMany`.
 */
export function matchDrizzle(call: ts.CallExpression, ctx: MatchContext): DbCall | undefined {
  if (!isChainTop(call)) return undefined;
  resolvers.set(call, ctx.resolver);
  const { links, root } = chainOf(call);
  const first = links[0];
  const link = (name: string) => links.find((l) => l.name === name);
  if (!first) return undefined;

  // Relational queries: db.query.todos.findFirst(...)
  if (links.length === 1 && (first.name === 'findFirst' || first.name === 'findMany') && ts.isPropertyAccessExpression(root)) {
    const queryRoot = unwrap(root.expression);
    if (!ts.isPropertyAccessExpression(queryRoot) || queryRoot.name.text !== 'query') return undefined;
    const model = ctx.schema.get(root.name.text, 'drizzle');
    if (!model || model.layer !== 'drizzle') return undefined;
    const options = objectLiteralOf(first.call.arguments[0]);
    const where = options && propertyValue(options, 'where');
    queries.set(call, { table: root.name.text, where, options: first.call });
    return drizzleCall(call, model.name, ctx, first.name, first.name === 'findFirst' ? 'read' : 'list', where, []);
  }

  const op = first.name;
  const tableArg = op === 'select' || op === 'selectDistinct' ? link('from')?.call.arguments[0] : first.call.arguments[0];
  if (!tableArg || !['select', 'selectDistinct', 'update', 'delete', 'insert'].includes(op)) return undefined;
  const tableName = drizzleTableName(ctx.resolver.value(tableArg));
  const model = tableName ? ctx.schema.get(tableName, 'drizzle') : undefined;
  if (!tableName || !model || model.layer !== 'drizzle') return undefined;
  const whereLink = link('where');
  const where = whereLink?.call.arguments[0];
  const after = op === 'update' ? link('set')?.call : op === 'delete' ? first.call : link('from')?.call;
  queries.set(call, { table: tableArg, where, whereAfter: after });
  if (op === 'insert') return drizzleCall(call, model.name, ctx, 'insert', 'create', undefined, dataOf(link('values')));
  if (op === 'update') return drizzleCall(call, model.name, ctx, 'update', 'update', where, dataOf(link('set')));
  if (op === 'delete') return drizzleCall(call, model.name, ctx, 'delete', 'delete', where, []);
  // A select that names the primary key picks one record; otherwise it lists.
  const selectsId = where !== undefined && conditionColumns(where, ctx).includes(model.idField);
  // A condition that is not a plain AND of equalities (`or(...)`, `like(...)`) may bind the owner: no list claim.
  const opaque = where !== undefined && !selectsId && !isConjunctionOfEqualities(where, ctx.resolver);
  return drizzleCall(call, model.name, ctx, op, selectsId || opaque ? 'read' : 'list', where, []);
}

function drizzleCall(
  call: ts.CallExpression,
  modelName: string,
  ctx: MatchContext,
  operation: string,
  kind: DbCall['kind'],
  where: ts.Expression | undefined,
  data: ts.Expression[],
): DbCall {
  return { layer: 'drizzle', call, modelName, model: ctx.schema.get(modelName, 'drizzle'), operation, kind, filter: where, data };
}

function dataOf(link: Link | undefined): ts.Expression[] {
  const arg = link?.call.arguments[0];
  return arg ? [arg] : [];
}

/**
 * A Drizzle condition read as the filter object other layers write: `and(eq(t.id, id), eq(t.userId, me))`
 * → entries `id` and `userId` with their values' origins. Only conjunctions are read: an `or(...)`
 * binds nothing for sure, so it contributes no entries.
 */
export function drizzleFilterShape(db: DbCall, prov: Provenance): ObjectShape | undefined {
  if (!db.filter) return undefined;
  const entries: ShapeEntry[] = [];
  for (const { column, value, node } of equalities(db.filter, prov.resolver)) {
    // The eq(...) call stands where other layers have a property: fixes replace `value` inside it.
    entries.push({ kind: 'prop', key: column, value, node: node as unknown as ts.ObjectLiteralElementLike, origin: prov.origin(value) });
  }
  return { entries };
}

interface Equality {
  column: string;
  value: ts.Expression;
  node: ts.CallExpression;
}

function equalities(cond: ts.Expression, resolver: MatchContext['resolver'], depth = 0): Equality[] {
  if (depth > 8) return [];
  let e = unwrap(cond);
  if (ts.isIdentifier(e)) {
    const v = resolver.value(e);
    if (v.kind !== 'node' || v.node === e || !ts.isCallExpression(unwrap(v.node))) return [];
    e = unwrap(v.node);
  }
  if (!ts.isCallExpression(e)) return [];
  const op = operatorName(e, resolver);
  if (op === 'and') return e.arguments.flatMap((a) => equalities(a, resolver, depth + 1));
  if (op !== 'eq' || e.arguments.length !== 2) return [];
  const [a, b] = e.arguments;
  const left = columnName(a, resolver);
  if (left) return [{ column: left, value: b, node: e }];
  const right = columnName(b, resolver);
  return right ? [{ column: right, value: a, node: e }] : [];
}

/** `eq(a, b)`, or `and(...)` of such: every term readable as a column equality. */
function isConjunctionOfEqualities(cond: ts.Expression, resolver: MatchContext['resolver'], depth = 0): boolean {
  if (depth > 8) return false;
  let e = unwrap(cond);
  if (ts.isIdentifier(e)) {
    const v = resolver.value(e);
    if (v.kind !== 'node' || v.node === e) return false;
    e = unwrap(v.node);
  }
  if (!ts.isCallExpression(e)) return false;
  const op = operatorName(e, resolver);
  if (op === 'and') return e.arguments.every((a) => isConjunctionOfEqualities(a, resolver, depth + 1));
  return op === 'eq' && equalities(e, resolver, depth + 1).length === 1;
}

/** `eq`/`and` from drizzle-orm, or from the operators parameter of a relational `where` callback. */
function operatorName(call: ts.CallExpression, resolver: MatchContext['resolver']): string | undefined {
  const v = resolver.value(call.expression);
  if (v.kind === 'external' && v.pkg === 'drizzle-orm') return v.path[v.path.length - 1];
  if (v.kind === 'param' && ts.isIdentifier(unwrap(call.expression))) return (unwrap(call.expression) as ts.Identifier).text;
  return undefined;
}

/** `todos.userId` where `todos` is a Drizzle table, or the table parameter of a `where` callback. */
function columnName(expr: ts.Expression, resolver: MatchContext['resolver']): string | undefined {
  const e = unwrap(expr);
  if (!ts.isPropertyAccessExpression(e)) return undefined;
  const base = resolver.value(e.expression);
  if (drizzleTableName(base) || (base.kind === 'param' && base.path.length === 0)) return e.name.text;
  return undefined;
}

function conditionColumns(cond: ts.Expression, ctx: MatchContext): string[] {
  return equalities(cond, ctx.resolver).map((q) => q.column);
}

/** The variable a `sqliteTable(...)`/`pgTable(...)`/`mysqlTable(...)` call is assigned to. */
function drizzleTableName(v: Value): string | undefined {
  if (v.kind !== 'node') return undefined;
  const node = unwrap(v.node);
  if (!ts.isCallExpression(node)) return undefined;
  const callee = unwrap(node.expression);
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
  if (!/^(sqlite|pg|mysql|singlestore)Table$/.test(name)) return undefined;
  const holder = node.parent;
  return ts.isVariableDeclaration(holder) && ts.isIdentifier(holder.name) ? holder.name.text : undefined;
}

/**
 * Binds the query to its owner in the query itself: `where(eq(t.id, id))` →
 * `where(and(eq(t.id, id), eq(t.userId, <principal>)))` (appending to an existing `and(...)`), a missing
 * `.where(...)` is added after `from`/`set`/`delete`, and `eq`/`and` are imported from drizzle-orm.
 */
export function drizzleScopeFix(db: DbCall, ownerField: string, principal: string): FixOutcome {
  const q = queries.get(db.call);
  const resolver = resolvers.get(db.call);
  if (!q || !resolver) return { notFixableReason: 'the query could not be located for editing' };
  const sf = db.call.getSourceFile();
  const table = typeof q.table === 'string' ? q.table : q.table.getText(sf);
  if (typeof q.table === 'string') {
    const decl = findDeclaration(q.table, db.call);
    if (!decl) return { notFixableReason: `\`${q.table}\` is not in scope here; import the table to bind ${ownerField} to the authenticated user` };
  }
  const owner = ownerValue(principal, db.model, ownerField);
  const ownerEq = `eq(${table}.${ownerField}, ${owner})`;
  const edits: TextEdit[] = [];
  const names = ['eq'];
  if (q.where) {
    const where = unwrap(q.where);
    if (isFunctionLike(where)) return { notFixableReason: 'the where callback is not rewritten automatically; add the owner condition to it' };
    // The condition already compares the owner column, with a client value: take the value from the principal
    // instead (the same edit user-id-from-request makes, so the two fixes apply once).
    const ownerTest = equalities(q.where, resolver).find((x) => x.column === ownerField);
    if (ownerTest) {
      edits.push(replaceNode(ownerTest.value, owner));
    } else if (ts.isCallExpression(where) && ts.isIdentifier(where.expression) && where.expression.text === 'and' && where.arguments.length) {
      edits.push(insertAt(sf, where.arguments[where.arguments.length - 1].end, `, ${ownerEq}`));
    } else {
      edits.push(replaceNode(q.where, `and(${q.where.getText(sf)}, ${ownerEq})`));
      names.push('and');
    }
  } else if (q.options) {
    const options = q.options.arguments[0] && unwrap(q.options.arguments[0]);
    if (!options) edits.push(insertAt(sf, q.options.arguments.pos, objectText([`where: ${ownerEq}`])));
    else if (ts.isObjectLiteralExpression(options)) edits.push(appendProperty(options, `where: ${ownerEq}`));
    else return { notFixableReason: 'the query options are built elsewhere' };
  } else if (q.whereAfter) {
    edits.push(insertAt(sf, q.whereAfter.end, `.where(${ownerEq})`));
  } else return { notFixableReason: 'no place for a where clause in this query' };
  const esm = sf.statements.some(ts.isImportDeclaration);
  const imp = importEdit(sf.fileName, sf.text, { names: names.sort(), specifier: 'drizzle-orm', moduleKind: esm ? 'esm' : 'cjs' }, detectStyle(sf.text, sf.fileName));
  if (imp) edits.push(imp);
  return { fix: { description: `bind ${db.modelName}.${db.operation} to the authenticated user (${ownerField})`, edits } };
}

function isFunctionLike(n: ts.Node): boolean {
  return ts.isArrowFunction(n) || ts.isFunctionExpression(n);
}
