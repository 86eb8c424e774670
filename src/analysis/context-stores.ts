import { ts } from 'ts-morph';
import type { SourceSet } from '../discover/project-files.js';
import type { FrameworkName } from '../model/types.js';
import { isFunctionNode, type FunctionNode } from '../syntax/functions.js';
import { baseClass, enclosingClass, propertyNameText, unwrap, type Resolver } from '../syntax/resolve.js';
import { findDeclaration } from '../syntax/scope.js';
import type { FunctionSummaries } from './function-summary.js';
import { extend, Provenance, unwrapValue, type Origin, type OriginSource } from './provenance.js';
import type { RequestSpec } from './request-spec.js';
import { injectsRequest, isExport } from './request-object.js';

/**
 * A place that holds a value for the duration of one request, written in one part of the code (a guard,
 * a middleware) and read in another (a service):
 * - cls: nestjs-cls `cls.set('user', ...)` / `cls.get('user')`;
 * - http-context: express-http-context `httpContext.set(...)` / `httpContext.get(...)`;
 * - als: an AsyncLocalStorage `als.run({ user }, next)` / `als.getStore()?.user` (`key` undefined: the whole store);
 * - field: a field of a request-scoped Nest provider (`@Injectable({ scope: Scope.REQUEST })`, or one that
 *   injects REQUEST): `this.user = ...` in a setter the guard calls, `return this.user` in a getter.
 */
type Store =
  | { kind: 'cls' | 'http-context'; key: string }
  | { kind: 'als'; instance: ts.Node; key?: string }
  | { kind: 'field'; cls: ts.ClassLikeDeclaration; name: string };

/** A write that stores no one (`this.user = undefined`, a store object without the key). */
const ABSENT = 'absent';
type Written = Origin | typeof ABSENT;
const NONE: Origin = { kind: 'none' };
/** How many setters a stored value is followed up through their callers (`setUser(user)` ← the guard). */
const MAX_SETTER_DEPTH = 2;
const ASSIGNMENTS = new Set([ts.SyntaxKind.EqualsToken, ts.SyntaxKind.QuestionQuestionEqualsToken, ts.SyntaxKind.BarBarEqualsToken]);

export interface ContextStoreEnv {
  resolver: Resolver;
  summaries: FunctionSummaries;
  /** The project's files: every write to a store is looked for in all of them. */
  files: SourceSet;
  /** The origin sources a write's value is read with (request objects, verified tokens, the stores themselves). */
  sources: () => readonly OriginSource[];
}

/** The project's writes, indexed once per scan when the first store is read. */
interface WriteIndex {
  /** Calls of `set`, `setIfUndefined`, `run` and `enterWith`, by method name. */
  calls: Map<string, ts.CallExpression[]>;
  /** `x.name = value` (also `??=`, `||=`), by property name. */
  assignments: Map<string, ts.BinaryExpression[]>;
  /** `Object.assign(this, ...)` calls: they may set any field. */
  objectAssigns: ts.CallExpression[];
}
const INDEXED_CALLS = new Set(['set', 'setIfUndefined', 'run', 'enterWith']);

/**
 * Values read from a per-request store are what every write to it stores: the principal when each write
 * stores the principal (`cls.set('user', request.user)` in a guard, `this.user = payload` with the payload of
 * a verified token), the client's value when some write stores one (`request.headers['x-user-id']`), and
 * unknown when a write stores something we cannot trace, or when nothing visible writes it at all. A write of
 * a setter's parameter is followed to the setter's callers. A field of a singleton provider is not a store:
 * concurrent requests share it, so it may hold another request's user.
 */
export class ContextStores implements OriginSource {
  private readonly values = new Map<string, Origin>();
  private readonly inProgress = new Set<string>();
  private readonly ids = new Map<ts.Node, number>();
  private index?: WriteIndex;

  constructor(private readonly env: ContextStoreEnv) {}

  origin(expr: ts.Node, prov: Provenance): Origin | undefined {
    const e = unwrap(expr);
    let store: Store | undefined;
    if (ts.isCallExpression(e)) store = this.readCall(e);
    else if (ts.isPropertyAccessExpression(e)) store = this.memberStore(e.expression, e.name.text);
    else if (ts.isElementAccessExpression(e) && ts.isStringLiteralLike(unwrap(e.argumentExpression))) store = this.memberStore(e.expression, (unwrap(e.argumentExpression) as ts.StringLiteral).text);
    return store && this.read(store, e, prov.spec.framework);
  }

  member(object: ts.Node, key: string, prov: Provenance): Origin | undefined {
    const store = this.memberStore(object, key);
    return store && this.read(store, object, prov.spec.framework);
  }

