import { ts } from 'ts-morph';
import type { ProjectFiles } from '../../discover/project-files.js';
import { isFunctionNode, returnedExpressions } from '../../syntax/functions.js';
import { joinPaths } from '../chain.js';
import { unwrap, type Resolver, type Value } from '../../syntax/resolve.js';
import { defaultedString } from '../../syntax/config-defaults.js';
import { findDeclaration } from '../../syntax/scope.js';
import { reassignedValues } from '../../analysis/reassignment.js';
import { staticString, staticStrings } from '../../syntax/strings.js';

/** Registrars that add a handler for one method; `all` adds one for every method. */
const METHOD_REGISTRARS = new Set(['get', 'post', 'put', 'delete', 'options', 'patch', 'all']);
/** Hono methods that return the same instance, so a chain keeps talking to one app. */
const RETURNS_THIS = new Set([...METHOD_REGISTRARS, 'on', 'use', 'route', 'openapi', 'doc', 'doc31', 'onError', 'notFound', 'mount', 'showRoutes']);

/** Sort key of a registration, compared lexicographically: [home file first, file index, offset]. */
export type Order = number[];

/**
 * A Hono instance, identified by the expression that creates it (`new Hono()`, `new OpenAPIHono()`,
 * `createFactory().createApp()`), never by variable name. `basePath()` clones share its route list,
 * so they are the same app here; each entry remembers the base path it was registered under.
 */
export interface HonoApp {
  id: string;
  creation: ts.Node;
  entries: HonoEntry[];
  mounted: boolean;
  /** An app built inside a factory function: each call of the factory is its own app (see `inherits`). */
  template?: boolean;
  /** For an app made by calling a factory: the factory's app, whose registrations run first. */
  inherits?: HonoApp;
}

/** An app's registrations in order, the factory's own first. */
export function entriesOf(app: HonoApp): HonoEntry[] {
  return app.inherits ? [...entriesOf(app.inherits), ...app.entries] : app.entries;
}

/** An app as an expression denotes it: the app and the base path of the clone (undefined when computed). */
export interface AppRef {
  app: HonoApp;
  base: string | undefined;
}

interface EntryBase {
  call: ts.CallExpression;
  /** The base path of the instance the call was made on. */
  base: string | undefined;
  order: Order;
}

export type HonoEntry =
  | (EntryBase & { kind: 'use'; path?: ts.Expression; items: ts.Expression[] })
  | (EntryBase & {
      kind: 'route';
      /** Upper-case methods; undefined when computed. */
      methods: string[] | undefined;
      /** Route paths as written (Hono syntax); undefined when computed. */
      paths: string[] | undefined;
      /** Middleware then handler, spreads and createHandlers(...) flattened. */
      items: ts.Expression[];
      /** Where a route-level guard is inserted: before this argument, or into this createRoute object. */
      insertion: { before: ts.Expression } | { openapiRoute: ts.ObjectLiteralExpression } | undefined;
      /**
       * A route Hono itself answers: `doc()`/`doc31()` serve the OpenAPI document (no handler of the
       * project's), `mount()` hands the request to another application the scan does not read.
       */
      builtin?: { kind: 'doc' | 'mount'; label: string };
    })
  | (EntryBase & { kind: 'mount'; path: ts.Expression; child: ts.Expression });

/** A registration on a parameter, or on a property of one (`{ app }` of `registerRoutes({ app, db })`): `path`. */
type Pending = { param: ts.ParameterDeclaration; path: string[]; call: ts.CallExpression; base: string };
type ParamRef = { param: ts.ParameterDeclaration; path: string[]; base: string };

/**
 * Finds every Hono app in the project and its registrations in execution order. Registrations on a
 * function parameter (`export function routes(app: Hono) { app.get(...) }`) are replayed on every app
 * passed at that function's call sites.
 */
