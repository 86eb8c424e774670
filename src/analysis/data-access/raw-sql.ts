import { ts } from 'ts-morph';
import type { TextEdit } from '../../model/types.js';
import { unwrap } from '../../syntax/resolve.js';
import { findDeclaration } from '../../syntax/scope.js';
import { insertAt } from '../fixes/edits.js';
import type { FixOutcome } from '../fixes/scope-fix.js';
import type { ObjectShape, Provenance, ShapeEntry } from '../provenance.js';
import { propertyValue } from '../schema/ast.js';
import type { AnyDbCall, DbCall, MatchContext, QueryNode } from './db-call.js';
import { runsSql } from './sql-tag.js';
import { parseSql, type SqlStatement } from './sql-text.js';

/**
 * Methods that take SQL text first and its values after it (an array, or one argument each); Prisma's
 * `$queryRaw(Prisma.sql\`...\`)` takes a template.
 */
const TEXT_FIRST = new Set(['query', 'execute', '$queryRaw', '$executeRaw', '$queryRawUnsafe', '$executeRawUnsafe', 'all', 'get', 'run', 'any', 'one', 'oneOrNone', 'many', 'none', 'manyOrNone']);
/** better-sqlite3: `db.prepare(text).get(...values)`. */
const PREPARED_RUNS = new Set(['get', 'all', 'run', 'iterate']);
const SELECTOR = /^(_?id|uuid|slug)$/i;

interface RawQuery {
  statement: SqlStatement;
  /** The SQL as parsed: a template's interpolations are written `${n}`. */
  text: string;
  /** The SQL text node: a string literal, a template, or a tagged template's template. */
  textNode: ts.Expression;
  /** The values in order: array elements, spread arguments, or template spans. */
  values: (ts.Expression | undefined)[];
  /** Where a new value goes: the values array, the argument list, or the template itself. */
  valuesAt: { kind: 'array'; array: ts.ArrayLiteralExpression } | { kind: 'args'; call: ts.CallExpression } | { kind: 'template' } | { kind: 'none'; call: ts.CallExpression };
}

const raws = new WeakMap<QueryNode, RawQuery>();

/**
 * Raw SQL: `pool.query('SELECT * FROM todos WHERE id = $1', [id])`, `conn.execute('... WHERE id = ?', [id])`,
 * `pool.query({ text, values })`, `db.prepare('...').get(id)`, `prisma.$queryRawUnsafe('...', id)`,
 * `db.query(sql\`SELECT ... WHERE id = ${id}\`)`, for statements on a table the project declares (migrations,
 * or any other schema). The WHERE clause is read for `column = <placeholder>` terms joined by AND.
 */
export function matchRawSql(call: ts.CallExpression, ctx: MatchContext): DbCall | undefined {
  const callee = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const method = callee.name.text;
  let found: Omit<RawQuery, 'statement'> | undefined;
  const receiver = unwrap(callee.expression);
  if (PREPARED_RUNS.has(method) && ts.isCallExpression(receiver) && ts.isPropertyAccessExpression(receiver.expression) && receiver.expression.name.text === 'prepare') {
    const text = sqlText(receiver.arguments[0]);
    if (text) found = { ...text, values: text.values ?? [...call.arguments], valuesAt: text.values ? { kind: 'template' } : { kind: 'args', call } };
  } else if (TEXT_FIRST.has(method) && call.arguments[0]) {
    const first = unwrap(call.arguments[0]);
    const config = ts.isObjectLiteralExpression(first) ? first : undefined;
    const text = sqlText(config ? propertyValue(config, 'text') ?? propertyValue(config, 'sql') : (first as ts.Expression));
    if (text) {
      const valuesArg = config ? propertyValue(config, 'values') : call.arguments[1];
      const array = valuesArg && arrayOf(valuesArg);
      if (text.values) found = { ...text, values: text.values, valuesAt: { kind: 'template' } };
      else if (array) found = { ...text, values: [...array.elements], valuesAt: { kind: 'array', array } };
      else if (method.endsWith('Unsafe')) found = { ...text, values: [...call.arguments.slice(1)], valuesAt: { kind: 'args', call } };
      else found = { ...text, values: [], valuesAt: { kind: 'none', call } };
    }
  }
  return found && rawDbCall(call, found, ctx);
}

/**
 * A tagged template that runs its SQL: postgres.js `await sql\`SELECT * FROM todos WHERE id = ${id}\``
 * (`const sql = postgres(url)`), Neon, Vercel Postgres, Bun, `prisma.$queryRaw\`...\``. The tag must resolve
 * to such a client (see sql-tag.ts); a template that is the SQL text of a call is read with that call.
 */
