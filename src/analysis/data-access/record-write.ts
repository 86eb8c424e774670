import { ts } from 'ts-morph';
import type { DataAccess, DataLayer } from '../../model/facts.js';
import { isFunctionNode, returnedExpressions, type FunctionNode } from '../../syntax/functions.js';
import { locOf, snippet } from '../../syntax/loc.js';
import { unwrap } from '../../syntax/resolve.js';
import { findDeclaration } from '../../syntax/scope.js';
import type { IdentityFields } from '../identity-fields.js';
import { unwrapValue, type Provenance } from '../provenance.js';
import { reassignedValues } from '../reassignment.js';
import type { AccessRecord } from './access-facts.js';
import type { DbCall, MatchContext } from './db-call.js';
import { matchMongoose } from './mongoose.js';
import { recordCheck } from './record-check.js';
import { matchSequelize } from './sequelize.js';
import { matchTypeorm, repositoryEntity } from './typeorm.js';

/**
 * A call that writes back a record read earlier: TypeORM `repo.save(todo)` / `manager.save(todo)` /
 * `repo.remove(todo)`, Mongoose `todo.save()`, Sequelize `todo.update(values)` / `todo.destroy()`. The read
 * chose the record, so the write changes the record the read's filter selected: it is an update or delete
 * by the read's id, scoped exactly when the read was (or when its record was checked before the write).
 */
export interface RecordWrite extends DbCall {
  /** The read that selected the record. */
  source: DbCall;
  /** Calls of project functions that returned the record, from the write's function down to the read's. */
  via: ts.CallExpression[];
  /** The variables that held the record on its way, each followed up to where it was passed on. */
  holders: { decl: ts.VariableDeclaration; until: ts.Node }[];
  /** Values were merged into the record on its way (`Object.assign(todo, dto)`, `{ ...todo, ...dto }`), or are given to the write (`todo.update(dto)`). */
  merged: boolean;
}

export function isRecordWrite(db: object): db is RecordWrite {
  return 'source' in db;
}

/** Repository and EntityManager methods that write the entity they are given. */
const TYPEORM_WRITES = new Map<string, 'update' | 'delete'>([['save', 'update'], ['remove', 'delete'], ['softRemove', 'delete']]);
/** Methods of a fetched Mongoose document or Sequelize instance that write the record itself, and their values argument. */
const INSTANCE_WRITES = new Map<string, Partial<Record<DataLayer, { kind: 'update' | 'delete'; data?: number }>>>([
  ['save', { mongoose: { kind: 'update' }, sequelize: { kind: 'update' } }],
  ['update', { sequelize: { kind: 'update', data: 0 } }],
  ['updateOne', { mongoose: { kind: 'update', data: 0 } }],
  ['destroy', { sequelize: { kind: 'delete' } }],
  ['deleteOne', { mongoose: { kind: 'delete' } }],
  ['remove', { mongoose: { kind: 'delete' } }],
]);
/** Query chain methods after a read that still yield its record: `findById(id).exec()`. */
const CHAIN_METHODS = new Set(['exec', 'populate', 'select', 'orFail']);
/** Calls that return their first argument with the others merged in: `Object.assign`, `repo.merge`. */
const MERGES = new Set(['assign', 'merge']);
/** Methods of a record that only read it. */
const READING_METHODS = new Set(['get', 'getDataValue', 'toJSON', 'toObject', 'toString', 'equals', 'populated', 'isModified', 'hasOwnProperty']);
/** How many variables, merges and returning functions a record is followed through. */
const MAX_HOPS = 6;

export function matchRecordWrite(call: ts.CallExpression, ctx: MatchContext): RecordWrite | undefined {
  const callee = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const method = callee.name.text;
  const typeormKind = TYPEORM_WRITES.get(method);
  if (typeormKind) {
    // `manager.save(Todo, todo)` names the entity before the record.
    const value = call.arguments[call.arguments.length > 1 && namesEntity(call.arguments[0], ctx) ? 1 : 0];
    const trace = value && traceRecord(value, call, ctx);
    if (trace?.read.layer === 'typeorm' && writesEntity(callee.expression, trace.read, ctx)) return recordWrite(call, method, typeormKind, trace, [value]);
  }
  const instance = INSTANCE_WRITES.get(method);
  if (instance) {
    const trace = traceRecord(callee.expression, call, ctx);
    const op = trace && instance[trace.read.layer];
    if (trace && op) {
      const data = op.data === undefined ? undefined : call.arguments[op.data];
      return recordWrite(call, method, op.kind, data ? { ...trace, merged: true } : trace, data ? [data] : []);
    }
  }
  return undefined;
}