export class HonoApps {
  readonly apps = new Map<string, HonoApp>();
  /** `basePath(env('BASE_PATH') || '/')`: the default the scan took, said in the reason of the routes under it. */
  readonly assumedBasePaths = new Map<ts.CallExpression, string>();
  private readonly fileIndex = new Map<string, number>();

  constructor(
    private readonly resolver: Resolver,
    private readonly files: ProjectFiles,
  ) {
    files.discovered().forEach((f, i) => this.fileIndex.set(f, i));
  }

  build(): HonoApp[] {
    const calls: ts.CallExpression[] = [];
    // In a slice scan, only the slice's registrations: apps elsewhere cannot change its routes.
    for (const sf of this.files.scope()) collectCalls(sf, calls);
    const pending: Pending[] = [];
    for (const call of calls) {
      const callee = call.expression;
      if (!ts.isPropertyAccessExpression(callee) || !isRegistrar(callee.name.text)) continue;
      const ref = this.refOf(callee.expression);
      if (!ref) continue;
      if ('param' in ref) pending.push({ param: ref.param, path: ref.path, call, base: ref.base });
      else this.addEntry(ref.app, ref.base, call, this.orderOf(call, ref.app));
    }
    if (pending.length) this.bindParameters(calls, pending);
    for (const app of this.apps.values()) app.entries.sort((a, b) => compareOrder(a.order, b.order));
    return [...this.apps.values()];
  }

  /** The app an expression evaluates to, or the registrar parameter it is. */
  refOf(expr: ts.Node, depth = 0): AppRef | ParamRef | undefined {
    const assigned = depth < 12 ? this.assignedApp(expr, depth) : undefined;
    return assigned ?? this.refOfValue(this.resolver.value(expr), depth);
  }

  /**
   * `let app; if (getRuntimeKey() === 'deno') app = new Hono().basePath('/fn'); else app = new Hono()`: one app, made
   * one way or the other by the runtime. Where the branches differ only by a base path, the app without one: the
   * deployments that skip the base path mount the app under its name themselves, so those are the paths served.
   */
  private assignedApp(expr: ts.Node, depth: number): AppRef | undefined {
    const e = unwrap(expr);
    const decl = ts.isIdentifier(e) ? findDeclaration(e.text, e) : undefined;
    if (!decl || !ts.isVariableDeclaration(decl) || decl.initializer) return undefined;
    const refs = (reassignedValues(decl) ?? []).flatMap((value) => {
      const ref = this.refOfValue(this.resolver.value(value), depth + 1);
      return ref && 'app' in ref ? [ref] : [];
    });
    if (!refs.length) return undefined;
    return refs.find((r) => r.base === '') ?? refs[0];
  }

  appOf(expr: ts.Node): AppRef | undefined {
    const ref = this.refOf(expr);
    return ref && 'app' in ref ? ref : undefined;
  }

