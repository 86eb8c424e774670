// Re-parsing after edits: a fix must never leave a file that no longer parses.
import { ts } from 'ts-morph';
import { scriptKindFor } from './code-style.js';

/** parseDiagnostics is internal to the compiler API but stable; it holds syntax errors only. */
type ParsedSourceFile = ts.SourceFile & { parseDiagnostics?: readonly ts.Diagnostic[] };

/**
 * The syntax errors of `text` as `file`, or undefined for files we do not parse (only TS/JS
 * and JSON are checked). Messages are flattened to one line.
 */
export function syntaxErrors(file: string, text: string): string[] | undefined {
  const lower = file.toLowerCase();
  if (lower.endsWith('.json')) {
    try {
      JSON.parse(text.replace(/^\uFEFF/, ''));
      return [];
    } catch (error) {
      return [error instanceof Error ? error.message : String(error)];
    }
  }
  if (!/\.(?:[mc]?[jt]s|[jt]sx)$/.test(lower)) return undefined;
  const sourceFile = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, scriptKindFor(file)) as ParsedSourceFile;
  return (sourceFile.parseDiagnostics ?? []).map((d) => {
    const { line } = sourceFile.getLineAndCharacterOfPosition(d.start ?? 0);
    return `line ${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
}