type Trace = Pick<RecordWrite, 'via' | 'holders' | 'merged'> & { read: DbCall };

function recordWrite(call: ts.CallExpression, operation: string, kind: 'update' | 'delete', trace: Trace, data: ts.Expression[]): RecordWrite {
  const { read, via, holders, merged } = trace;
  return { layer: read.layer, call, modelName: read.modelName, model: read.model, operation, kind, data, source: read, via, holders, merged };
}

/**
 * The read whose record `expr` is, followed through variables (unless replaced before the use: see
 * reassignedBefore), `Object.assign`/`merge`, a spread copy (it keeps the record's
 * primary key, so saving it writes that record) and project functions that return the record they read.
 * `end` is where the value leaves the current function: the write, or a `return`.
 */
function traceRecord(expr: ts.Node, end: ts.Node, ctx: MatchContext, depth = 0): Trace | undefined {
  if (depth > MAX_HOPS) return undefined;
  const e = unwrapValue(expr);
  if (ts.isIdentifier(e)) {
    const decl = findDeclaration(e.text, e);
    if (!decl || !ts.isVariableDeclaration(decl) || !ts.isIdentifier(decl.name) || !decl.initializer || reassignedBefore(decl, e)) return undefined;
    const t = traceRecord(decl.initializer, end, ctx, depth + 1);
    return t && { ...t, holders: [{ decl, until: end }, ...t.holders] };
  }
  if (ts.isCallExpression(e)) {
    const read = readOf(e, ctx);
    if (read) return { read, via: [], holders: [], merged: false };
    const callee = unwrap(e.expression);
    if (ts.isPropertyAccessExpression(callee) && MERGES.has(callee.name.text) && e.arguments[0]) {
      const t = traceRecord(e.arguments[0], end, ctx, depth + 1);
      return t && { ...t, merged: t.merged || e.arguments.length > 1 };
    }
    const fn = projectFunction(e, ctx);
    for (const returned of fn ? returnedExpressions(fn) : []) {
      const t = traceRecord(returned, returned, ctx, depth + 1);
      if (t) return { ...t, via: [e, ...t.via] };
    }
    return undefined;
  }
  if (ts.isObjectLiteralExpression(e)) {
    for (const p of e.properties) {
      const t = ts.isSpreadAssignment(p) ? traceRecord(p.expression, end, ctx, depth + 1) : undefined;
      if (t) return { ...t, merged: t.merged || e.properties.length > 1 };
    }
  }
  return undefined;
}

/** A read of one record (`findOne`, `findById`, `findByPk`, a query builder's `getOne`), possibly chained: `.exec()`. */
function readOf(call: ts.CallExpression, ctx: MatchContext): DbCall | undefined {
  let c = call;
  for (;;) {
    const callee = unwrap(c.expression);
    if (!ts.isPropertyAccessExpression(callee) || !CHAIN_METHODS.has(callee.name.text)) break;
    const inner = unwrap(callee.expression);
    if (!ts.isCallExpression(inner)) break;
    c = inner;
  }
  for (const match of [matchMongoose, matchSequelize, matchTypeorm]) {
    const db = match(c, ctx);
    if (db) return db.kind === 'read' ? db : undefined;
  }
  return undefined;
}

/**
 * `todo = new Todo()` as a statement of the declaring block, before the use: the record is replaced. A
 * conditional reassignment (`if (!todo) todo = repo.create(dto)`) may leave the record, so it is still followed.
 */