  private refOfValue(v: Value, depth: number): AppRef | ParamRef | undefined {
    if (depth > 12) return undefined;
    if (v.kind === 'param') return { param: v.node, path: v.path, base: '' };
    if (v.kind !== 'node') return undefined;
    let node = unwrap(v.node);
    // new Hono().use(auth).get(...).post(...)...: a method chain of any length is the app it starts from.
    while (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && RETURNS_THIS.has(node.expression.name.text)) {
      const inner = unwrap(node.expression.expression);
      if (!ts.isCallExpression(inner) && !ts.isNewExpression(inner)) return this.refOf(inner, depth + 1);
      node = inner;
    }
    if (ts.isNewExpression(node)) {
      const callee = this.resolver.value(node.expression);
      if (callee.kind === 'external' && isHonoClass(callee.pkg, callee.path)) return { app: this.appAt(node), base: '' };
      return undefined;
    }
    if (!ts.isCallExpression(node)) return undefined;
    const callee = unwrap(node.expression);
    if (ts.isPropertyAccessExpression(callee)) {
      const name = callee.name.text;
      if (RETURNS_THIS.has(name)) return this.refOf(callee.expression, depth + 1);
      if (name === 'basePath') {
        const inner = this.refOf(callee.expression, depth + 1);
        if (!inner) return undefined;
        let added = node.arguments[0] ? staticString(node.arguments[0], this.resolver) : undefined;
        const assumed = added === undefined && node.arguments[0] ? defaultedString(node.arguments[0], this.resolver, () => []) : undefined;
        if (assumed) {
          added = assumed.value;
          this.assumedBasePaths.set(node, `the base path is assumed to be ${JSON.stringify(assumed.value)}, the default of \`${assumed.from}\``);
        }
        const base = inner.base === undefined || added === undefined ? undefined : joinPaths(inner.base, added);
        return 'app' in inner ? { app: inner.app, base } : inner;
      }
      // createFactory().createApp() / factory.createApp()
      if (name === 'createApp' && this.isFactory(callee.expression)) return { app: this.appAt(node), base: '' };
    }
    // A factory function of the project: function makeApp() { const app = new Hono(); ...; return app }.
    // Each call creates a new app: keyed by the call, carrying what the factory registers itself.
    const fnValue = this.resolver.value(node.expression);
    if (fnValue.kind === 'node' && isFunctionNode(fnValue.node)) {
      const fn = fnValue.node;
      for (const ret of returnedExpressions(fn)) {
        const ref = this.refOf(ret, depth + 1);
        if (!ref || !('app' in ref)) continue;
        if (!isInside(ref.app.creation, fn)) return ref; // a factory handing out one shared app
        ref.app.template = true;
        const made = this.appAt(node);
        made.inherits = ref.app;
        return { app: made, base: ref.base };
      }
    }
    return undefined;
  }

  /** `createFactory()` from hono/factory (possibly through a variable). */
  isFactory(expr: ts.Node): boolean {
    const v = this.resolver.value(expr);
    if (v.kind !== 'node' || !ts.isCallExpression(v.node)) return false;
    const callee = this.resolver.value(v.node.expression);
    return callee.kind === 'external' && callee.pkg === 'hono' && callee.path.join('.') === 'factory.createFactory';
  }

  private appAt(node: ts.Node): HonoApp {
    const id = `${node.getSourceFile().fileName}:${node.getStart()}`;
    let app = this.apps.get(id);
    if (!app) {
      app = { id, creation: node, entries: [], mounted: false };
      this.apps.set(id, app);
    }
    return app;
  }

  private addEntry(app: HonoApp, base: string | undefined, call: ts.CallExpression, order: Order): void {
    const method = (call.expression as ts.PropertyAccessExpression).name.text;
    const args = [...call.arguments];
    const common = { call, base, order };
    if (method === 'use') {
      const hasPath = args[0] !== undefined && this.isPath(args[0]);
      app.entries.push({ kind: 'use', ...common, path: hasPath ? args[0] : undefined, items: this.flatten(hasPath ? args.slice(1) : args) });
    } else if (method === 'route') {
      if (args.length >= 2) app.entries.push({ kind: 'mount', ...common, path: args[0], child: args[1] });
    } else if (method === 'on') {
      if (args.length < 3) return;
      const methods = staticStrings(args[0], this.resolver)?.map((m) => m.toUpperCase());
      const paths = staticStrings(args[1], this.resolver);
      const handlers = args.slice(2);
      app.entries.push({ kind: 'route', ...common, methods, paths, items: this.flatten(handlers), insertion: this.insertionPoint(handlers) });
    } else if (method === 'openapi') {
      this.addOpenApiEntry(app, common, args);
    } else if (method === 'doc' || method === 'doc31') {
      // app.doc('/doc', config): GET <path> answers with the generated OpenAPI document.
      if (!args[0] || !args[1]) return;
      const paths = staticStrings(args[0], this.resolver);
      app.entries.push({ kind: 'route', ...common, methods: ['GET'], paths, items: [], insertion: undefined, builtin: { kind: 'doc', label: `${method}()` } });
    } else if (method === 'mount') {
      // app.mount('/legacy', other.fetch): Hono adds ALL <path>/* that calls the other application.
      if (!args[0] || !args[1]) return;
      const paths = staticStrings(args[0], this.resolver)?.map((p) => joinPaths(p, '*'));
      app.entries.push({
        kind: 'route',
        ...common,
        methods: ['ALL'],
        paths,
        items: [],
        insertion: undefined,
        builtin: { kind: 'mount', label: args[1].getText().slice(0, 60) },
      });
    } else if (METHOD_REGISTRARS.has(method)) {
      const hasPath = args[0] !== undefined && this.isPath(args[0]);
      if (hasPath && args.length < 2) return; // c.get('user') and friends are not registrations
      const handlers = hasPath ? args.slice(1) : args;
      if (!handlers.length) return;
      // `app.get('/a', h).post(h2)`: a path-less registration reuses the previous path of the chain.
      const paths = hasPath ? staticStrings(args[0], this.resolver) : this.chainPath(call);
      app.entries.push({
        kind: 'route',
        ...common,
        methods: [method === 'all' ? 'ALL' : method.toUpperCase()],
        paths,
        items: this.flatten(handlers),
        insertion: this.insertionPoint(handlers),
      });
    }
  }