export function matchSqlTemplate(node: ts.TaggedTemplateExpression, ctx: MatchContext): DbCall<ts.TaggedTemplateExpression> | undefined {
  const parent = node.parent;
  if (ts.isCallExpression(parent) && parent.arguments[0] === node) return undefined;
  if (!runsSql(node.tag, ctx.resolver)) return undefined;
  const text = sqlText(node);
  return text?.values ? rawDbCall(node, { ...text, values: text.values, valuesAt: { kind: 'template' } }, ctx) : undefined;
}

function rawDbCall<Q extends QueryNode>(node: Q, found: Omit<RawQuery, 'statement'>, ctx: MatchContext): DbCall<Q> | undefined {
  const statement = parseSql(found.text);
  const model = statement && ctx.schema.get(statement.table);
  if (!statement || !model) return undefined;
  raws.set(node, { ...found, statement });
  const kind: DbCall['kind'] =
    statement.op === 'insert' ? 'create'
    : statement.op === 'update' ? 'update'
    : statement.op === 'delete' ? 'delete'
    // A SELECT by a selector column picks one row; a WHERE we cannot read may bind the owner: not a list either.
    : statement.where.some((w) => w.column === model.idField || SELECTOR.test(w.column)) || (statement.hasWhere && statement.where.length === 0) ? 'read'
    : 'list';
  return { layer: 'sql', call: node, modelName: model.name, model, operation: statement.op, kind, data: [] };
}

/** The SQL text and, for templates, the interpolated values: `${n}` stands for the n-th. */
function sqlText(arg: ts.Expression | undefined): { text: string; textNode: ts.Expression; values?: ts.Expression[] } | undefined {
  if (!arg) return undefined;
  let e = unwrap(arg) as ts.Expression;
  if (ts.isIdentifier(e)) {
    const decl = findDeclaration(e.text, e);
    if (decl && ts.isVariableDeclaration(decl) && decl.initializer && decl.parent.flags & ts.NodeFlags.Const) e = unwrap(decl.initializer) as ts.Expression;
  }
  if (ts.isTaggedTemplateExpression(e)) e = e.template;
  // A template without interpolations (`sql\`SELECT 1\``) is text with no values.
  if (ts.isNoSubstitutionTemplateLiteral(e) && ts.isTaggedTemplateExpression(e.parent)) {
    return /^\s*(select|update|delete|insert)\b/i.test(e.text) ? { text: e.text, textNode: e, values: [] } : undefined;
  }
  if (ts.isStringLiteralLike(e)) return /^\s*(select|update|delete|insert)\b/i.test(e.text) ? { text: e.text, textNode: e } : undefined;
  if (ts.isTemplateExpression(e)) {
    let text = e.head.text;
    e.templateSpans.forEach((s, i) => (text += `\${${i}}${s.literal.text}`));
    return /^\s*(select|update|delete|insert)\b/i.test(text) ? { text, textNode: e, values: e.templateSpans.map((s) => s.expression) } : undefined;
  }
  return undefined;
}

function arrayOf(expr: ts.Expression): ts.ArrayLiteralExpression | undefined {
  const e = unwrap(expr);
  if (ts.isArrayLiteralExpression(e)) return e;
  if (ts.isIdentifier(e)) {
    const decl = findDeclaration(e.text, e);
    if (decl && ts.isVariableDeclaration(decl) && decl.initializer && ts.isArrayLiteralExpression(unwrap(decl.initializer))) return unwrap(decl.initializer) as ts.ArrayLiteralExpression;
  }
  return undefined;
}

export function isRawSqlCall(db: AnyDbCall): boolean {
  return raws.has(db.call);
}

/**
 * WHERE terms, or the values written (INSERT columns, UPDATE SET assignments), with the values their
 * placeholders take. A SET value is only ever written: it never scopes the rows the statement touches.
 */
export function rawSqlShape(db: AnyDbCall, prov: Provenance, part: 'where' | 'written'): ObjectShape | undefined {
  const q = raws.get(db.call);
  if (!q) return undefined;
  const bindings = part === 'where' ? q.statement.where : [...q.statement.insert, ...q.statement.set];
  const entries: ShapeEntry[] = [];
  for (const b of bindings) {
    const value = b.index === undefined ? undefined : q.values[b.index];
    if (value && !ts.isSpreadElement(value)) entries.push({ kind: 'prop', key: b.column, value, node: value as unknown as ts.ObjectLiteralElementLike, origin: prov.origin(value) });
  }
  return { entries };
}

