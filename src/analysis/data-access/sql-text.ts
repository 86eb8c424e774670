/**
 * Just enough SQL to scope a query: the statement, its table, and the `column = <placeholder>` terms of
 * a WHERE clause joined by AND. Placeholders are `$1` (node-postgres), `?` (mysql, sqlite), `:name`,
 * or `${n}` for the n-th interpolation of a tagged template. Anything else in the WHERE clause (OR,
 * sub-queries) makes that clause bind nothing for sure.
 */
/** `column = placeholder`, with the argument the placeholder takes (its index among the values), when known. */
export interface SqlBinding {
  column: string;
  placeholder: string;
  /** `$2` → 1, the third `?` → 2, `${n}` → n; undefined for named placeholders. */
  index?: number;
}

export interface SqlStatement {
  op: 'select' | 'update' | 'delete' | 'insert';
  table: string;
  /** Equalities of the WHERE clause, in order; empty when there is none or it cannot be read. */
  where: SqlBinding[];
  /** The statement has a WHERE clause. */
  hasWhere: boolean;
  /** INSERT columns and their placeholders (`INSERT INTO t (a, b) VALUES ($1, $2)`). */
  insert: SqlBinding[];
  /** UPDATE assignments written as `column = <placeholder>` (`UPDATE t SET a = $1, b = $2`): values written, never a filter. */
  set: SqlBinding[];
  /** Offset (in the SQL text) where an extra WHERE condition goes: end of the WHERE clause, or where one would start. */
  whereEnd: number;
}

const IDENT = String.raw`["\`\[]?(\w+)["\`\]]?`;
const TABLE = new RegExp(String.raw`^\s*(?:select\b[\s\S]*?\bfrom|update|delete\s+from|insert\s+into)\s+(?:\w+\.)?${IDENT}`, 'i');
const CLAUSE_END = /\b(order\s+by|group\s+by|limit|offset|returning|for\s+update|on\s+conflict)\b|;|$/i;

export function parseSql(text: string): SqlStatement | undefined {
  const op = /^\s*(select|update|delete|insert)\b/i.exec(text)?.[1]?.toLowerCase() as SqlStatement['op'] | undefined;
  if (!op) return undefined;
  const table = TABLE.exec(text)?.[1];
  if (!table) return undefined;
  const statement: SqlStatement = { op, table, where: [], hasWhere: false, insert: [], set: [], whereEnd: text.length };
  if (op === 'insert') {
    const m = /\(\s*([^)]*)\)\s*values\s*\(\s*([^)]*)\)/i.exec(text);
    if (m) {
      const cols = m[1].split(',').map((c) => c.trim().replace(/["`[\]]/g, ''));
      const vals = m[2].split(',').map((v) => v.trim());
      const valuesAt = m.index + m[0].indexOf(m[2], m[0].toLowerCase().indexOf('values'));
      let at = valuesAt;
      cols.forEach((column, i) => {
        const v = vals[i];
        if (!v) return;
        at = text.indexOf(v, at);
        statement.insert.push(binding(column, v, text, at));
        at += v.length;
      });
    }
    return statement;
  }
  // Joins make an unqualified column ambiguous, and a sub-select has a FROM and WHERE of its own: only
  // single-table statements are read.
  if (/\bjoin\b|\(\s*select\b/i.test(text)) return { ...statement, hasWhere: /\bwhere\b/i.test(text) };
  if (op === 'update') statement.set = setAssignments(text);
  const whereAt = /\bwhere\b/i.exec(text);
  if (!whereAt) {
    const after = text.slice(fromEnd(text, op));
    // `SELECT * FROM todos ${where}`: the interpolated fragment may well be a WHERE clause.
    if (hasFragment(after)) return { ...statement, hasWhere: true };
    const end = CLAUSE_END.exec(after);
    statement.whereEnd = fromEnd(text, op) + (end?.index ?? text.length);
    return statement;
  }
  statement.hasWhere = true;
  const start = whereAt.index + whereAt[0].length;
  const rest = text.slice(start);
  const end = CLAUSE_END.exec(rest);
  const clause = rest.slice(0, end?.index ?? rest.length);
  statement.whereEnd = start + clause.replace(/\s+$/, '').length;
  if (/\bor\b/i.test(clause) || hasFragment(clause)) return statement;
  let offset = start;
  for (const term of clause.split(/\band\b/i)) {
    const m = EQUALITY.exec(term);
    if (m) statement.where.push(binding(m[1], m[2], text, offset + term.lastIndexOf(m[2])));
    offset += term.length + 3;
  }
  return statement;
}

/** What may come right before an interpolated value: an operator, `(`, `,`, `IN`, `LIKE`, `LIMIT`, ... */
const VALUE_BEFORE = /(?:[=<>(,+\-*/|]|\b(?:like|ilike|in|between|any|all|is|limit|offset))\s*$/i;

/**
 * A template interpolation used as SQL rather than as a value (`WHERE ${condition}`, `AND ${sql\`...\`}`,
 * `Prisma.sql` fragments): it may hold any condition, the owner's included, so the clause cannot be read.
 */
function hasFragment(sql: string): boolean {
  for (const m of sql.matchAll(/\$\{\d+\}/g)) if (!VALUE_BEFORE.test(sql.slice(0, m.index))) return true;
  return false;
}

/** `column = <placeholder>`, possibly qualified (`t.column`) and parenthesised. */
const EQUALITY = new RegExp(String.raw`^\s*\(?\s*(?:\w+\.)?${IDENT}\s*=\s*(\$\d+|\?|:\w+|\$\{\d+\})\s*\)?\s*$`, 'i');

/**
 * `UPDATE t SET a = $1, b = COALESCE($2, b) WHERE ...`: the assignments that are a plain placeholder. The SET
 * list ends at WHERE, FROM (Postgres) or the clauses after it; other assignments are skipped, not guessed.
 */
function setAssignments(text: string): SqlBinding[] {
  const setAt = /\bset\b/i.exec(text);
  if (!setAt) return [];
  const start = setAt.index + setAt[0].length;
  const rest = text.slice(start);
  const end = /\b(where|from)\b/i.exec(rest) ?? CLAUSE_END.exec(rest);
  const list = rest.slice(0, end?.index ?? rest.length);
  const out: SqlBinding[] = [];
  let offset = start;
  for (const term of list.split(',')) {
    const m = EQUALITY.exec(term);
    if (m) out.push(binding(m[1], m[2], text, offset + term.lastIndexOf(m[2])));
    offset += term.length + 1;
  }
  return out;
}

/** Where the clauses after the table start: after `FROM t`, `UPDATE t SET ...`, `DELETE FROM t`. */
function fromEnd(text: string, op: SqlStatement['op']): number {
  const m = TABLE.exec(text);
  if (!m) return text.length;
  const after = m.index + m[0].length;
  if (op !== 'update') return after;
  // UPDATE t SET a = $1, b = $2: the WHERE goes after the SET list.
  return after;
}

function binding(column: string, placeholder: string, text: string, at: number): SqlBinding {
  let index: number | undefined;
  if (/^\$\d+$/.test(placeholder)) index = Number(placeholder.slice(1)) - 1;
  else if (/^\$\{\d+\}$/.test(placeholder)) index = Number(placeholder.slice(2, -1));
  else if (placeholder === '?') index = (text.slice(0, at).match(/\?/g) ?? []).length;
  return { column, placeholder, index };
}
