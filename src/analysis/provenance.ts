import { ts } from 'ts-morph';
import type { RequestPart } from '../model/facts.js';
import { isFunctionNode, returnedExpressions, type FunctionNode } from '../syntax/functions.js';
import { propertyNameText, unwrap, type Resolver } from '../syntax/resolve.js';
import { findDeclaration } from '../syntax/scope.js';
import type { FunctionSummaries } from './function-summary.js';
import { reassignedValues, propertyAssignments } from './reassignment.js';
import type { RequestSpec } from './request-spec.js';

/**
 * Where a value comes from:
 * - request: the client controls it (`part` and the field `path` inside it, `node` the request read);
 * - principal: the verified identity (`path` inside it: `['id']` for `req.user.id`);
 * - none: neither, or we cannot tell.
 */
export type Origin =
  | {
      kind: 'request';
      part: RequestPart;
      path: string[];
      /** The expression that reads the request (`req.body`), for messages. */
      node: ts.Node;
      /** Display text when no single node spells the read (`const { body } = req` → `req.body`). */
      text?: string;
      /** Keys a rest element took out: `const { userId, ...rest } = req.body` gives rest without userId. */
      excludes?: string[];
      /** A validation wrapper (`safeParse(x)` → `{ success, data }`): its `.data`/`.value` is the value itself. */
      wrapped?: boolean;
      /** The only keys a validation schema lets through (`z.object({ title })` → ['title']), when known. */
      allowedKeys?: string[];
    }
  | {
      kind: 'principal';
      path: string[];
      node: ts.Node;
      wrapped?: boolean;
      /** A record read for the principal (`member` of `findFirst({ where: { userId: me } })`) or its fields. */
      fromRecord?: boolean;
      /**
       * The record may be missing: a field read through `?.` is then undefined, which ORMs take as "no
       * filter", so only a plain read of its fields (which throws instead) counts.
       */
      mayBeMissing?: boolean;
    }
  | { kind: 'none' };

/**
 * Where values come from that the syntax at the use does not show: the request object held by a
 * request-scoped provider, a per-request store, a record read for the principal, a verified token.
 */
export interface OriginSource {
  /** The origin of `expr` (a property read, a call, or an unbound parameter), if this source knows it. */
  origin(expr: ts.Node, prov: Provenance): Origin | undefined;
  /** The origin of `object.key` read without a node of its own (`const { user } = this.request`). */
  member?(object: ts.Node, key: string, prov: Provenance): Origin | undefined;
}

const NONE: Origin = { kind: 'none' };

/** Conversions that keep a value's provenance: `String(id)`, `new ObjectId(id)`, `parseInt(id, 10)`. */
const CONVERSIONS = new Set(['String', 'Number', 'parseInt', 'parseFloat', 'BigInt', 'ObjectId', 'decodeURIComponent', 'Types.ObjectId', 'createFromHexString']);
/** Methods on a value that keep its provenance: `id.toString()`, `email.trim()`. */
const SAME_VALUE_METHODS = new Set(['toString', 'trim', 'toLowerCase', 'toUpperCase', 'valueOf', 'toHexString']);
/** Validation keeps the client's values: `schema.parse(req.body)` is still the request body. */
const VALIDATORS = new Set(['parse', 'parseAsync', 'cast', 'validateSync']);
/** Validators that wrap the result: `safeParse(x).data`, Joi's `validate(x).value`. */
const WRAPPING_VALIDATORS = new Set(['safeParse', 'safeParseAsync', 'validate', 'validateAsync', 'spa']);
/** class-transformer: the value is the second argument. */
const DTO_BUILDERS = new Set(['plainToInstance', 'plainToClass']);

/** One entry of an object as built in code, in source order. */
export type ShapeEntry =
  | { kind: 'prop'; key: string; value: ts.Expression; node: ts.ObjectLiteralElementLike; origin: Origin }
  | { kind: 'spread'; expr: ts.Expression; node: ts.Node; origin: Origin };

/** An object value as far as syntax shows it: its literal (for fixes), its entries, or an opaque whole. */
export interface ObjectShape {
  /** The object literal itself, when the expression is or names one in this function's reach. */
  literal?: ts.ObjectLiteralExpression;
  entries: ShapeEntry[];
  /** The whole object comes from one place we cannot look into: `data: req.body`. */
  whole?: Origin;
}

