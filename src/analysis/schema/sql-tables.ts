import { ts } from 'ts-morph';
import type { DataLayer } from '../../model/facts.js';
import { unwrap } from '../../syntax/resolve.js';
import type { IdentityFields } from '../identity-fields.js';
import { calleeText, forEachCallLike, stringArg } from './ast.js';
import type { OwnerModel } from './owner-schema.js';

const USER_TABLE = /^(users?|accounts?|members?|profiles?)$/i;

interface Column {
  name: string;
  /** The table a foreign key on this column references. */
  references?: string;
}

/**
 * Tables from SQL migrations (`CREATE TABLE todos (..., user_id INT REFERENCES users(id))` in `*.sql`
 * files, passed as text), Knex migrations (`createTable('todos', (t) => { t.integer('user_id').references('id')
 * .inTable('users') })`) and Kysely migrations (`createTable('todos').addColumn('user_id', 'integer', (c) =>
 * c.references('users.id'))`). The owner is the column that references the user table, else the best
 * identity-named column. Used by raw SQL, Knex and Kysely queries, which name tables as strings.
 */
export function collectSqlTables(sqlFiles: { file: string; text: string }[], sources: ts.SourceFile[], identity: IdentityFields): OwnerModel[] {
  const models: OwnerModel[] = [];
  for (const { file, text } of sqlFiles) {
    for (const { table, columns } of createTableStatements(text)) models.push(model(table, columns, 'sql', file, identity));
  }
  for (const sf of sources) {
    if (!sf.text.includes('createTable')) continue;
    forEachCallLike(sf, (call) => {
      if (!ts.isCallExpression(call) || calleeText(call) !== 'createTable') return;
      const table = stringArg(call, 0);
      if (!table) return;
      const builder = call.arguments[1] && unwrap(call.arguments[1]);
      if (builder && (ts.isArrowFunction(builder) || ts.isFunctionExpression(builder))) {
        models.push(model(table, knexColumns(builder), 'knex', sf.fileName, identity));
      } else if (!builder) {
        const columns = kyselyColumns(call);
        if (columns.length) models.push(model(table, columns, 'kysely', sf.fileName, identity));
      }
    });
  }
  return models;
}

function model(table: string, columns: Column[], layer: DataLayer, file: string, identity: IdentityFields): OwnerModel {
  const names = columns.map((c) => c.name);
  const idField = names.includes('id') ? 'id' : (names[0] ?? 'id');
  let ownerField: string | undefined;
  let why: string | undefined;
  if (!USER_TABLE.test(table)) {
    const fk = columns.find((c) => c.references && USER_TABLE.test(c.references));
    if (fk) [ownerField, why] = [fk.name, `\`${fk.name}\` references ${fk.references}`];
    else {
      const ids = names.filter((n) => identity.has(n)).sort((a, b) => identity.rank(a) - identity.rank(b));
      if (ids[0]) [ownerField, why] = [ids[0], `identity column \`${ids[0]}\``];
    }
  }
  return { name: table, layer, idField, ownerField, evidence: why && `${file}: ${why}`, aliases: [] };
}

/** `CREATE TABLE [IF NOT EXISTS] name ( col type ..., FOREIGN KEY (col) REFERENCES users(id) )`. */
function createTableStatements(text: string): { table: string; columns: Column[] }[] {
  const out: { table: string; columns: Column[] }[] = [];
  const source = text.replace(/--.*$/gm, '');
  const head = /create\s+table\s+(?:if\s+not\s+exists\s+)?(?:["`[]?\w+["`\]]?\.)?["`[]?(\w+)["`\]]?\s*\(/gi;
  for (let m = head.exec(source); m; m = head.exec(source)) {
    // The body up to the matching parenthesis.
    let depth = 1;
    let i = head.lastIndex;
    for (; i < source.length && depth > 0; i++) {
      if (source[i] === '(') depth++;
      else if (source[i] === ')') depth--;
    }
    const body = source.slice(head.lastIndex, i - 1);
    const columns: Column[] = [];
    for (const part of splitTopLevel(body)) {
      const fk = /^\s*(?:constraint\s+\w+\s+)?foreign\s+key\s*\(\s*["`]?(\w+)["`]?\s*\)\s*references\s+["`]?(\w+)/i.exec(part);
      if (fk) {
        const col = columns.find((c) => c.name === fk[1]);
        if (col) col.references = fk[2];
        continue;
      }
      const col = /^\s*["`[]?(\w+)["`\]]?\s+\w+/.exec(part);
      if (!col || /^(primary|unique|check|constraint|key|index)$/i.test(col[1])) continue;
      columns.push({ name: col[1], references: /\breferences\s+["`]?(\w+)/i.exec(part)?.[1] });
    }
    out.push({ table: m[1], columns });
  }
  return out;
}

function splitTopLevel(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '(') depth++;
    else if (body[i] === ')') depth--;
    else if (body[i] === ',' && depth === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(body.slice(start));
  return parts;
}

/** `t.integer('user_id').references('id').inTable('users')`, `t.uuid('user_id').references('users.id')`, `t.foreign('user_id').references('users.id')`. */
function knexColumns(builder: ts.ArrowFunction | ts.FunctionExpression): Column[] {
  const columns: Column[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isExpressionStatement(n)) {
      const chain = chainCalls(n.expression);
      const first = chain[0];
      const name = first && stringArg(first.call, 0);
      if (first && name) {
        const refs = chain.find((c) => c.name === 'references');
        const inTable = chain.find((c) => c.name === 'inTable');
        const target = (inTable && stringArg(inTable.call, 0)) ?? (refs && stringArg(refs.call, 0)?.split('.')[0]);
        const references = refs && target && (inTable || stringArg(refs.call, 0)?.includes('.')) ? target : undefined;
        if (first.name === 'foreign') {
          const col = columns.find((c) => c.name === name);
          if (col && references) col.references = references;
        } else if (!/^(primary|unique|index|timestamps)$/.test(first.name)) {
          columns.push({ name, references });
        }
      }
    }
    ts.forEachChild(n, visit);
  };
  if (builder.body) visit(builder.body);
  return columns;
}

/** `schema.createTable('todos').addColumn('id', ...).addColumn('user_id', 'integer', (c) => c.references('users.id'))`. */
function kyselyColumns(create: ts.CallExpression): Column[] {
  const columns: Column[] = [];
  let cur: ts.Node = create;
  while (ts.isPropertyAccessExpression(cur.parent) && ts.isCallExpression(cur.parent.parent)) {
    const call = cur.parent.parent;
    if (cur.parent.name.text === 'addColumn') {
      const name = stringArg(call, 0);
      const cb = call.arguments[2];
      const refs = cb && /\.references\(\s*['"](\w+)\./.exec(cb.getText())?.[1];
      if (name) columns.push({ name, references: refs });
    }
    cur = call;
  }
  return columns;
}

function chainCalls(expr: ts.Expression): { name: string; call: ts.CallExpression }[] {
  const out: { name: string; call: ts.CallExpression }[] = [];
  let cur: ts.Expression = expr;
  while (ts.isCallExpression(cur) && ts.isPropertyAccessExpression(cur.expression)) {
    out.unshift({ name: cur.expression.name.text, call: cur });
    cur = cur.expression.expression;
  }
  return out;
}
