import { ts } from 'ts-morph';
import { isFunctionNode, returnedExpressions, type FunctionNode } from '../../syntax/functions.js';
import { unwrap, type Resolver } from '../../syntax/resolve.js';
import { findDeclaration } from '../../syntax/scope.js';
import { staticString } from '../../syntax/strings.js';
import { bindArguments, boundLiteral, evaluateBound, NO_BINDINGS, type BoundArguments } from '../../syntax/bound-arguments.js';
import { classChain, decoratorsOf, type DecoratorUse } from './decorators.js';

/** A metadata key, comparable across files: `s:isPublic` for a string key, `n:<file>:<pos>` for a symbol or object. */
export type OptOutKey = string;
export type MetadataTarget = 'handler' | 'class';

/** One metadata entry a decorator sets: the key and whether the value is the literal `true` (an opt-out flag). */
export interface MetadataSet {
  key: OptOutKey;
  isTrue: boolean;
  /** The strings the value holds, when it is a list of them (`@Roles('public')` setting `['public']`). */
  values?: string[];
  /** The decorator as written, for evidence: `@Public()`. */
  decorator: string;
  /** The decorator comes from a package the scan cannot read: it may set any key. */
  opaque?: boolean;
}

const BETTER_AUTH_NEST = '@thallesp/nestjs-better-auth';
const BETTER_AUTH_OPT_OUTS = new Set(['AllowAnonymous', 'OptionalAuth', 'Public']);

/** The identity of a metadata key expression: its string value, or the declaration it resolves to. */
export function keyOf(expr: ts.Expression, resolver: Resolver): OptOutKey | undefined {
  const s = staticString(expr, resolver);
  if (s !== undefined) return `s:${s}`;
  const v = resolver.value(expr);
  if (v.kind === 'node') return `n:${v.node.getSourceFile().fileName}:${v.node.pos}`;
  if (v.kind === 'external') return `x:${v.pkg}#${v.path.join('.')}`;
  return undefined;
}

/** Metadata the decorators on a node set, followed through wrappers, `applyDecorators` and constants. */
export function metadataOf(node: ts.Node, resolver: Resolver): MetadataSet[] {
  return decoratorsOf(node, resolver).flatMap((d) => metadataOfDecorator(d, resolver));
}

/** Metadata set on a controller class, its base classes included (Nest reads class metadata through the prototype chain). */
export function classMetadata(cls: ts.ClassDeclaration, resolver: Resolver): MetadataSet[] {
  return classChain(cls, resolver).flatMap((c) => metadataOf(c, resolver));
}

const NO_OPT_OUT_PACKAGES = new Set(['nest-access-control', 'class-validator', 'class-transformer', 'nestjs-zod', '@golevelup/nestjs-discovery', 'nestjs-i18n']);

function metadataOfDecorator(d: DecoratorUse, resolver: Resolver): MetadataSet[] {
  const written = `@${d.callee.getText()}${d.call ? `(${d.call.arguments.length ? '…' : ''})` : ''}`;
  if (d.value.kind === 'external' && d.value.pkg === BETTER_AUTH_NEST && BETTER_AUTH_OPT_OUTS.has(d.value.path[d.value.path.length - 1])) {
    return [{ key: 'pkg:@thallesp/nestjs-better-auth#public', isTrue: true, decorator: written }];
  }
  if (d.value.kind === 'external' && !/^@nestjs\//.test(d.value.pkg)) {
    // Packages whose decorators set metadata of their own (roles, validation, documentation), never a guard's opt-out.
    if (NO_OPT_OUT_PACKAGES.has(d.value.pkg)) return [];
    return [{ key: '?', isTrue: false, decorator: written, opaque: true }];
  }
  const expr = d.call ?? d.callee;
  return setsIn(expr, resolver, 0).map((s) => ({ ...s, decorator: written }));
}