  /** `app.openapi(createRoute({ method, path, middleware }), handler)`: the route config is a plain object. */
  private addOpenApiEntry(app: HonoApp, common: EntryBase, args: ts.Expression[]): void {
    const [routeArg, handler] = args;
    if (!routeArg || !handler) return;
    const config = this.routeConfig(routeArg);
    const prop = (name: string) => config && this.configProperty(config, name, 0);
    const methodExpr = prop('method');
    const pathExpr = prop('path');
    const method = methodExpr ? staticString(methodExpr, this.resolver) : undefined;
    const path = pathExpr ? staticString(pathExpr, this.resolver) : undefined;
    const middleware = prop('middleware');
    const items = middleware ? this.flatten([middleware]) : [];
    app.entries.push({
      kind: 'route',
      ...common,
      methods: method ? [method.toUpperCase()] : undefined,
      // OpenAPI writes parameters as {id}; Hono serves them as :id.
      paths: path === undefined ? undefined : [path.replace(/\{([^}]+)\}/g, ':$1')],
      items: [...items, handler],
      insertion: config ? { openapiRoute: config } : undefined,
    });
  }

  /**
   * A property of a route config, the last one written winning, also one a spread brings in:
   * `{ ...listPlansRoute, middleware: [requireAuth] }` with `listPlansRoute = createRoute({ method, path })`.
   */
  private configProperty(config: ts.ObjectLiteralExpression, name: string, depth: number): ts.Expression | undefined {
    for (const p of [...config.properties].reverse()) {
      if (ts.isSpreadAssignment(p)) {
        const inner = depth < 4 ? this.routeConfig(p.expression) : undefined;
        const found = inner && this.configProperty(inner, name, depth + 1);
        if (found) return found;
      } else {
        const value = propertyValue(p, name);
        if (value) return value;
      }
    }
    return undefined;
  }

  /** The object literal behind `createRoute({...})`, a variable holding it, or an inline object. */
  private routeConfig(expr: ts.Expression): ts.ObjectLiteralExpression | undefined {
    const v = this.resolver.value(expr);
    if (v.kind !== 'node') return undefined;
    const node = unwrap(v.node);
    if (ts.isObjectLiteralExpression(node)) return node;
    if (ts.isCallExpression(node) && node.arguments[0]) {
      const callee = this.resolver.value(node.expression);
      if (callee.kind === 'external' && callee.path[callee.path.length - 1] === 'createRoute') {
        const obj = unwrap(node.arguments[0]);
        return ts.isObjectLiteralExpression(obj) ? obj : this.routeConfig(node.arguments[0]);
      }
    }
    return undefined;
  }

  /** The path of the registration this one is chained on. */
  private chainPath(call: ts.CallExpression): string[] | undefined {
    const recv = unwrap((call.expression as ts.PropertyAccessExpression).expression);
    if (!ts.isCallExpression(recv) || !ts.isPropertyAccessExpression(recv.expression)) return undefined;
    const name = recv.expression.name.text;
    if (!METHOD_REGISTRARS.has(name)) return undefined;
    const first = recv.arguments[0];
    if (first && this.isPath(first)) return staticStrings(first, this.resolver);
    return this.chainPath(recv);
  }

  /** Middleware and handlers in run order: `...factory.createHandlers(a, b)` and `...[a, b]` are spread out. */
  flatten(items: readonly ts.Expression[]): ts.Expression[] {
    const out: ts.Expression[] = [];
    for (const item of items) {
      const e = unwrap(item);
      if (ts.isSpreadElement(e)) {
        const inner = this.spreadItems(e.expression);
        if (inner) out.push(...this.flatten(inner));
        else out.push(item);
      } else if (ts.isArrayLiteralExpression(e)) out.push(...this.flatten(e.elements));
      else out.push(item);
    }
    return out;
  }

  private spreadItems(expr: ts.Expression): readonly ts.Expression[] | undefined {
    const v = this.resolver.value(expr);
    if (v.kind !== 'node') return undefined;
    const node = unwrap(v.node);
    if (ts.isArrayLiteralExpression(node)) return node.elements;
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'createHandlers') {
      if (this.isFactory(node.expression.expression)) return node.arguments;
    }
    return undefined;
  }

  /** Where a route-level guard goes: before the first middleware or handler, inside createHandlers(...) if that is first. */
  private insertionPoint(handlers: ts.Expression[]): { before: ts.Expression } | undefined {
    const first = handlers[0];
    if (!first) return undefined;
    const e = unwrap(first);
    if (ts.isSpreadElement(e)) {
      const v = this.resolver.value(e.expression);
      const node = v.kind === 'node' ? unwrap(v.node) : undefined;
      // Only an inline createHandlers(...) can be edited in place without touching a shared array.
      if (node && node === unwrap(e.expression) && ts.isCallExpression(node) && node.arguments[0]) return { before: node.arguments[0] };
    }
    return { before: first };
  }

  /** A path argument: a string or a constant holding one (middleware are never strings). */
  private isPath(e: ts.Expression): boolean {
    const u = unwrap(e);
    if (ts.isStringLiteralLike(u) || ts.isTemplateExpression(u)) return true;
    if (ts.isArrayLiteralExpression(u)) return u.elements.length > 0 && u.elements.every((x) => this.isPath(x));
    // A loop variable over a list of paths (`for (const path of ['/login', '/google']) app.use(path, limit)`) too.
    if (ts.isIdentifier(u)) return staticStrings(u, this.resolver) !== undefined;
    if (ts.isPropertyAccessExpression(u) || ts.isBinaryExpression(u)) return staticString(u, this.resolver) !== undefined;
    return false;
  }

  /**
   * Registrations in the app's own file run in source order; registrations from other files run when
   * those modules load, which for `import app from './app'; app.get(...)` is afterwards. Within a chain
   * the offset of the method name orders the calls (they all start at the same token).
   */
  private orderOf(call: ts.CallExpression, app: HonoApp): Order {
    const file = call.getSourceFile().fileName;
    const home = app.creation.getSourceFile().fileName;
    // A registrar's call site (`configureOpenAPI(app)`) has no method name: its start orders it.
    const callee = call.expression;
    const at = ts.isPropertyAccessExpression(callee) ? callee.name.getStart() : call.getStart();
    return [file === home ? 0 : 1, this.fileIndex.get(file) ?? 0, at];
  }

  /**
   * What sits at `path` inside an argument: the argument itself, a property of an object literal built for
   * the call (`{ app, ...dependencies }`, spreads included), or a parameter passed on whole (`register(context)`).
   */
  private refAt(arg: ts.Node, path: string[], depth = 0): AppRef | ParamRef | undefined {
    if (!path.length) return this.refOf(arg);
    if (depth > 8) return undefined;
    const v = this.resolver.value(arg);
    if (v.kind === 'param') return { param: v.node, path: [...v.path, ...path], base: '' };
    if (v.kind !== 'node') return undefined;
    const node = unwrap(v.node);
    if (!ts.isObjectLiteralExpression(node)) return undefined;
    let found: AppRef | ParamRef | undefined;
    // The last property or spread that provides the key wins, as in JavaScript; a spread of a parameter may not
    // hold the key at all, so it does not override a property written out.
    for (const p of node.properties) {
      if (ts.isSpreadAssignment(p)) {
        const spread = this.refAt(p.expression, path, depth + 1);
        if (spread && ('app' in spread || !found)) found = spread;
      } else if (ts.isShorthandPropertyAssignment(p) && p.name.text === path[0]) found = this.refAt(p.name, path.slice(1), depth + 1);
      else if (ts.isPropertyAssignment(p) && p.name && propertyKey(p.name) === path[0]) found = this.refAt(p.initializer, path.slice(1), depth + 1);
    }
    return found;
  }

  /** Replays registrations made on a parameter on each app passed for it. */
  private bindParameters(calls: ts.CallExpression[], pending: Pending[], depth = 0): void {
    const byFn = new Map<ts.Node, Pending[]>();
    for (const p of pending) byFn.set(p.param.parent, [...(byFn.get(p.param.parent) ?? []), p]);
    const next: Pending[] = [];
    for (const call of calls) {
      if (!call.arguments.length) continue;
      const fnValue = this.resolver.value(call.expression);
      if (fnValue.kind !== 'node') continue;
      const regs = byFn.get(fnValue.node);
      if (!regs) continue;
      const fn = fnValue.node as ts.SignatureDeclaration;
      for (const reg of regs) {
        const arg = call.arguments[fn.parameters.indexOf(reg.param)];
        const ref = arg && this.refAt(arg, reg.path);
        if (!ref) continue;
        if ('param' in ref) next.push({ ...reg, param: ref.param, path: ref.path });
        else {
          const base = ref.base === undefined ? undefined : joinPaths(ref.base, reg.base);
          this.addEntry(ref.app, base, reg.call, [...this.orderOf(call, ref.app), reg.call.getStart()]);
        }
      }
    }
    if (next.length && depth < 8) this.bindParameters(calls, next, depth + 1);
  }
}