export interface ProvenanceOptions {
  /** Configured principal expressions, compared by source text: `req.currentUser`. */
  principals?: string[];
  /** How many levels of project helpers to follow into (1: the handler's direct callees). */
  helperDepth?: number;
  /** A helper's parameters bound to the caller's arguments. */
  bindings?: Map<ts.ParameterDeclaration, { arg: ts.Expression; caller: Provenance }>;
  /** The scan's per-function summaries, for resolving callees once. */
  summaries?: FunctionSummaries;
  /** Origins beyond the handler's parameters (see OriginSource), asked when the syntax alone gives none. */
  sources?: readonly OriginSource[];
}

/**
 * Decides whether an expression inside a handler is request-derived, principal-derived or neither,
 * following names, destructuring, conversions, validation and one level of project helpers.
 */
export class Provenance {
  private readonly principals: Set<string>;
  private readonly helperDepth: number;
  private readonly bindings: Map<ts.ParameterDeclaration, { arg: ts.Expression; caller: Provenance }>;
  readonly summaries?: FunctionSummaries;
  private readonly sources: readonly OriginSource[];
  private readonly visiting = new Set<ts.Node>();
  private readonly shaping = new Set<ts.Node>();
  /** Origins already computed with these bindings (cycles excepted), so shared sub-expressions cost once. */
  private readonly origins = new Map<ts.Node, Origin>();

  constructor(
    readonly spec: RequestSpec,
    readonly resolver: Resolver,
    options: ProvenanceOptions = {},
  ) {
    this.principals = new Set((options.principals ?? []).map((p) => p.replace(/\s+/g, '')));
    this.helperDepth = options.helperDepth ?? 1;
    this.bindings = options.bindings ?? new Map();
    this.summaries = options.summaries;
    this.sources = options.sources ?? [];
  }

  /** A provenance for a helper's body, its parameters bound to this call's arguments. */
  forHelper(fn: FunctionNode, call: ts.CallExpression): Provenance | undefined {
    if (this.helperDepth <= 0) return undefined;
    const bindings = new Map<ts.ParameterDeclaration, { arg: ts.Expression; caller: Provenance }>();
    fn.parameters.forEach((p, i) => {
      const arg = call.arguments[i];
      if (arg) bindings.set(p, { arg, caller: this });
    });
    return new Provenance(this.spec, this.resolver, { principals: [...this.principals], helperDepth: this.helperDepth - 1, bindings, summaries: this.summaries, sources: this.sources });
  }

  /**
   * The handler's argument a helper's parameter stands for: `authorId` in the helper → `req.body.authorId`
   * at the call, followed through every level of helpers up to the handler.
   */
  boundArgument(expr: ts.Node): ts.Expression | undefined {
    const e = unwrapValue(expr);
    if (!ts.isIdentifier(e)) return undefined;
    const decl = findDeclaration(e.text, e);
    const bound = decl && ts.isParameter(decl) ? this.bindings.get(decl) : undefined;
    if (!bound) return undefined;
    return bound.caller.boundArgument(bound.arg) ?? (bound.caller.bindings.size === 0 ? bound.arg : undefined);
  }

  /** The project function a call invokes, if syntax can tell. */
  calledFunction(call: ts.CallExpression): FunctionNode | undefined {
    if (this.summaries) return this.summaries.calledFunction(call);
    const v = this.resolver.value(call.expression);
    if (v.kind !== 'node') return undefined;
    const n = ts.isVariableDeclaration(v.node) && v.node.initializer ? unwrap(v.node.initializer) : v.node;
    return isFunctionNode(n) && n.body ? n : undefined;
  }

  origin(expr: ts.Node): Origin {
    const known = this.origins.get(expr);
    if (known) return known;
    if (this.visiting.has(expr)) return NONE;
    this.visiting.add(expr);
    try {
      const o = this.compute(expr);
      if (this.visiting.size === 1) this.origins.set(expr, o);
      return o;
    } finally {
      this.visiting.delete(expr);
    }
  }

