import path from 'node:path';
import { ts } from 'ts-morph';
import type { SourceLoc } from '../model/types.js';

/** The node's span as a SourceLoc relative to the scan root (posix, 1-based). */
export function locOf(node: ts.Node, root: string): SourceLoc {
  const sf = node.getSourceFile();
  const start = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  const end = sf.getLineAndCharacterOfPosition(node.getEnd());
  return {
    file: path.relative(root, sf.fileName).split(path.sep).join('/'),
    line: start.line + 1,
    column: start.character + 1,
    endLine: end.line + 1,
    endColumn: end.character + 1,
  };
}

/** Short source text for messages and guard names: first line, at most `max` characters. */
export function snippet(node: ts.Node, max = 60): string {
  const text = node.getText().replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