/**
 * Adds `AND <owner> = <placeholder>` to the WHERE clause (or a WHERE clause) and the principal to the
 * values: `$n` numbering continues, `?` only when the new one is the last placeholder, a template gets
 * `${principal}`. The text is edited in place, so only literal SQL in the call is rewritten.
 */
export function rawSqlScopeFix(db: AnyDbCall, ownerField: string, principal: string): FixOutcome {
  const q = raws.get(db.call);
  if (!q) return { notFixableReason: 'the query could not be located for editing' };
  const { statement, textNode } = q;
  // The column's SQL spelling is known only from SQL-level schemas (Prisma's userId may be "userId" or user_id).
  if (!['sql', 'knex', 'kysely'].includes(db.model?.layer ?? '')) {
    return { notFixableReason: `the SQL name of ${ownerField} in ${statement.table} is not known here; add it to the WHERE clause by hand` };
  }
  // Postgres folds unquoted names to lower case: a mixed-case column needs the quoting its dialect uses.
  if (ownerField !== ownerField.toLowerCase()) {
    return { notFixableReason: `${ownerField} needs quoting in SQL; add it to the WHERE clause by hand` };
  }
  if (statement.hasWhere && statement.where.length === 0) return { notFixableReason: 'the WHERE clause is not a plain AND of equalities; add the owner condition by hand' };
  const sf = db.call.getSourceFile();
  const text = ts.isTemplateExpression(textNode) ? undefined : (textNode as ts.StringLiteralLike).text;
  let placeholder: string;
  const edits: TextEdit[] = [];
  if (q.valuesAt.kind === 'template') placeholder = `\${${principal}}`;
  else if (text && /\$\d+/.test(text)) placeholder = `$${q.values.length + 1}`;
  else if (text && !text.slice(statement.whereEnd).includes('?')) placeholder = '?';
  else return { notFixableReason: 'placeholders after the WHERE clause; add the owner condition by hand' };
  if (q.valuesAt.kind === 'array') {
    const els = q.valuesAt.array.elements;
    edits.push(els.length ? insertAt(sf, els[els.length - 1].getEnd(), `, ${principal}`) : insertAt(sf, q.valuesAt.array.getStart(sf) + 1, principal));
  } else if (q.valuesAt.kind === 'args') {
    const args = q.valuesAt.call.arguments;
    edits.push(args.length ? insertAt(sf, args[args.length - 1].getEnd(), `, ${principal}`) : insertAt(sf, q.valuesAt.call.arguments.pos, principal));
  } else if (q.valuesAt.kind === 'none') {
    edits.push(insertAt(sf, (q.valuesAt.call.arguments[0] as ts.Node).getEnd(), `, [${principal}]`));
  }
  const atEnd = statement.whereEnd >= q.text.replace(/[\s;]+$/, '').length;
  const condition = statement.hasWhere ? ` AND ${ownerField} = ${placeholder}` : atEnd ? ` WHERE ${ownerField} = ${placeholder}` : `WHERE ${ownerField} = ${placeholder} `;
  const pos = sourceOffset(textNode, statement.whereEnd, sf);
  if (pos === undefined) return { notFixableReason: 'the SQL text could not be edited in place' };
  edits.push(insertAt(sf, pos, condition));
  return { fix: { description: `bind the ${statement.op} on ${statement.table} to the authenticated user (${ownerField})`, edits } };
}

/** The source position of an offset in the SQL text (a literal without escapes before it, or a template's parts). */
function sourceOffset(node: ts.Expression, offset: number, sf: ts.SourceFile): number | undefined {
  if (ts.isStringLiteralLike(node)) {
    const raw = node.getText(sf).slice(1, -1);
    if (raw.slice(0, offset) !== node.text.slice(0, offset)) return undefined;
    return node.getStart(sf) + 1 + offset;
  }
  if (!ts.isTemplateExpression(node)) return undefined;
  // Walk the parts: head, then for each span its `${n}` marker and its literal.
  let consumed = node.head.text.length;
  if (offset <= consumed) return node.head.getStart(sf) + 1 + offset;
  for (let i = 0; i < node.templateSpans.length; i++) {
    const span = node.templateSpans[i];
    consumed += `\${${i}}`.length;
    const lit = span.literal;
    if (offset <= consumed + lit.text.length) return lit.getStart(sf) + 1 + (offset - consumed);
    consumed += lit.text.length;
  }
  return undefined;
}

