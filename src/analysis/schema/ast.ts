import { ts } from 'ts-morph';
import { findDeclaration } from '../../syntax/scope.js';
import { propertyNameText, unwrap } from '../../syntax/resolve.js';

const callLikes = new WeakMap<ts.SourceFile, (ts.CallExpression | ts.NewExpression)[]>();

/**
 * Every call and `new` expression in a file, in source order. The file is walked once for all the
 * schema collectors (Mongoose, Sequelize, MongoDB, Drizzle): later collectors read the list.
 */
export function forEachCallLike(sf: ts.SourceFile, visit: (call: ts.CallExpression | ts.NewExpression) => void): void {
  let list = callLikes.get(sf);
  if (!list) {
    const found: (ts.CallExpression | ts.NewExpression)[] = [];
    const walk = (n: ts.Node): void => {
      if (ts.isCallExpression(n) || ts.isNewExpression(n)) found.push(n);
      ts.forEachChild(n, walk);
    };
    walk(sf);
    callLikes.set(sf, (list = found));
  }
  for (const call of list) visit(call);
}

/** `name` for `name(...)` and `x.name(...)`. */
export function calleeText(call: ts.CallExpression | ts.NewExpression): string | undefined {
  const c = call.expression;
  if (ts.isIdentifier(c)) return c.text;
  if (ts.isPropertyAccessExpression(c)) return c.name.text;
  return undefined;
}

export function stringArg(call: ts.CallExpression | ts.NewExpression, i: number): string | undefined {
  const a = call.arguments?.[i];
  return a && ts.isStringLiteralLike(a) ? a.text : undefined;
}

/** The object literal an expression stands for in the same file: inline, or a `const x = { ... }` it names. */
export function objectLiteralOf(expr: ts.Node | undefined): ts.ObjectLiteralExpression | undefined {
  if (!expr) return undefined;
  const e = unwrap(expr);
  if (ts.isObjectLiteralExpression(e)) return e;
  if (ts.isIdentifier(e)) {
    const decl = findDeclaration(e.text, e);
    if (decl && ts.isVariableDeclaration(decl) && decl.initializer) return objectLiteralOf(decl.initializer);
  }
  return undefined;
}

/** `{ key: value }` → value, for plain and shorthand properties. */
export function propertyValue(obj: ts.ObjectLiteralExpression, key: string): ts.Expression | undefined {
  for (const p of obj.properties) {
    if (!p.name || propertyNameText(p.name) !== key) continue;
    if (ts.isPropertyAssignment(p)) return p.initializer;
    if (ts.isShorthandPropertyAssignment(p)) return p.name;
  }
  return undefined;
}

export function propertyKeys(obj: ts.ObjectLiteralExpression): string[] {
  const keys: string[] = [];
  for (const p of obj.properties) {
    const k = p.name && propertyNameText(p.name);
    if (k !== undefined) keys.push(k);
  }
  return keys;
}
