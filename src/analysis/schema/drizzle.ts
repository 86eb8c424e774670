import { ts } from 'ts-morph';
import { isFunctionNode, returnedExpressions } from '../../syntax/functions.js';
import { propertyNameText, unwrap } from '../../syntax/resolve.js';
import { findDeclaration } from '../../syntax/scope.js';
import type { IdentityFields } from '../identity-fields.js';
import { calleeText, forEachCallLike, stringArg } from './ast.js';
import type { OwnerModel } from './owner-schema.js';

/** `sqliteTable`, `pgTable`, `mysqlTable`, `singlestoreTable` and the `*TableCreator` results named so. */
const TABLE_BUILDERS = /^(sqlite|pg|mysql|singlestore)Table$/;
const USER_TABLE = /^(user|users|account|accounts|member|members|profile|profiles)$/i;

/**
 * Drizzle tables: `export const todos = sqliteTable('todos', { id: text('id').primaryKey(),
 * userId: text('user_id').references(() => users.id) })`. The model is named by its variable (what
 * `db.query.<name>` and `from(<name>)` use), with the SQL name as an alias; fields are the JS keys. A
 * column that references the user table is the owner; otherwise the best identity-named column.
 */
export function collectDrizzleTables(files: Iterable<ts.SourceFile>, identity: IdentityFields): OwnerModel[] {
  const models: OwnerModel[] = [];
  for (const sf of files) {
    if (!sf.text.includes('drizzle-orm')) continue;
    forEachCallLike(sf, (call) => {
      if (!ts.isCallExpression(call) || !TABLE_BUILDERS.test(calleeText(call) ?? '')) return;
      const holder = call.parent;
      if (!ts.isVariableDeclaration(holder) || !ts.isIdentifier(holder.name) || holder.initializer !== call) return;
      const sqlName = stringArg(call, 0);
      const columns = columnsOf(call.arguments[1]);
      if (!columns) return;
      const name = holder.name.text;
      const keys = columns.map((c) => c.key);
      const idField = columns.find((c) => /\.primaryKey\(/.test(c.definition.getText()))?.key ?? (keys.includes('id') ? 'id' : keys[0] ?? 'id');
      const owner = USER_TABLE.test(name) || (sqlName && USER_TABLE.test(sqlName)) ? undefined : ownerOf(columns, identity);
      models.push({
        name,
        layer: 'drizzle',
        idField,
        ownerField: owner?.field,
        ...(owner?.type ? { ownerType: owner.type } : {}),
        evidence: owner && `${sf.fileName}: ${owner.why}`,
        aliases: sqlName && sqlName !== name ? [sqlName] : [],
      });
    });
  }
  return models;
}

interface Column {
  key: string;
  definition: ts.Expression;
}

/** The columns object: inline, or returned by the column-builder callback `(t) => ({ ... })`. */
function columnsOf(arg: ts.Expression | undefined): Column[] | undefined {
  if (!arg) return undefined;
  let e = unwrap(arg);
  if (isFunctionNode(e)) {
    const ret = returnedExpressions(e)[0];
    if (!ret) return undefined;
    e = unwrap(ret);
  }
  if (!ts.isObjectLiteralExpression(e)) return undefined;
  const out: Column[] = [];
  for (const p of e.properties) {
    if (!ts.isPropertyAssignment(p)) continue;
    const key = propertyNameText(p.name);
    if (key !== undefined) out.push({ key, definition: p.initializer });
  }
  return out;
}

function ownerOf(columns: Column[], identity: IdentityFields): { field: string; why: string; type?: 'number' | 'bigint' } | undefined {
  for (const c of columns) {
    const target = referencedTable(c.definition);
    if (target && USER_TABLE.test(target)) return { field: c.key, why: `\`${c.key}\` references ${target}`, type: numericType(c.definition) };
  }
  const named = columns.filter((c) => identity.has(c.key));
  named.sort((a, b) => identity.rank(a.key) - identity.rank(b.key));
  return named[0] && { field: named[0].key, why: `identity column \`${named[0].key}\``, type: numericType(named[0].definition) };
}

/** Column builders whose values are JavaScript numbers (sqlite, pg, mysql, singlestore). */
const NUMBER_COLUMNS = new Set(['integer', 'int', 'smallint', 'mediumint', 'tinyint', 'serial', 'smallserial']);
/** Builders whose values are numbers or bigints by their `mode` option. */
const WIDE_COLUMNS = new Set(['bigint', 'bigserial']);

/**
 * Whether a column holds numbers: `integer('user_id')`, `serial('id')`, `t.int()`, `bigint('id', { mode: 'number' })`
 * (a bigint without a readable mode, or with `mode: 'bigint'`, holds bigints). Other modes (`integer({ mode: 'timestamp' })`)
 * are not ids: undefined, like text columns.
 */
function numericType(definition: ts.Expression): 'number' | 'bigint' | undefined {
  let e = unwrap(definition);
  // The builder is the innermost call of the chain: integer('user_id').notNull().references(...).
  while (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && ts.isCallExpression(unwrap(e.expression.expression))) e = unwrap(e.expression.expression);
  if (!ts.isCallExpression(e)) return undefined;
  const builder = importedName(e.expression) ?? calleeText(e) ?? '';
  const options = e.arguments.map((a) => unwrap(a)).find(ts.isObjectLiteralExpression);
  const modeProp = options?.properties.find((p) => ts.isPropertyAssignment(p) && propertyNameText(p.name) === 'mode') as ts.PropertyAssignment | undefined;
  const mode = modeProp && ts.isStringLiteralLike(modeProp.initializer) ? modeProp.initializer.text : modeProp ? '?' : undefined;
  if (NUMBER_COLUMNS.has(builder)) return mode === undefined || mode === 'number' ? 'number' : undefined;
  if (WIDE_COLUMNS.has(builder)) return mode === 'number' ? 'number' : 'bigint';
  return undefined;
}

/** The exported name behind an imported alias: `import { integer as int }` → 'integer'. */
function importedName(callee: ts.Expression): string | undefined {
  if (!ts.isIdentifier(callee)) return undefined;
  const decl = findDeclaration(callee.text, callee);
  return decl && ts.isImportSpecifier(decl) ? (decl.propertyName ?? decl.name).text : undefined;
}

/** `.references(() => users.id)` → 'users'. */
function referencedTable(definition: ts.Expression): string | undefined {
  let found: string | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(n) && calleeText(n) === 'references' && n.arguments[0]) {
      const fn = unwrap(n.arguments[0]);
      const body = isFunctionNode(fn) ? returnedExpressions(fn)[0] : undefined;
      const target = body && unwrap(body);
      if (target && ts.isPropertyAccessExpression(target) && ts.isIdentifier(target.expression)) found = target.expression.text;
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(definition);
  return found;
}