function reassignedBefore(decl: ts.VariableDeclaration, use: ts.Node): boolean {
  const block = decl.parent.parent.parent;
  return !!reassignedValues(decl)?.some((v) => {
    const assignment = v.parent;
    return ts.isBinaryExpression(assignment) && ts.isExpressionStatement(assignment.parent) && assignment.parent.parent === block && assignment.getEnd() <= use.getStart();
  });
}

function projectFunction(call: ts.CallExpression, ctx: MatchContext): FunctionNode | undefined {
  const v = ctx.resolver.value(call.expression);
  if (v.kind !== 'node') return undefined;
  const n = ts.isVariableDeclaration(v.node) && v.node.initializer ? unwrap(v.node.initializer) : v.node;
  return isFunctionNode(n) && n.body ? n : undefined;
}

/** `Todo` in `manager.save(Todo, todo)`: a TypeORM entity class of the project. */
function namesEntity(arg: ts.Expression, ctx: MatchContext): boolean {
  const e = unwrap(arg);
  const model = ts.isIdentifier(e) ? ctx.schema.get(e.text, 'typeorm') : undefined;
  return model?.layer === 'typeorm' && model.name === (e as ts.Identifier).text;
}

/** The receiver writes the read's entity: a repository of it, or an EntityManager (`dataSource.manager`, `em`). */
function writesEntity(receiver: ts.Expression, read: DbCall, ctx: MatchContext): boolean {
  const entity = repositoryEntity(receiver, ctx);
  if (entity) return entity === read.modelName;
  const e = unwrap(receiver);
  const name = ts.isIdentifier(e) ? e.text : ts.isPropertyAccessExpression(e) ? e.name.text : undefined;
  return !!name && /^em$|manager$/i.test(name);
}

/** Where a function's record write is analysed from: the function's place in the call chain. */
export interface WriteSite {
  root: string;
  identity: IdentityFields;
  chain: ts.CallExpression[];
  helperName?: string;
  /** Whether reads of the model are public (authored content): then only changes of the record count. */
  publicContent: (read: DataAccess) => boolean;
  /** The read's access, analysed where it runs (with the provenance of the helper that returned the record). */
  accessOfRead: (read: DbCall, prov: Provenance) => AccessRecord;
}

/**
 * The write's access, from its read's: the read's id and scoping, or a check of the returned record in a
 * function on the way (`const todo = await this.get(id); if (todo.userId !== me) throw ...`). A write that
 * only bumps counters or links other records (`article.favoriteCount++`, `article.comments.push(comment)`)
 * on public content (an article anyone may favorite) is not a change of it. A fix scopes the read.
 */
export function recordWriteAccess(write: RecordWrite, prov: Provenance, site: WriteSite): AccessRecord {
  let readProv: Provenance | undefined = prov;
  let readFn: FunctionNode | undefined;
  const checks: { call: ts.CallExpression; prov: Provenance }[] = [];
  for (const call of write.via) {
    if (!readProv) break;
    checks.push({ call, prov: readProv });
    readFn = readProv.calledFunction(call);
    readProv = readFn && readProv.forHelper(readFn, call);
  }
  const read = readProv && site.accessOfRead(write.source, readProv);
  // The read's selection (model, id, owner field) is the write's; a read out of reach selects nothing known.
  const selection = read ? selectionOf(read.fact) : { layer: write.layer, model: write.model?.name ?? write.modelName, byRequestId: false };
  let scopedBy = read?.fact.scopedBy;
  if (!scopedBy && checks.some((c) => recordCheck(c.call, selection.ownerField, site.identity, c.prov).ownerChecked)) scopedBy = 'check';
  if (!scopedBy && read && site.publicContent(read.fact) && write.kind === 'update' && !changesContent(write, prov)) scopedBy = 'query';
  const fact: DataAccess = {
    ...selection,
    operation: write.operation,
    kind: write.kind,
    ...(scopedBy ? { scopedBy } : {}),
    ...(read ? { readLoc: read.fact.loc } : {}),
    loc: locOf(write.call, site.root),
    expression: snippet(write.call, 80),
  };
  const readName = readFn?.name && ts.isIdentifier(readFn.name) ? readFn.name.text : write.via.at(-1)?.expression.getText();
  return {
    fact,
    db: write,
    idKey: read?.idKey,
    missingRefused: read?.missingRefused ?? false,
    chain: site.chain,
    helperName: site.helperName,
    fixAt: { db: write.source, chain: [...site.chain, ...write.via], helperName: readName ?? site.helperName },
  };
}

