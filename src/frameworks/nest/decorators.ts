import { ts } from 'ts-morph';
import { isFunctionNode, returnedExpressions } from '../../syntax/functions.js';
import { snippet } from '../../syntax/loc.js';
import { findDeclaration } from '../../syntax/scope.js';
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
  // baseModules.concat(enterpriseModules)
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'concat') {
    const receiver = arrayElements(e.expression.expression, resolver, [], depth + 1, reading, condition);
    if (receiver.length || isArrayValued(e.expression.expression, resolver)) return [...receiver, ...e.arguments.flatMap((a) => within(ts.isSpreadElement(a) ? a.expression : a))];
  }
  // Object.values(Controllers) over `import * as Controllers from './controller'`: every class the module exports.
  if (ts.isCallExpression(e) && /^Object\.values$/.test(e.expression.getText()) && e.arguments[0]) {
    const ns = resolver.value(e.arguments[0]);
    if (ns.kind === 'module') {
      return resolver.exportNames(ns.file).flatMap((name) => {
        const v = resolver.exportOf(ns.file, name);
        return v.kind === 'node' && ts.isClassDeclaration(v.node) && v.node.name ? [v.node.name] : [];
      });
    }
  }
  // Object.keys(QUEUES).map((name) => BullModule.registerQueue({ name })): modules of a package, one per key; the
  // callback's result stands for them (a package's module is not walked).
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'map' && e.arguments[0]) {
    const callback = unwrap(e.arguments[0]);
    if (isFunctionNode(callback)) {
      const made = returnedExpressions(callback);
      const fromPackage = (r: ts.Expression) => {
        const u = unwrap(r);
        return ts.isCallExpression(u) && resolver.value(u.expression).kind === 'external';
      };
      if (made.length && made.every(fromPackage)) return made;
    }
  }
  // enterpriseImports(): a project function that builds the list.
  if (ts.isCallExpression(e)) {
    const callee = resolver.value(e.expression);
    if (callee.kind === 'node' && isFunctionNode(callee.node)) {
      const returned = returnedExpressions(callee.node).filter((r) => isArrayValued(r, resolver));
      if (returned.length) return returned.flatMap((r) => within(r));
    }
  }
  if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) {
    const v = resolver.value(e);
    const listed = v.kind === 'node' && v.node !== e && (ts.isArrayLiteralExpression(unwrap(v.node)) || ts.isConditionalExpression(unwrap(v.node)) || isArrayValued(v.node as ts.Expression, resolver));
    if (listed) return [...within(v.node), ...(ts.isIdentifier(e) ? pushedOnto(e, resolver, unresolved, depth, reading, condition) : [])];
    if (v.kind === 'node' && ts.isClassDeclaration(v.node)) return [e];
  }
  if (ts.isCallExpression(e) || ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) return [e];
  unresolved.push(e.getText());
  return [];
}

/** Whether an expression is a list: an array literal, a `.concat()`, or a call of a project function returning one. */
function isArrayValued(expr: ts.Node, resolver: Resolver, depth = 0): boolean {
  if (depth > 4) return false;
  const e = unwrap(expr);
  if (ts.isArrayLiteralExpression(e)) return true;
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'concat') return true;
  if (ts.isIdentifier(e)) {
    const v = resolver.value(e);
    return v.kind === 'node' && v.node !== e && isArrayValued(v.node, resolver, depth + 1);
  }
  if (ts.isCallExpression(e)) {
    const callee = resolver.value(e.expression);
    return callee.kind === 'node' && isFunctionNode(callee.node) && returnedExpressions(callee.node).some((r) => isArrayValued(r, resolver, depth + 1));
  }
  return false;
}

/**
 * `modules.push(AnalyticsModule)`, `modules.unshift(...)` on the list's variable, in the scope that declares it: each
 * element under the condition of the `if` it sits in.
 */
function pushedOnto(id: ts.Identifier, resolver: Resolver, unresolved: string[], depth: number, reading: ArrayReading, condition: string | undefined): ts.Expression[] {
  const decl = findDeclaration(id.text, id);
  if (!decl || !ts.isVariableDeclaration(decl)) return [];
  const scope = decl.parent.parent.parent;
  const out: ts.Expression[] = [];
  const visit = (n: ts.Node): void => {
    if (
      ts.isCallExpression(n) &&
      ts.isPropertyAccessExpression(n.expression) &&
      /^(push|unshift)$/.test(n.expression.name.text) &&
      ts.isIdentifier(n.expression.expression) &&
      n.expression.expression.text === id.text &&
      findDeclaration(id.text, n.expression.expression) === decl
    ) {
      const when = enclosingCondition(n, scope);
      const all = when ? (condition ? `${condition} and ${when}` : when) : condition;
      for (const arg of n.arguments) {
        if (ts.isSpreadElement(arg)) {
          out.push(...arrayElements(arg.expression, resolver, unresolved, depth + 1, reading, all));
          continue;
        }
        if (all && reading.conditions && !reading.conditions.has(arg)) reading.conditions.set(arg, all);
        out.push(arg);
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(scope);
  return out;
}

/** The `if` conditions between a node and `stop`, joined: `process.env.SEGMENT_TOKEN`. */
function enclosingCondition(node: ts.Node, stop: ts.Node): string | undefined {
  const parts: string[] = [];
  let child: ts.Node = node;
  for (let n = node.parent; n && n !== stop; child = n, n = n.parent) {
    if (ts.isIfStatement(n) && child !== n.expression) parts.unshift(`${child === n.elseStatement ? 'not ' : ''}${snippet(n.expression, 50)}`);
  }
  return parts.length ? parts.join(' and ') : undefined;
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