  /** `cls.get('user')`, `httpContext.get('user')`, `als.getStore()`. */
  private readCall(call: ts.CallExpression): Store | undefined {
    const [first] = call.arguments;
    const key = first && ts.isStringLiteralLike(first) ? first.text : undefined;
    const callee = this.env.resolver.value(call.expression);
    if (key !== undefined && callee.kind === 'external' && callee.path[callee.path.length - 1] === 'get') {
      if (callee.pkg === 'nestjs-cls') return { kind: 'cls', key };
      if (callee.pkg === 'express-http-context') return { kind: 'http-context', key };
    }
    const instance = this.storeInstance(call);
    return instance ? { kind: 'als', instance } : undefined;
  }

  /** `als.getStore()?.user` (also through a const), `this.user` / `provider.user` on a request-scoped provider. */
  private memberStore(object: ts.Node, key: string): Store | undefined {
    const o = unwrapValue(object);
    const instance = this.storeInstance(definingExpression(o));
    if (instance) return { kind: 'als', instance, key };
    const cls = o.kind === ts.SyntaxKind.ThisKeyword ? enclosingClass(o) : instanceClass(o, this.env.resolver);
    return cls && isRequestScoped(cls, this.env.resolver) && isField(cls, key) ? { kind: 'field', cls, name: key } : undefined;
  }

  /** The AsyncLocalStorage a `getStore()` call reads, as its `new AsyncLocalStorage()` expression. */
  private storeInstance(expr: ts.Node): ts.Node | undefined {
    const e = unwrap(expr);
    if (!ts.isCallExpression(e) || !ts.isPropertyAccessExpression(e.expression) || e.expression.name.text !== 'getStore') return undefined;
    return this.asyncLocalStorage(e.expression.expression);
  }

  private asyncLocalStorage(expr: ts.Node): ts.Node | undefined {
    const v = this.env.resolver.value(expr);
    if (v.kind !== 'node' || !ts.isNewExpression(v.node)) return undefined;
    const cls = this.env.resolver.value(v.node.expression);
    return cls.kind === 'external' && /^(node:)?async_hooks$/.test(cls.pkg) && cls.path[cls.path.length - 1] === 'AsyncLocalStorage' ? v.node : undefined;
  }

  private read(store: Store, at: ts.Node, framework: FrameworkName): Origin {
    const id = this.storeId(store);
    let value = this.values.get(id);
    if (!value) {
      if (this.inProgress.has(id)) return NONE; // a store written from itself: no single origin
      this.inProgress.add(id);
      try {
        value = combine(this.writes(store, framework));
      } finally {
        this.inProgress.delete(id);
      }
      this.values.set(id, value);
    }
    // The client's value keeps its own location, for messages; the principal is read here.
    return value.kind === 'principal' ? { kind: 'principal', path: value.path, node: at } : value;
  }

  private storeId(store: Store): string {
    const id = (n: ts.Node) => this.ids.get(n) ?? (this.ids.set(n, this.ids.size), this.ids.size - 1);
    if (store.kind === 'als') return `als:${id(store.instance)}:${store.key ?? ''}`;
    if (store.kind === 'field') return `field:${id(store.cls)}:${store.name}`;
    return `${store.kind}:${store.key}`;
  }