function setsIn(expr: ts.Expression, resolver: Resolver, depth: number, bound: BoundArguments = NO_BINDINGS): Omit<MetadataSet, 'decorator'>[] {
  if (depth > 6) return [];
  const e = unwrap(expr) as ts.Expression;
  if (ts.isConditionalExpression(e)) {
    // The branch the decorator's arguments choose; when they do not decide it, either may be set.
    const test = evaluateBound(e.condition, bound);
    if (test !== undefined) return setsIn(test ? e.whenTrue : e.whenFalse, resolver, depth + 1, bound);
    return [e.whenTrue, e.whenFalse].flatMap((b) => setsIn(b, resolver, depth + 1, bound)).map((m) => ({ ...m, opaque: true }));
  }
  if (ts.isCallExpression(e)) {
    const callee = resolver.value(e.expression);
    if (callee.kind === 'external' && callee.pkg === '@nestjs/common') {
      const name = callee.path[callee.path.length - 1];
      if (name === 'SetMetadata' && e.arguments[0]) {
        const key = keyOf(e.arguments[0], resolver);
        const values = e.arguments[1] ? listedStrings(e.arguments[1], bound) : undefined;
        return key ? [{ key, isTrue: Boolean(e.arguments[1]) && boundLiteral(e.arguments[1], bound) === true, ...(values ? { values } : {}) }] : [];
      }
      if (name === 'applyDecorators') return e.arguments.flatMap((a) => decoratorsListed(a, bound).flatMap((d) => setsOf(d, resolver, depth + 1, bound)));
      return [];
    }
    // `Reflector.createDecorator<boolean>()` used as `@Public()`: the decorator itself is the key. Nest stores
    // `value ?? {}`, so `@Public()` without an argument sets a truthy `{}`; `@Public(false)` sets false.
    if (callee.kind === 'node' && ts.isCallExpression(callee.node) && isCreateDecorator(callee.node, resolver)) {
      const key = `n:${callee.node.getSourceFile().fileName}:${callee.node.pos}`;
      const arg = e.arguments[0];
      return [{ key, isTrue: !arg || boundLiteral(arg, bound) === true }];
    }
    const fn = callee.kind === 'node' ? functionOf(callee.node) : undefined;
    if (fn) {
      const inner = withRestArguments(fn, e, bindArguments(fn, e, bound));
      return returnedExpressions(fn).flatMap((r) => setsIn(r, resolver, depth + 1, inner));
    }
    return [];
  }
  if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) {
    const v = resolver.value(e);
    if (v.kind === 'node' && v.node !== e && ts.isCallExpression(v.node)) return setsIn(v.node, resolver, depth + 1);
  }
  // A decorator written by hand: `(target, key, descriptor) => { Reflect.defineMetadata(KEY, true, descriptor.value) }`.
  if (isFunctionNode(e)) return definedMetadata(e, resolver, bound);
  return [];
}

/** `Reflect.defineMetadata(KEY, value, target)` calls in a hand-written decorator: the metadata it sets. */
function definedMetadata(fn: FunctionNode, resolver: Resolver, bound: BoundArguments): Omit<MetadataSet, 'decorator'>[] {
  const out: Omit<MetadataSet, 'decorator'>[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n) && unwrap(n.expression).getText() === 'Reflect.defineMetadata' && n.arguments[0]) {
      const key = keyOf(n.arguments[0], resolver);
      if (key) out.push({ key, isTrue: Boolean(n.arguments[1]) && boundLiteral(n.arguments[1]!, bound) === true });
    }
    ts.forEachChild(n, visit);
  };
  if (fn.body) visit(fn.body);
  return out;
}

interface ListedDecorator {
  expr: ts.Expression;
  /** Added under an `if` the decorator's arguments do not decide: it may or may not be applied. */
  maybe: boolean;
}

function setsOf(d: ListedDecorator, resolver: Resolver, depth: number, bound: BoundArguments): Omit<MetadataSet, 'decorator'>[] {
  const sets = setsIn(d.expr, resolver, depth, bound);
  return d.maybe ? sets.map((m) => ({ ...m, opaque: true })) : sets;
}

/**
 * The decorators an `applyDecorators` argument stands for: itself, or for a spread (`...extra`) the elements of
 * a local list and what the factory pushes onto it, each under the `if` it sits in, decided by the factory's
 * arguments where they can (`if (options.isAuthOptional) extra.push(AuthOptional())`).
 */