  private compute(expr: ts.Node): Origin {
    const e = unwrapValue(expr);
    if (this.principals.has(e.getText().replace(/\s+/g, ''))) return { kind: 'principal', path: [], node: e };
    if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) {
      const key = accessKey(e);
      const base = this.origin(e.expression);
      // `member?.orgId` of a record that may be missing is undefined then: no filter at all.
      if (base.kind === 'principal' && base.mayBeMissing && e.questionDotToken) return NONE;
      if (base.kind !== 'none') return key === undefined ? base : extend(base, key);
    }
    const classified = this.spec.classify(e);
    if (classified?.kind === 'request') return { kind: 'request', part: classified.part, path: callKeyPath(e), node: e };
    if (classified?.kind === 'principal') return { kind: 'principal', path: [], node: e };
    if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e) || ts.isCallExpression(e)) {
      const sourced = this.fromSources(e);
      if (sourced) return sourced;
    }
    if (ts.isIdentifier(e)) return this.identifierOrigin(e);
    if (ts.isCallExpression(e) || ts.isNewExpression(e)) return this.callOrigin(e);
    if (ts.isTemplateExpression(e)) return strongest(e.templateSpans.map((s) => this.origin(s.expression)));
    if (ts.isObjectLiteralExpression(e)) return this.principalObject(e);
    if (ts.isConditionalExpression(e)) {
      const branches = [this.origin(e.whenTrue), this.origin(e.whenFalse)];
      // `member ? member.orgId : undefined`: without the record there is no filter at all.
      if (branches.some((o) => o.kind === 'principal' && o.fromRecord) && [e.whenTrue, e.whenFalse].some(isNullish)) return NONE;
      return strongest(branches);
    }
    if (ts.isBinaryExpression(e)) {
      const op = e.operatorToken.kind;
      if (op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.BarBarToken) {
        const left = this.origin(e.left);
        // `(member ?? {}).orgId`: a missing record's stand-in holds no tenant.
        if (left.kind === 'principal' && left.mayBeMissing) return NONE;
        return strongest([left, this.origin(e.right)]);
      }
      if (op === ts.SyntaxKind.PlusToken) return strongest([this.origin(e.left), this.origin(e.right)]);
    }
    return NONE;
  }

  private identifierOrigin(id: ts.Identifier): Origin {
    const decl = findDeclaration(id.text, id);
    if (!decl) return NONE;
    if (ts.isVariableDeclaration(decl)) {
      const later = reassignedValues(decl);
      if (!later) return decl.initializer ? this.origin(decl.initializer) : NONE;
      // A reassigned `let`: every value it may hold must agree, or we cannot say where it comes from.
      return agreeing([...(decl.initializer ? [decl.initializer] : []), ...later].map((v) => this.origin(v)));
    }
    if (ts.isBindingElement(decl)) return this.bindingOrigin(decl);
    if (ts.isParameter(decl)) {
      const bound = this.bindings.get(decl);
      // An unbound parameter: a framework may say what it receives (passport-jwt's verified payload).
      return bound ? bound.caller.origin(bound.arg) : (this.fromSources(id) ?? NONE);
    }
    return NONE;
  }

  private fromSources(e: ts.Node): Origin | undefined {
    for (const source of this.sources) {
      const o = source.origin(e, this);
      if (o) return o;
    }
    return undefined;
  }

  /** `const { id } = req.params`, `const { a: { b } } = x`, `({ body }) => ...`, `const { userId, ...rest } = req.body`. */
  private bindingOrigin(el: ts.BindingElement): Origin {
    const path: string[] = [];
    let excludes: string[] | undefined;
    let node: ts.Node = el;
    let outermost: ts.BindingElement = el;
    while (ts.isBindingElement(node)) {
      const pattern: ts.BindingPattern = node.parent;
      if (ts.isArrayBindingPattern(pattern)) path.unshift(String(pattern.elements.indexOf(node)));
      else if (node.dotDotDotToken) {
        // A rest element is the whole object minus the sibling keys.
        if (node === el) excludes = pattern.elements.filter((s) => s !== node).map((s) => bindingKey(s)).filter((k): k is string => !!k);
      } else {
        const key = bindingKey(node);
        if (key === undefined) return NONE;
        path.unshift(key);
      }
      outermost = node;
      node = pattern.parent;
    }
    let base: Origin = NONE;
    if (ts.isVariableDeclaration(node) && node.initializer) {
      base = this.origin(node.initializer);
      // `const { body, user } = req`: ask the adapter about `req.body` as if it were written out.
      if (base.kind === 'none' && path.length) {
        const read = this.classifyMember(node.initializer, path[0]) ?? this.sourcedMember(node.initializer, path[0]);
        if (read) {
          base = read;
          path.shift();
        }
      }
    } else if (ts.isParameter(node)) {
      const bound = this.bindings.get(node);
      if (bound) base = bound.caller.origin(bound.arg);
      else {
        // A destructured request parameter: `({ body, user }, res) => ...`; the adapter classifies the binding.
        const classified = this.spec.classify(outermost);
        if (classified?.kind === 'request') base = { kind: 'request', part: classified.part, path: [], node: outermost };
        else if (classified?.kind === 'principal') base = { kind: 'principal', path: [], node: outermost };
        if (base.kind !== 'none') path.shift();
      }
    }
    for (const key of path) base = extend(base, key);
    if (excludes && base.kind === 'request') base = { ...base, excludes };
    return base;
  }

  /** Classifies `<object>.<key>` without such a node in the source, through a synthesized property read. */
  private classifyMember(object: ts.Expression, key: string): Origin | undefined {
    const target = unwrapValue(object) as ts.Expression;
    let kind: ReturnType<RequestSpec['classify']>;
    try {
      kind = this.spec.classify(ts.factory.createPropertyAccessExpression(target, key));
    } catch {
      return undefined; // an adapter that needs source text for synthesized nodes: no answer
    }
    const text = `${target.getText()}.${key}`;
    if (kind?.kind === 'request') return { kind: 'request', part: kind.part, path: [], node: target, text };
    if (kind?.kind === 'principal') return { kind: 'principal', path: [], node: target };
    return undefined;
  }

  /** `{ id: payload.sub, email: payload.email }`: an object built only from the principal is the principal. */
  private principalObject(e: ts.ObjectLiteralExpression): Origin {
    const shape = this.shape(e);
    const origins = shape?.entries.map((entry) => entry.origin) ?? [];
    return origins.length > 0 && origins.every((o) => o.kind === 'principal') ? { kind: 'principal', path: [], node: e } : NONE;
  }

  /** `object.key` as the origin sources know it, for reads without a node of their own. */
  private sourcedMember(object: ts.Expression, key: string): Origin | undefined {
    for (const source of this.sources) {
      const o = source.member?.(unwrapValue(object), key, this);
      if (o) return o;
    }
    return undefined;
  }

  private callOrigin(call: ts.CallExpression | ts.NewExpression): Origin {
    const args = call.arguments ?? [];
    const callee = unwrap(call.expression);
    const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
    const calleeText = callee.getText();
    if (name && (CONVERSIONS.has(name) || CONVERSIONS.has(calleeText)) && args[0]) return this.origin(args[0]);
    if (name && DTO_BUILDERS.has(name) && args[1]) return this.origin(args[1]);
    if (ts.isPropertyAccessExpression(callee) && name) {
      if (SAME_VALUE_METHODS.has(name)) return this.origin(callee.expression);
      if ((VALIDATORS.has(name) || WRAPPING_VALIDATORS.has(name)) && args.length) {
        let found = strongest(args.map((a) => this.origin(a)));
        if (found.kind === 'request' && found.path.length === 0) {
          const keys = schemaKeys(callee.expression, this.resolver);
          if (keys) found = { ...found, allowedKeys: keys };
        }
        return found.kind === 'none' || !WRAPPING_VALIDATORS.has(name) ? found : { ...found, wrapped: true };
      }
    }
    if (ts.isCallExpression(call)) {
      const fn = this.calledFunction(call);
      const inner = fn && this.forHelper(fn, call);
      if (fn && inner) return strongest(returnedExpressions(fn).map((r) => inner.origin(r)));
    }
    return NONE;
  }

  /** The object an expression builds, entry by entry (for `data`, `where` and filters). */
  shape(expr: ts.Node): ObjectShape | undefined {
    if (this.shaping.has(expr)) return undefined;
    this.shaping.add(expr);
    try {
      return this.computeShape(expr);
    } finally {
      this.shaping.delete(expr);
    }
  }

  private computeShape(expr: ts.Node): ObjectShape | undefined {
    const e = unwrapValue(expr);
    if (ts.isObjectLiteralExpression(e)) {
      const entries: ShapeEntry[] = [];
      for (const p of e.properties) {
        if (ts.isPropertyAssignment(p)) {
          const key = propertyNameText(p.name);
          if (key !== undefined) entries.push({ kind: 'prop', key, value: p.initializer, node: p, origin: this.origin(p.initializer) });
        } else if (ts.isShorthandPropertyAssignment(p)) {
          entries.push({ kind: 'prop', key: p.name.text, value: p.name, node: p, origin: this.origin(p.name) });
        } else if (ts.isSpreadAssignment(p)) {
          const inner = this.shape(p.expression);
          if (inner && !inner.whole) entries.push(...inner.entries);
          else entries.push({ kind: 'spread', expr: p.expression, node: p, origin: inner?.whole ?? this.origin(p.expression) });
        }
      }
      return { literal: e, entries };
    }
    if (ts.isIdentifier(e)) {
      const decl = findDeclaration(e.text, e);
      if (decl && ts.isVariableDeclaration(decl) && decl.initializer) {
        // A reassigned `let` may hold another object: no shape, so neither scoping nor a selector is claimed.
        if (reassignedValues(decl)) return undefined;
        const s = this.shape(decl.initializer);
        // `where.userId = req.user.id` after the literal: the added keys count too.
        const added = propertyAssignments(decl);
        if (s && added.length && !s.whole) {
          return { ...s, entries: [...s.entries, ...added.map((a): ShapeEntry => ({ kind: 'prop', key: a.key, value: a.value, node: a.node as unknown as ts.ObjectLiteralElementLike, origin: this.origin(a.value) }))] };
        }
        if (s) return s;
      }
      if (decl && ts.isParameter(decl)) {
        const bound = this.bindings.get(decl);
        if (bound) return bound.caller.shape(bound.arg);
      }
    }
    if (ts.isCallExpression(e) && e.expression.getText() === 'Object.assign') {
      const entries: ShapeEntry[] = [];
      for (const a of e.arguments) {
        const s = this.shape(a);
        if (s && !s.whole) entries.push(...s.entries);
        else entries.push({ kind: 'spread', expr: a, node: a, origin: s?.whole ?? this.origin(a) });
      }
      return { entries };
    }
    const whole = this.origin(e);
    return whole.kind === 'none' ? undefined : { entries: [], whole };
  }
}