  /** What each write to the store stores (no writes at all: nothing to trust). */
  private writes(store: Store, framework: FrameworkName): Written[] {
    const index = this.writeIndex();
    const value = (e: ts.Expression) => this.written(e, framework, 0);
    switch (store.kind) {
      case 'cls':
      case 'http-context': {
        const out: Written[] = [];
        for (const call of [...(index.calls.get('set') ?? []), ...(index.calls.get('setIfUndefined') ?? [])]) {
          const [key, stored] = call.arguments;
          const callee = this.env.resolver.value(call.expression);
          const isStore = callee.kind === 'external' && callee.pkg === (store.kind === 'cls' ? 'nestjs-cls' : 'express-http-context');
          // nestjs-cls's `setup: (cls, req) => cls.set(...)` receives the service untyped: an unresolved receiver may be it.
          const mayBeStore = store.kind === 'cls' && (callee.kind === 'param' || callee.kind === 'unknown');
          if (!isStore && !mayBeStore) continue;
          if (!key || !ts.isStringLiteralLike(key)) {
            if (isStore) return [NONE]; // a computed key may be any key
            continue;
          }
          if (key.text === store.key) out.push(stored ? value(stored) : ABSENT);
        }
        return out.length ? out : [NONE];
      }
      case 'als': {
        const out: Written[] = [];
        for (const call of [...(index.calls.get('run') ?? []), ...(index.calls.get('enterWith') ?? [])]) {
          const callee = call.expression;
          if (!ts.isPropertyAccessExpression(callee) || this.asyncLocalStorage(callee.expression) !== store.instance) continue;
          const stored = call.arguments[0];
          out.push(stored ? this.storedUnder(stored, store.key, framework) : ABSENT);
        }
        // `als.getStore()!.user = value` after the run.
        for (const a of store.key !== undefined ? (index.assignments.get(store.key) ?? []) : []) {
          if (this.storeInstance(definingExpression(unwrapValue((a.left as ts.PropertyAccessExpression).expression))) === store.instance) out.push(value(a.right));
        }
        return out.length ? out : [NONE];
      }
      case 'field': {
        const { cls, name } = store;
        const out: Written[] = [];
        for (const m of cls.members) {
          if (ts.isPropertyDeclaration(m) && m.initializer && m.name && propertyNameText(m.name) === name) out.push(value(m.initializer));
        }
        if (index.objectAssigns.some((c) => c.arguments[0]?.kind === ts.SyntaxKind.ThisKeyword && enclosingClass(c) === cls)) return [NONE];
        for (const a of index.assignments.get(name) ?? []) {
          const target = unwrap((a.left as ts.PropertyAccessExpression).expression);
          if (target.kind === ts.SyntaxKind.ThisKeyword) {
            const owner = enclosingClass(target);
            if (owner === cls || (owner && this.extendsClass(owner, cls))) out.push(value(a.right));
          } else if (instanceClass(target, this.env.resolver) === cls) out.push(value(a.right));
        }
        return out.length ? out : [NONE];
      }
    }
  }

  /** The value a stored object holds under `key` (`{ user: req.user, requestId }` under 'user'), or the object itself. */
  private storedUnder(stored: ts.Expression, key: string | undefined, framework: FrameworkName): Written {
    if (key === undefined) return this.written(stored, framework, 0);
    const prov = this.writerProvenance(framework);
    const shape = prov.shape(stored);
    if (!shape) return extendWritten(this.written(stored, framework, 0), key);
    if (shape.whole) return extend(shape.whole, key);
    let found: Written = ABSENT;
    for (const e of shape.entries) {
      // Later entries win, as in the object itself; a spread of something unknown may hold the key.
      if (e.kind === 'prop' && e.key === key) found = nullish(e.value) ? ABSENT : e.origin.kind === 'none' ? this.written(e.value, framework, 0) : e.origin;
      else if (e.kind === 'spread') found = e.origin.kind === 'none' ? NONE : extend(e.origin, key);
    }
    return found;
  }

  /** Where a written value comes from, seen from the function that writes it (a guard, a middleware, a setter's callers). */
  private written(value: ts.Expression, framework: FrameworkName, depth: number): Written {
    if (nullish(value)) return ABSENT;
    const o = this.writerProvenance(framework).origin(value);
    if (o.kind !== 'none' || depth >= MAX_SETTER_DEPTH) return o;
    // A setter's parameter (`setUser(user) { this.user = user }`): what every caller passes.
    const param = parameterRead(value);
    const fn = param?.decl.parent;
    const name = fn && isFunctionNode(fn) ? functionName(fn) : undefined;
    if (!param || !fn || !isFunctionNode(fn) || !name) return NONE;
    const { calls, unknown } = this.env.summaries.callSites(fn, name, this.env.files);
    if (unknown > 0 || calls.length === 0) return NONE;
    const at = fn.parameters.indexOf(param.decl);
    return combine(
      calls.map((c) => {
        const arg = c.arguments[at];
        return arg ? param.path.reduce(extendWritten, this.written(arg, framework, depth + 1)) : ABSENT;
      }),
    );
  }

  /** A provenance for code outside any handler: only the origin sources say what is the request or the principal. */
  private writerProvenance(framework: FrameworkName): Provenance {
    const spec: RequestSpec = { framework, classify: () => undefined, principalIdText: () => undefined };
    return new Provenance(spec, this.env.resolver, { helperDepth: 3, summaries: this.env.summaries, sources: this.env.sources() });
  }

  private extendsClass(cls: ts.ClassLikeDeclaration, base: ts.ClassLikeDeclaration): boolean {
    const b = baseClass(cls);
    const v = b && this.env.resolver.value(b);
    return !!v && v.kind === 'node' && v.node === base;
  }

