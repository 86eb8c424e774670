// The shape of a file's code style and the small pieces every generator needs; detection is in
// style.ts, import insertion in imports.ts. Kept apart so that neither depends on the other.
import { ts } from 'ts-morph';

export interface CodeStyle {
  quote: "'" | '"';
  semicolons: boolean;
  /** One level of indentation: '\t' or a run of spaces. */
  indent: string;
  eol: '\n' | '\r\n';
}

export const defaultStyle: CodeStyle = { quote: "'", semicolons: true, indent: '  ', eol: '\n' };

export function scriptKindFor(fileName: string): ts.ScriptKind {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.tsx')) return ts.ScriptKind.TSX;
  if (lower.endsWith('.jsx')) return ts.ScriptKind.JSX;
  if (/\.[mc]?js$/.test(lower)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

/** A string literal in the given style; like Prettier, the other quote when that avoids escapes. */
export function quoteString(value: string, style: Pick<CodeStyle, 'quote'>): string {
  const other = style.quote === "'" ? '"' : "'";
  const q = value.includes(style.quote) && !value.includes(other) ? other : style.quote;
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(q === "'" ? /'/g : /"/g, `\\${q}`)
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r');
  return `${q}${escaped}${q}`;
}
