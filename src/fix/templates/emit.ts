// Templates are written once in a canonical style (single quotes, semicolons, two-space indent, LF)
// and rendered in the target project's style here. String literals and statement-ending semicolons
// are found with the parser, so comments and regular expressions are never touched.
import { ts } from 'ts-morph';
import { quoteString, type CodeStyle } from '../code-style.js';

const terminated = new Set<ts.SyntaxKind>([
  ts.SyntaxKind.ExpressionStatement,
  ts.SyntaxKind.VariableStatement,
  ts.SyntaxKind.ImportDeclaration,
  ts.SyntaxKind.ExportDeclaration,
  ts.SyntaxKind.ExportAssignment,
  ts.SyntaxKind.ReturnStatement,
  ts.SyntaxKind.ThrowStatement,
  ts.SyntaxKind.TypeAliasDeclaration,
  ts.SyntaxKind.PropertySignature,
]);

/** Renders canonical template text in `style`. `language` decides how the template is parsed. */
export function emit(canonical: string, style: CodeStyle, language: 'ts' | 'js'): string {
  const kind = language === 'ts' ? ts.ScriptKind.TS : ts.ScriptKind.JS;
  const sourceFile = ts.createSourceFile(`template.${language}`, canonical, ts.ScriptTarget.Latest, true, kind);
  const replacements: { start: number; end: number; text: string }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node)) {
      replacements.push({ start: node.getStart(sourceFile), end: node.end, text: quoteString(node.text, style) });
    }
    // Only semicolons that end a line: with no-semicolon style a line never starts with ( [ or `
    // in these templates, so removing them cannot change how the code parses.
    if (!style.semicolons && terminated.has(node.kind) && canonical[node.end - 1] === ';' && /^[ \t]*(?:\n|$)/.test(canonical.slice(node.end))) {
      replacements.push({ start: node.end - 1, end: node.end, text: '' });
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  let text = canonical;
  for (const r of replacements.sort((a, b) => b.start - a.start)) text = text.slice(0, r.start) + r.text + text.slice(r.end);
  return text
    .split('\n')
    .map((line) => {
      const width = /^ */.exec(line)![0].length;
      return style.indent.repeat(Math.floor(width / 2)) + ' '.repeat(width % 2) + line.slice(width);
    })
    .join(style.eol);
}