/** Value-preserving syntax: parentheses, casts, `!`, `await`. */
export function unwrapValue(node: ts.Node): ts.Node {
  let e = unwrap(node);
  while (ts.isAwaitExpression(e)) e = unwrap(e.expression);
  return e;
}

/** A stable key for "the same request value": `params:userId`. */
export function originKey(o: Origin): string | undefined {
  if (o.kind === 'request') return `${o.part}:${o.path.join('.')}`;
  if (o.kind === 'principal') return `principal:${o.path.join('.')}`;
  return undefined;
}

/** The last field name an origin reads: `req.body.userId` → 'userId'. */
export function originField(o: Origin): string | undefined {
  return o.kind === 'none' ? undefined : o.path[o.path.length - 1];
}

/** The origin of `value.key` given the origin of `value`. */
export function extend(o: Origin, key: string): Origin {
  if (o.kind === 'none') return o;
  if (o.wrapped && (key === 'data' || key === 'value')) return { ...o, wrapped: false };
  if (o.kind === 'request' && o.excludes?.includes(key)) return NONE;
  return { ...o, path: [...o.path, key], wrapped: false, ...(o.kind === 'request' ? { excludes: undefined, allowedKeys: undefined } : { mayBeMissing: undefined }) };
}

/**
 * The keys of a zod/yup/valibot-style object schema the value was validated with: `z.object({ title: ... })`
 * (also through a variable or an import). Zod strips unknown keys by default, so these are all that pass.
 */