function propertyKey(name: ts.PropertyName): string | undefined {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : undefined;
}

function isInside(node: ts.Node, container: ts.Node): boolean {
  return node.getSourceFile() === container.getSourceFile() && node.getStart() >= container.getStart() && node.getEnd() <= container.getEnd();
}

function isRegistrar(name: string): boolean {
  return METHOD_REGISTRARS.has(name) || ['on', 'use', 'route', 'openapi', 'doc', 'doc31', 'mount'].includes(name);
}

function isHonoClass(pkg: string, path: string[]): boolean {
  const last = path[path.length - 1];
  if (pkg === 'hono') return last === 'Hono' && path.length <= 2; // hono, hono/tiny, hono/quick
  if (pkg === '@hono/zod-openapi') return last === 'OpenAPIHono';
  return false;
}

/** The value `p` gives property `name`, when it is that property: `name: value` or `{ name }`. */
function propertyValue(p: ts.ObjectLiteralElementLike, name: string): ts.Expression | undefined {
  if (ts.isPropertyAssignment(p) && p.name.getText().replace(/['"]/g, '') === name) return p.initializer;
  if (ts.isShorthandPropertyAssignment(p) && p.name.text === name) return p.name;
  return undefined;
}

function collectCalls(sf: ts.SourceFile, out: ts.CallExpression[]): void {
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n)) out.push(n);
    ts.forEachChild(n, visit);
  };
  visit(sf);
}

export function compareOrder(a: Order, b: Order): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}
