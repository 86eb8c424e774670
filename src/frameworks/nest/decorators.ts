import { ts } from 'ts-morph';
import { snippet } from '../../syntax/loc.js';
import { unwrap, type Resolver, type Value } from '../../syntax/resolve.js';

/** One decorator as written: its expression, the call (when it is called) and what its callee resolves to. */
export interface DecoratorUse {
  node: ts.Decorator;
  /** `Get(':id')` → the call; `Injectable` (not called) → undefined. */
  call?: ts.CallExpression;
  callee: ts.Expression;
  value: Value;
}

export function decoratorsOf(node: ts.Node, resolver: Resolver): DecoratorUse[] {
  const list = ts.canHaveDecorators(node) ? (ts.getDecorators(node) ?? []) : [];
  return list.map((d) => {
    const e = unwrap(d.expression) as ts.Expression;
    const call = ts.isCallExpression(e) ? e : undefined;
    const callee = call ? call.expression : e;
    return { node: d, call, callee, value: resolver.value(callee) };
  });
}

/** Whether a resolved value is the export `name` of package `pkg` (`@nestjs/common` `Get`). */
export function isPackageExport(value: Value, pkg: string | RegExp, name: string): boolean {
  if (value.kind !== 'external') return false;
  const pkgMatches = typeof pkg === 'string' ? value.pkg === pkg : pkg.test(value.pkg);
  return pkgMatches && value.path[value.path.length - 1] === name;
}

/** The `@nestjs/common` export a decorator names, if it is one. */
export function nestCommonName(d: DecoratorUse): string | undefined {
  const v = d.value;
  return v.kind === 'external' && v.pkg === '@nestjs/common' && v.path.length === 1 ? v.path[0] : undefined;
}

/** Route method decorators of @nestjs/common and the HTTP method each stands for. */
export const METHOD_DECORATORS: Record<string, string> = {
  Get: 'GET',
  Post: 'POST',
  Put: 'PUT',
  Patch: 'PATCH',
  Delete: 'DELETE',
  Options: 'OPTIONS',
  Head: 'HEAD',
  All: 'ALL',
  Search: 'SEARCH',
};

/** The class a (possibly wrapped) expression names: `X`, `forwardRef(() => X)`, an import of X. */
export function classOf(expr: ts.Node, resolver: Resolver): ts.ClassDeclaration | undefined {
  const v = resolver.value(expr);
  if (v.kind === 'node' && ts.isClassDeclaration(v.node)) return v.node;
  return undefined;
}

/** The object literal an expression is or names (`@Module(metadata)` with `const metadata = {...}`). */
export function objectLiteral(expr: ts.Node | undefined, resolver: Resolver): ts.ObjectLiteralExpression | undefined {
  if (!expr) return undefined;
  const e = unwrap(expr);
  if (ts.isObjectLiteralExpression(e)) return e;
  const v = resolver.value(e);
  return v.kind === 'node' && ts.isObjectLiteralExpression(unwrap(v.node)) ? (unwrap(v.node) as ts.ObjectLiteralExpression) : undefined;
}

/** The value of property `name` in an object literal (shorthand included). */
export function property(obj: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  for (const p of obj.properties) {
    if (ts.isPropertyAssignment(p) && p.name.getText().replace(/^['"]|['"]$/g, '') === name) return p.initializer;
    if (ts.isShorthandPropertyAssignment(p) && p.name.text === name) return p.name;
  }
  return undefined;
}

/**
 * The elements of an array as Nest reads it (`[A, B]`, `[...SHARED, C]`, a constant holding an array),
 * flattened; `unresolved` collects what could not be followed.
 */
/** How `arrayElements` reads a list: conditions of the elements it found in a branch, and call-site bindings. */
export interface ArrayReading {
  /** Filled with the condition under which each element is listed (`flag ? [A] : []`: A under `flag`). */
  conditions?: Map<ts.Expression, string>;
  /** The argument a parameter of a dynamic module helper was called with (`options.imports` at `forRoot({ imports })`). */
  bind?: (e: ts.Expression) => ts.Expression | undefined;
}

/**
 * The elements of a metadata list: array literals, spreads, constants, and both branches of `flag ? [A] : [B]`
 * (each element under its branch's condition); `list || []` and `list ?? []` read `list`. What cannot be read
 * goes to `unresolved`.
 */
export function arrayElements(expr: ts.Node | undefined, resolver: Resolver, unresolved: string[] = [], depth = 0, reading: ArrayReading = {}, condition?: string): ts.Expression[] {
  if (!expr || depth > 8) return [];
  let e = unwrap(expr);
  const bound = reading.bind?.(e as ts.Expression);
  if (bound) e = unwrap(bound);
  const within = (x: ts.Node | undefined, cond = condition) => arrayElements(x, resolver, unresolved, depth + 1, reading, cond);
  if (ts.isArrayLiteralExpression(e)) {
    const out = e.elements.flatMap((el) => (ts.isSpreadElement(el) ? within(el.expression) : [el]));
    if (condition && reading.conditions) for (const el of out) if (!reading.conditions.has(el)) reading.conditions.set(el, condition);
    return out;
  }
  if (ts.isConditionalExpression(e)) {
    const cond = snippet(e.condition, 50);
    const and = (c: string) => (condition ? `${condition} and ${c}` : c);
    return [...within(e.whenTrue, and(cond)), ...within(e.whenFalse, and(`not ${cond}`))];
  }
  if (ts.isBinaryExpression(e) && (e.operatorToken.kind === ts.SyntaxKind.BarBarToken || e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)) {
    const fallback = unwrap(e.right);
    const left = arrayElements(e.left, resolver, [], depth + 1, reading, condition);
    if (left.length || !ts.isArrayLiteralExpression(fallback) || fallback.elements.length) return [...left, ...within(fallback)];
    // `options.imports || []` the scan cannot bind: the list may hold anything.
    if (!reading.bind?.(unwrap(e.left) as ts.Expression)) unresolved.push(e.getText());
    return left;
  }
  if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) {
    const v = resolver.value(e);
    if (v.kind === 'node' && v.node !== e && (ts.isArrayLiteralExpression(unwrap(v.node)) || ts.isConditionalExpression(unwrap(v.node)))) return within(v.node);
    if (v.kind === 'node' && ts.isClassDeclaration(v.node)) return [e];
  }
  if (ts.isCallExpression(e) || ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) return [e];
  unresolved.push(e.getText());
  return [];
}

/** Base classes of a class, nearest first, as far as they resolve in the project. */
export function classChain(cls: ts.ClassDeclaration, resolver: Resolver): ts.ClassDeclaration[] {
  const chain = [cls];
  for (let c: ts.ClassDeclaration | undefined = cls; c && chain.length < 10; ) {
    const clause: ts.HeritageClause | undefined = c.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword);
    const base: ts.Expression | undefined = clause?.types[0]?.expression;
    c = base ? classOf(base, resolver) : undefined;
    if (c && !chain.includes(c)) chain.push(c);
    else break;
  }
  return chain;
}

export function className(cls: ts.ClassLikeDeclaration): string {
  return cls.name?.text ?? '(anonymous class)';
}