function schemaKeys(schema: ts.Expression, resolver: Resolver): string[] | undefined {
  const v = resolver.value(schema);
  const node = v.kind === 'node' ? unwrap(v.node) : undefined;
  if (!node || !ts.isCallExpression(node)) return undefined;
  const callee = unwrap(node.expression);
  const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
  const shape = node.arguments[0] && unwrap(node.arguments[0]);
  if (name !== 'object' || !shape || !ts.isObjectLiteralExpression(shape)) return undefined;
  const keys: string[] = [];
  for (const p of shape.properties) {
    const key = p.name && propertyNameText(p.name);
    if (key === undefined || ts.isSpreadAssignment(p)) return undefined;
    keys.push(key);
  }
  return keys;
}

function isNullish(n: ts.Node): boolean {
  const e = unwrap(n);
  return e.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(e) && e.text === 'undefined');
}

/** The origin all the values share; mixed or unknown sources give none (no claim either way). */
function agreeing(origins: Origin[]): Origin {
  if (origins.length === 0 || origins.some((o) => o.kind === 'none')) return NONE;
  return origins.every((o) => o.kind === origins[0].kind) ? origins[0] : NONE;
}

/** A request origin wins over a principal one: any client-controlled part makes the value client-controlled. */
function strongest(origins: Origin[]): Origin {
  return origins.find((o) => o.kind === 'request') ?? origins.find((o) => o.kind === 'principal') ?? NONE;
}

function accessKey(e: ts.PropertyAccessExpression | ts.ElementAccessExpression): string | undefined {
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  const arg = unwrap(e.argumentExpression);
  if (ts.isStringLiteralLike(arg) || ts.isNumericLiteral(arg)) return arg.text;
  return undefined;
}

/** `c.req.param('id')`, `req.get('x-user-id')`: the literal argument names the field. */
function callKeyPath(e: ts.Node): string[] {
  if (ts.isCallExpression(e) && e.arguments[0] && ts.isStringLiteralLike(e.arguments[0])) return [e.arguments[0].text];
  return [];
}

function bindingKey(el: ts.BindingElement): string | undefined {
  if (el.propertyName) return propertyNameText(el.propertyName);
  return ts.isIdentifier(el.name) ? el.name.text : undefined;
}