function decoratorsListed(arg: ts.Expression, bound: BoundArguments): ListedDecorator[] {
  if (!ts.isSpreadElement(arg)) return [{ expr: arg, maybe: false }];
  const list = unwrap(arg.expression) as ts.Expression;
  if (ts.isArrayLiteralExpression(list)) return list.elements.flatMap((el) => decoratorsListed(el, bound));
  if (!ts.isIdentifier(list)) return [];
  const decl = findDeclaration(list.text, list);
  if (!decl || !ts.isVariableDeclaration(decl) || !decl.initializer || !ts.isArrayLiteralExpression(unwrap(decl.initializer))) return [];
  const out = (unwrap(decl.initializer) as ts.ArrayLiteralExpression).elements.flatMap((el) => decoratorsListed(el, bound));
  const scope = decl.parent.parent.parent;
  const visit = (n: ts.Node): void => {
    if (
      ts.isCallExpression(n) &&
      ts.isPropertyAccessExpression(n.expression) &&
      /^(push|unshift)$/.test(n.expression.name.text) &&
      ts.isIdentifier(n.expression.expression) &&
      findDeclaration(n.expression.expression.text, n.expression.expression) === decl
    ) {
      const applied = appliedWhen(n, scope, bound);
      if (applied !== false) for (const a of n.arguments) out.push(...decoratorsListed(a, bound).map((d) => ({ ...d, maybe: d.maybe || applied === undefined })));
    }
    ts.forEachChild(n, visit);
  };
  visit(scope);
  return out;
}

/** Whether the `if`s between a node and `stop` let it run: false when one is decided against, undefined when one is not decided. */
function appliedWhen(node: ts.Node, stop: ts.Node, bound: BoundArguments): boolean | undefined {
  let result: boolean | undefined = true;
  let child: ts.Node = node;
  for (let n = node.parent; n && n !== stop; child = n, n = n.parent) {
    if (!ts.isIfStatement(n) || child === n.expression) continue;
    const test = evaluateBound(n.expression, bound);
    if (test === undefined) result = undefined;
    else if (test !== (child !== n.elseStatement)) return false;
  }
  return result;
}

function isCreateDecorator(call: ts.CallExpression, resolver: Resolver): boolean {
  const v = resolver.value(call.expression);
  return v.kind === 'external' && v.pkg === '@nestjs/core' && v.path.join('.') === 'Reflector.createDecorator';
}

function functionOf(node: ts.Node): FunctionNode | undefined {
  const n = ts.isVariableDeclaration(node) && node.initializer ? unwrap(node.initializer) : node;
  return isFunctionNode(n) ? n : undefined;
}

export function keyOfCreateDecorator(call: ts.CallExpression): OptOutKey {
  return `n:${call.getSourceFile().fileName}:${call.pos}`;
}

/** `(...roles) => SetMetadata('roles', roles)` called as `Roles('public', 'user')`: `roles` holds those arguments. */
function withRestArguments(fn: FunctionNode, call: ts.CallExpression, bound: BoundArguments): BoundArguments {
  const rest = fn.parameters.findIndex((p) => p.dotDotDotToken);
  if (rest < 0) return bound;
  return new Map(bound).set(fn.parameters[rest]!, ts.factory.createArrayLiteralExpression(call.arguments.slice(rest)));
}

/** The strings a metadata value lists: `['public']`, `'public'`, or a parameter bound to either. */
function listedStrings(expr: ts.Expression, bound: BoundArguments, depth = 0): string[] | undefined {
  if (depth > 4) return undefined;
  const e = unwrap(expr) as ts.Expression;
  if (ts.isIdentifier(e)) {
    const decl = findDeclaration(e.text, e);
    const value = decl && bound.get(decl);
    return value ? listedStrings(value, bound, depth + 1) : undefined;
  }
  if (ts.isStringLiteralLike(e)) return [e.text];
  if (!ts.isArrayLiteralExpression(e)) return undefined;
  const out: string[] = [];
  for (const el of e.elements) {
    const inner = listedStrings(el as ts.Expression, bound, depth + 1);
    if (!inner) return undefined;
    out.push(...inner);
  }
  return out;
}
