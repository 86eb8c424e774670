import { ts } from 'ts-morph';
import type { TextEdit } from '../../model/types.js';
import { findDeclaration } from '../../syntax/scope.js';

/**
 * After `{ title, userId }` becomes `{ title, userId: req.user!.id }`, the `userId` read from
 * `const { title, userId } = req.body` is dead and misleading: remove it from the pattern when
 * `replaced` was its only use. Patterns with a rest element keep the key (removing it would put the
 * client's value back into the rest).
 */
export function removeDeadBinding(value: ts.Node, replaced: ts.Node): TextEdit | undefined {
  if (!ts.isIdentifier(value)) return undefined;
  const decl = findDeclaration(value.text, value);
  if (!decl || !ts.isBindingElement(decl) || decl.dotDotDotToken || decl.initializer || decl.propertyName || !ts.isIdentifier(decl.name)) return undefined;
  const pattern = decl.parent;
  if (!ts.isObjectBindingPattern(pattern) || pattern.elements.length < 2 || pattern.elements.some((e) => e.dotDotDotToken)) return undefined;
  if (usedElsewhere(decl, decl.name, replaced)) return undefined;
  const sf = decl.getSourceFile();
  const i = pattern.elements.indexOf(decl);
  const [start, end] =
    i < pattern.elements.length - 1 ? [decl.getStart(sf), pattern.elements[i + 1].getStart(sf)] : [pattern.elements[i - 1].getEnd(), decl.getEnd()];
  return { file: sf.fileName, start, end, text: '' };
}

function usedElsewhere(decl: ts.BindingElement, name: ts.Identifier, replaced: ts.Node): boolean {
  let scope: ts.Node = decl;
  while (scope.parent && !ts.isFunctionLike(scope) && !ts.isSourceFile(scope)) scope = scope.parent;
  let used = false;
  const visit = (n: ts.Node): void => {
    if (used || n === replaced) return;
    if (ts.isIdentifier(n) && n !== name && n.text === name.text && findDeclaration(n.text, n) === decl) {
      used = true;
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(scope);
  return used;
}