/** What a read selects, without what belongs to the read call itself (its place, scoping and fix). */
function selectionOf(read: DataAccess): Omit<DataAccess, 'loc' | 'expression' | 'operation' | 'kind'> {
  const { loc: _loc, readLoc: _readLoc, expression: _expression, operation: _operation, kind: _kind, scopedBy: _scopedBy, fix: _fix, notFixableReason: _reason, ...selection } = read;
  return selection;
}

/**
 * Whether the write changes what the record says: values merged or written into it, a property set, the record
 * handed to a project function (which may set anything). Not: `count++`, `count += 1`, `count = count + 1`, or
 * a collection method on one of its relations (`comments.push(comment)`) with no value from the request.
 */
function changesContent(write: RecordWrite, prov: Provenance): boolean {
  if (write.merged) return true;
  return write.holders.some(({ decl, until }) => {
    const name = (decl.name as ts.Identifier).text;
    const isRecord = (n: ts.Node) => {
      const u = unwrapValue(n);
      return ts.isIdentifier(u) && u.text === name && findDeclaration(name, u) === decl;
    };
    /** `todo.a.b` → the access chain's root is the record. */
    const onRecord = (n: ts.Node): boolean => {
      let u = unwrapValue(n);
      while (ts.isPropertyAccessExpression(u) || ts.isElementAccessExpression(u)) u = unwrapValue(u.expression);
      return isRecord(u);
    };
    const scope = decl.parent.parent.parent;
    let changed = false;
    const visit = (n: ts.Node): void => {
      if (changed || n.getStart() >= until.getStart()) return;
      if (n.getEnd() > decl.getEnd()) changed = mutates(n, isRecord, onRecord, prov);
      if (!changed) ts.forEachChild(n, visit);
    };
    visit(scope);
    return changed;
  });
}

function mutates(n: ts.Node, isRecord: (n: ts.Node) => boolean, onRecord: (n: ts.Node) => boolean, prov: Provenance): boolean {
  if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
    const left = unwrapValue(n.left);
    if (!(ts.isPropertyAccessExpression(left) || ts.isElementAccessExpression(left)) || !onRecord(left)) return false;
    return !isCounterStep(n);
  }
  if (ts.isDeleteExpression(n)) return onRecord(n.expression);
  if (!ts.isCallExpression(n)) return false;
  const callee = unwrap(n.expression);
  if (ts.isPropertyAccessExpression(callee)) {
    // `todo.set(values)`, `todo.setDataValue(...)`: the record's own methods may change it, unless they only read.
    if (isRecord(callee.expression)) return !READING_METHODS.has(callee.name.text);
    // `article.comments.push(comment)`: linking or unlinking other records, unless the value is the client's.
    if (onRecord(callee.expression)) return n.arguments.some((a) => prov.origin(a).kind === 'request');
    if (MERGES.has(callee.name.text) && n.arguments[0] && isRecord(n.arguments[0])) return true;
  }
  return n.arguments.some(isRecord) && !!prov.calledFunction(n);
}

/** `x.count++`, `--x.count`, `x.count += 1`, `x.count = x.count - 1`. */
function isCounterStep(n: ts.BinaryExpression): boolean {
  const op = n.operatorToken.kind;
  const literal = (e: ts.Node) => ts.isNumericLiteral(unwrap(e));
  if (op === ts.SyntaxKind.PlusEqualsToken || op === ts.SyntaxKind.MinusEqualsToken) return literal(n.right);
  if (op !== ts.SyntaxKind.EqualsToken) return false;
  const r = unwrap(n.right);
  return (
    ts.isBinaryExpression(r) &&
    (r.operatorToken.kind === ts.SyntaxKind.PlusToken || r.operatorToken.kind === ts.SyntaxKind.MinusToken) &&
    unwrap(r.left).getText() === unwrap(n.left).getText() &&
    literal(r.right)
  );
}
