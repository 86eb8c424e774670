// Detects how a file is written so that inserted code looks like the user's own: quotes, semicolons,
// indentation and line endings. Detection reads tokens and statements, never regexes over raw text,
// so strings and comments cannot skew it. Import rendering and insertion live in imports.ts.
import { ts } from 'ts-morph';
import { defaultStyle, scriptKindFor, type CodeStyle } from './code-style.js';

export { defaultStyle, quoteString, scriptKindFor, type CodeStyle } from './code-style.js';

export function detectStyle(text: string, fileName = 'file.ts'): CodeStyle {
  const sourceFile = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, scriptKindFor(fileName));
  return {
    quote: detectQuote(text, sourceFile.languageVariant),
    semicolons: detectSemicolons(sourceFile),
    indent: detectIndent(text),
    eol: detectEol(text),
  };
}

function detectQuote(text: string, variant: ts.LanguageVariant): CodeStyle['quote'] {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, variant, text);
  let single = 0;
  let double = 0;
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if (kind !== ts.SyntaxKind.StringLiteral) continue;
    const first = scanner.getTokenText()[0];
    if (first === "'") single++;
    else if (first === '"') double++;
  }
  return double > single ? '"' : "'";
}

// Statements whose source may or may not end in ';' depending on the author's style.
const semicolonStatements = new Set<ts.SyntaxKind>([
  ts.SyntaxKind.ExpressionStatement,
  ts.SyntaxKind.VariableStatement,
  ts.SyntaxKind.ImportDeclaration,
  ts.SyntaxKind.ExportDeclaration,
  ts.SyntaxKind.ExportAssignment,
  ts.SyntaxKind.ReturnStatement,
  ts.SyntaxKind.ThrowStatement,
  ts.SyntaxKind.BreakStatement,
  ts.SyntaxKind.ContinueStatement,
]);

function detectSemicolons(sourceFile: ts.SourceFile): boolean {
  let withSemicolon = 0;
  let without = 0;
  const visit = (node: ts.Node): void => {
    if (semicolonStatements.has(node.kind)) {
      if (node.getText(sourceFile).endsWith(';')) withSemicolon++;
      else without++;
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return withSemicolon >= without;
}

function detectIndent(text: string): string {
  const lines = text.split(/\r?\n/);
  let tabs = 0;
  // How often each positive step in leading spaces appears between consecutive code lines.
  const steps = new Map<number, number>();
  let previous = 0;
  for (const line of lines) {
    if (line.trim() === '' || /^\s*\*/.test(line)) continue; // blank lines and block-comment bodies
    const leading = /^[ \t]*/.exec(line)![0];
    if (leading.startsWith('\t')) {
      tabs++;
      continue;
    }
    const width = leading.length;
    if (width > previous) steps.set(width - previous, (steps.get(width - previous) ?? 0) + 1);
    previous = width;
  }
  let best = 0;
  let bestCount = 0;
  for (const [step, count] of steps) {
    if (step <= 8 && (count > bestCount || (count === bestCount && step < best))) {
      best = step;
      bestCount = count;
    }
  }
  if (tabs > bestCount) return '\t';
  return best > 0 ? ' '.repeat(best) : defaultStyle.indent;
}

function detectEol(text: string): CodeStyle['eol'] {
  const crlf = text.split('\r\n').length - 1;
  const lf = text.split('\n').length - 1 - crlf;
  return crlf > lf ? '\r\n' : '\n';
}

// Import rendering and insertion: kept in their own file, re-exported here for one import site.
export { importEdit, relativeSpecifier, renderImport, usesJsExtensions } from './imports.js';
export type { ImportRequest, ModuleKind } from './imports.js';
