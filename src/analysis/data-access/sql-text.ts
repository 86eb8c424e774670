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
  const statement: SqlStatement = { op, table, where: [], hasWhere: false, insert: [], whereEnd: text.length };
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
  // Joins make an unqualified column ambiguous: only single-table statements are read.
  if (/\bjoin\b/i.test(text)) return { ...statement, hasWhere: /\bwhere\b/i.test(text) };
  const whereAt = /\bwhere\b/i.exec(text);
  if (!whereAt) {
    const end = CLAUSE_END.exec(text.slice(fromEnd(text, op)));
    statement.whereEnd = fromEnd(text, op) + (end?.index ?? text.length);
    return statement;
  }
  statement.hasWhere = true;
  const start = whereAt.index + whereAt[0].length;
  const rest = text.slice(start);
  const end = CLAUSE_END.exec(rest);
  const clause = rest.slice(0, end?.index ?? rest.length);
  statement.whereEnd = start + clause.replace(/\s+$/, '').length;
  if (/\bor\b|\(\s*select\b/i.test(clause)) return statement;
  let offset = start;
  for (const term of clause.split(/\band\b/i)) {
    const m = new RegExp(String.raw`^\s*\(?\s*(?:\w+\.)?${IDENT}\s*=\s*(\$\d+|\?|:\w+|\$\{\d+\})\s*\)?\s*$`, 'i').exec(term);
    if (m) statement.where.push(binding(m[1], m[2], text, offset + term.lastIndexOf(m[2])));
    offset += term.length + 3;
  }
  return statement;
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
