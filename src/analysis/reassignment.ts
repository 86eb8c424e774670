import { ts } from 'ts-morph';
import { findDeclaration } from '../syntax/scope.js';

/** What a `let` may hold besides its initializer. `unknown` when an assignment cannot be read as a value (destructuring). */
export interface Reassignments {
  values: ts.Expression[];
  unknown: boolean;
}

const reassigned = new WeakMap<ts.VariableDeclaration, Reassignments | null>();
const added = new WeakMap<ts.VariableDeclaration, PropertyAssignment[]>();

/** The values a variable is reassigned (`x = ...`, `x ??= ...`); undefined for a `const` or a `let` never reassigned. */
export function reassignedValues(decl: ts.VariableDeclaration): ts.Expression[] | undefined {
  if (!ts.isIdentifier(decl.name) || !ts.isVariableDeclarationList(decl.parent) || decl.parent.flags & ts.NodeFlags.Const) return undefined;
  let known = reassigned.get(decl);
  if (known === undefined) {
    known = collect(decl);
    reassigned.set(decl, known);
  }
  if (!known) return undefined;
  // An unreadable assignment: the variable's own name stands for it, which reads as no origin (a cycle).
  return known.unknown ? [...known.values, decl.name as ts.Identifier] : known.values;
}

export interface PropertyAssignment {
  key: string;
  value: ts.Expression;
  node: ts.BinaryExpression;
}

/** `where.userId = req.user.id`: keys set on the object a variable holds, after its declaration. */
export function propertyAssignments(decl: ts.VariableDeclaration): PropertyAssignment[] {
  let known = added.get(decl);
  if (known) return known;
  known = [];
  if (ts.isIdentifier(decl.name)) {
    const name = decl.name.text;
    const list = known;
    forEachInScope(decl, (n) => {
      if (!ts.isBinaryExpression(n) || n.operatorToken.kind !== ts.SyntaxKind.EqualsToken || n.getStart() < decl.getEnd()) return;
      const left = n.left;
      if (!(ts.isPropertyAccessExpression(left) || ts.isElementAccessExpression(left))) return;
      const base = left.expression;
      if (!ts.isIdentifier(base) || base.text !== name || findDeclaration(name, base) !== decl) return;
      const key = ts.isPropertyAccessExpression(left)
        ? left.name.text
        : ts.isStringLiteralLike(left.argumentExpression)
          ? left.argumentExpression.text
          : undefined;
      if (key !== undefined) list.push({ key, value: n.right, node: n });
    });
  }
  added.set(decl, known);
  return known;
}

function collect(decl: ts.VariableDeclaration): Reassignments | null {
  const name = (decl.name as ts.Identifier).text;
  const out: Reassignments = { values: [], unknown: false };
  forEachInScope(decl, (n) => {
    if (ts.isBinaryExpression(n) && isAssignment(n.operatorToken.kind)) {
      if (ts.isIdentifier(n.left) && n.left.text === name && findDeclaration(name, n.left) === decl) out.values.push(n.right);
      else if ((ts.isObjectLiteralExpression(n.left) || ts.isArrayLiteralExpression(n.left)) && mentions(n.left, name, decl)) out.unknown = true;
    } else if (
      (ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) &&
      (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken) &&
      ts.isIdentifier(n.operand) &&
      n.operand.text === name
    ) {
      out.unknown = true;
    } else if ((ts.isForOfStatement(n) || ts.isForInStatement(n)) && ts.isIdentifier(n.initializer) && n.initializer.text === name) {
      out.unknown = true;
    }
  });
  return out.values.length || out.unknown ? out : null;
}

function isAssignment(kind: ts.SyntaxKind): boolean {
  return kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment;
}

function mentions(node: ts.Node, name: string, decl: ts.VariableDeclaration): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(n) && n.text === name && findDeclaration(name, n) === decl) found = true;
    else ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

/** Every node of the function (or file) that declares the variable. */
function forEachInScope(decl: ts.VariableDeclaration, visit: (n: ts.Node) => void): void {
  let scope: ts.Node = decl;
  while (scope.parent && !ts.isFunctionLike(scope) && !ts.isSourceFile(scope)) scope = scope.parent;
  const walk = (n: ts.Node): void => {
    visit(n);
    ts.forEachChild(n, walk);
  };
  walk(scope);
}