  private writeIndex(): WriteIndex {
    if (this.index) return this.index;
    const index: WriteIndex = { calls: new Map(), assignments: new Map(), objectAssigns: [] };
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression)) {
        const name = n.expression.name.text;
        if (INDEXED_CALLS.has(name)) index.calls.set(name, [...(index.calls.get(name) ?? []), n]);
        if (name === 'assign' && n.expression.expression.getText() === 'Object') index.objectAssigns.push(n);
      } else if (ts.isBinaryExpression(n) && ASSIGNMENTS.has(n.operatorToken.kind) && ts.isPropertyAccessExpression(n.left)) {
        const name = n.left.name.text;
        index.assignments.set(name, [...(index.assignments.get(name) ?? []), n]);
      }
      ts.forEachChild(n, visit);
    };
    for (const sf of this.env.files.values()) visit(sf);
    return (this.index = index);
  }
}

/** Any write the client controls makes the store the client's; the principal only when every write stores it. */
function combine(written: Written[]): Origin {
  const present = written.filter((w): w is Origin => w !== ABSENT);
  const request = present.find((o) => o.kind === 'request');
  if (request) return request;
  return present.length > 0 && present.every((o) => o.kind === 'principal') ? present[0] : NONE;
}

function extendWritten(w: Written, key: string): Written {
  return w === ABSENT ? ABSENT : extend(w, key);
}

function nullish(e: ts.Expression): boolean {
  const u = unwrap(e);
  return u.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(u) && u.text === 'undefined');
}

/** `user` or `user.profile` where `user` is a plain parameter of the enclosing function. */
function parameterRead(value: ts.Expression): { decl: ts.ParameterDeclaration; path: string[] } | undefined {
  const path: string[] = [];
  let e = unwrapValue(value);
  while (ts.isPropertyAccessExpression(e)) {
    path.unshift(e.name.text);
    e = unwrapValue(e.expression);
  }
  if (!ts.isIdentifier(e)) return undefined;
  const decl = findDeclaration(e.text, e);
  return decl && ts.isParameter(decl) && ts.isIdentifier(decl.name) ? { decl, path } : undefined;
}

function functionName(fn: FunctionNode): string | undefined {
  if (fn.name && ts.isIdentifier(fn.name)) return fn.name.text;
  const holder = fn.parent;
  if ((ts.isVariableDeclaration(holder) || ts.isPropertyAssignment(holder) || ts.isPropertyDeclaration(holder)) && ts.isIdentifier(holder.name)) return holder.name.text;
  return undefined;
}

/** `store` declared `const store = als.getStore()`: the call; anything else: itself. */
function definingExpression(e: ts.Node): ts.Node {
  if (!ts.isIdentifier(e)) return e;
  const decl = findDeclaration(e.text, e);
  if (!decl || !ts.isVariableDeclaration(decl) || !decl.initializer || !(decl.parent.flags & ts.NodeFlags.Const)) return e;
  return unwrapValue(decl.initializer);
}

/** The project class an expression is an instance of (an injected provider), if the resolver can tell. */
function instanceClass(e: ts.Node, resolver: Resolver): ts.ClassLikeDeclaration | undefined {
  const v = resolver.value(e);
  return v.kind === 'instance' ? v.cls : undefined;
}

/** A data field: declared as a property (not a constructor-injected dependency, not a method), or only assigned. */
function isField(cls: ts.ClassLikeDeclaration, name: string): boolean {
  const ctor = cls.members.find(ts.isConstructorDeclaration);
  if (ctor?.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === name && ts.getModifiers(p)?.length)) return false;
  return !cls.members.some((m) => m.name && propertyNameText(m.name) === name && !ts.isPropertyDeclaration(m));
}

/**
 * One instance per request: `@Injectable({ scope: Scope.REQUEST })`, or a provider that injects REQUEST
 * (Nest makes it request-scoped). A singleton's field outlives the request that set it.
 */
function isRequestScoped(cls: ts.ClassLikeDeclaration, resolver: Resolver): boolean {
  const scoped = (ts.getDecorators(cls) ?? []).some((d) => {
    const call = unwrap(d.expression);
    if (!ts.isCallExpression(call) || !isExport(resolver.value(call.expression), '@nestjs/common', 'Injectable')) return false;
    const options = call.arguments[0] && unwrap(call.arguments[0]);
    if (!options || !ts.isObjectLiteralExpression(options)) return false;
    return options.properties.some((p) => ts.isPropertyAssignment(p) && propertyNameText(p.name) === 'scope' && isExport(resolver.value(p.initializer), '@nestjs/common', 'REQUEST'));
  });
  return scoped || !!cls.members.find(ts.isConstructorDeclaration)?.parameters.some((p) => injectsRequest(p, resolver));
}
