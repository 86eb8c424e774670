import { ts } from 'ts-morph';
import type { TextEdit } from '../../model/types.js';

/** Replaces a node's own text (not its leading trivia). */
export function replaceNode(node: ts.Node, text: string): TextEdit {
  const sf = node.getSourceFile();
  return { file: sf.fileName, start: node.getStart(sf), end: node.getEnd(), text };
}

export function insertAt(sf: ts.SourceFile, pos: number, text: string): TextEdit {
  return { file: sf.fileName, start: pos, end: pos, text };
}

/** `userId` stays bare; `owner-id` gets quoted in the file's dominant quote. */
export function propertyKey(key: string, sf: ts.SourceFile): string {
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return key;
  const quote = dominantQuote(sf);
  return `${quote}${key.replace(/\\/g, '\\\\').replace(new RegExp(quote, 'g'), `\\${quote}`)}${quote}`;
}

function dominantQuote(sf: ts.SourceFile): "'" | '"' {
  let single = 0;
  let double = 0;
  const visit = (n: ts.Node): void => {
    if (ts.isStringLiteral(n)) {
      if (n.getText(sf).startsWith('"')) double++;
      else single++;
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return double > single ? '"' : "'";
}

/** Whether the file writes object braces with inner spaces (`{ a }`, the default) or without (`{a}`). */
export function braceSpace(near: ts.ObjectLiteralExpression | undefined): string {
  if (!near || near.properties.length === 0) return ' ';
  const text = near.getText();
  return text.startsWith('{ ') || text.startsWith('{\n') || text.startsWith('{\r') ? ' ' : '';
}

/** A new object literal in the file's brace style: `{ a: 1, b }`. */
export function objectText(props: string[], near?: ts.ObjectLiteralExpression): string {
  const s = braceSpace(near);
  return `{${s}${props.join(', ')}${s}}`;
}

/**
 * Adds `prop` as the last property of an object literal, copying its layout: `{ id }` becomes
 * `{ id, userId: x }`; a multi-line object gets a new line with the last property's indentation and
 * keeps its trailing-comma habit.
 */
export function appendProperty(obj: ts.ObjectLiteralExpression, prop: string): TextEdit {
  const sf = obj.getSourceFile();
  const last = obj.properties[obj.properties.length - 1];
  if (!last) return replaceNode(obj, objectText([prop]));
  const startLine = sf.getLineAndCharacterOfPosition(obj.getStart(sf)).line;
  const endLine = sf.getLineAndCharacterOfPosition(obj.getEnd()).line;
  if (startLine === endLine) return insertAt(sf, last.getEnd(), `, ${prop}`);
  const lineStart = sf.getPositionOfLineAndCharacter(sf.getLineAndCharacterOfPosition(last.getStart(sf)).line, 0);
  const indent = /^[ \t]*/.exec(sf.text.slice(lineStart))![0];
  const eol = sf.text.includes('\r\n') ? '\r\n' : '\n';
  return insertAt(sf, last.getEnd(), `,${eol}${indent}${prop}`);
}

/** Renames a method call: `prisma.todo.findUnique(...)` → `prisma.todo.findFirst(...)`. */
export function renameMethod(call: ts.CallExpression, name: string): TextEdit | undefined {
  const callee = call.expression;
  return ts.isPropertyAccessExpression(callee) ? replaceNode(callee.name, name) : undefined;
}
