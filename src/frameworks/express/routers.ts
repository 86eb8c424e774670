import { ts } from 'ts-morph';
import type { ProjectFiles } from '../../discover/project-files.js';
import type { Resolver, Value } from '../../syntax/resolve.js';
import { propertyNameText, unwrap } from '../../syntax/resolve.js';
import { staticString, staticStrings } from '../../syntax/strings.js';
import { findDeclaration } from '../../syntax/scope.js';
import { isFunctionNode, returnedExpressions, type FunctionNode } from '../../syntax/functions.js';
import { snippet } from '../../syntax/loc.js';
import { loopSource } from '../../syntax/loops.js';
import { property } from '../nest/decorators.js';

export const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'options', 'head', 'all'] as const;
const METHOD_SET = new Set<string>(HTTP_METHODS);
const REGISTRATION_NAMES = new Set<string>([...HTTP_METHODS, 'use', 'param', 'route']);

/** Sort key of a registration: lexicographic; see `orderKey`. */
export type Order = number[];

/** An Express application or router, identified by the call that creates it (never by variable name). */
export interface ExpressRouter {
  id: string;
  kind: 'app' | 'router';
  creation: ts.Node;
  entries: Entry[];
  mounted: boolean;
  /**
   * Made by one call of a project's router factory (`const router = createRouter()` in each route file): the
   * router the factory builds, whose own registrations every instance starts with.
   */
  template?: ExpressRouter;
}

/** `condition`: the registration runs only when this holds (`if (env === 'production') app.use(auth)`). */
export type Entry = (
  | { kind: 'use'; call: ts.CallExpression; paths: ts.Expression[]; items: ts.Expression[]; order: Order }
  | { kind: 'route'; call: ts.CallExpression; method: string; paths: ts.Expression[]; items: ts.Expression[]; order: Order }
  | { kind: 'param'; call: ts.CallExpression; name: ts.Expression; items: ts.Expression[]; order: Order }
) & {
  condition?: string;
  /** Registered through a route helper: the helper's call (`getAsync(router, '/x', handler)`), where a reader finds it. */
  site?: Invocation;
  /**
   * Made inside a registrar: what the call that ran it passed for its parameters (`routes(app, passport)`), so
   * middleware read off a parameter (`passport.authenticate('local')`) is judged as what was passed.
   */
  bindings?: Map<ts.ParameterDeclaration, ts.Expression[]>;
};

/** A call of a registrar, or a `new` of a class whose constructor is one (`new OrdersRoute(apiRouter)`). */
type Invocation = ts.CallExpression | ts.NewExpression;

/** A router, or a registrar's parameter (or a property of one: `router` of `{ router, db }`) it will be given as. */
type RouterRef = { router: ExpressRouter } | { param: ts.ParameterDeclaration; path: string[] } | undefined;

interface Registration {
  call: ts.CallExpression;
  /** The expression the method is called on, after unwrapping `.route(path)` chains. */
  receiver: ts.Expression;
  method: string;
  /** For `x.route('/p').get(h)`: the path given to route(). */
  routePath?: ts.Expression;
  /** Made on a property of a registrar's parameter: where the router sits inside the argument. */
  paramPath?: string[];
  /** `router[method](...)`: the method is this expression's value (a helper's parameter, bound at its call). */
  methodExpr?: ts.Expression;
  /** A route helper's parameters, bound to what one call of it passes (`getAsync(router, '/x', handler)`). */
  bindings?: Map<ts.ParameterDeclaration, ts.Expression[]>;
  /** That call. */
  site?: Invocation;
}

/**
 * Builds every Express router in the project with its registrations in execution order. Registrations
 * made on a function parameter (`function routes(app) { app.get(...) }`) are attributed to each router
 * passed at that function's call sites, in the caller's order.
 */
export class ExpressRouters {
  readonly routers = new Map<string, ExpressRouter>();
  private readonly fileIndex = new Map<string, number>();

  constructor(
    private readonly resolver: Resolver,
    private readonly files: ProjectFiles,
  ) {
    files.discovered().forEach((f, i) => this.fileIndex.set(f, i));
  }

  build(): ExpressRouter[] {
    const pending = new Map<ts.ParameterDeclaration, Registration[]>();
    const calls: ts.CallExpression[] = [];
    const constructions: ts.NewExpression[] = [];
    // In a slice scan, only the slice's registrations: routers elsewhere cannot change its routes.
    for (const sf of this.files.scope()) collectCalls(sf, calls, constructions);

    const attached = new Map<string, { fn: FunctionNode; reg: Registration }[]>();
    for (const call of calls) {
      const reg = asRegistration(call);
      if (!reg) continue;
      const ref = this.routerOf(reg.receiver);
      if (!ref) continue;
      const method = 'router' in ref ? this.attachedMethod(call, ref.router) : undefined;
      if (method && 'router' in ref) {
        const key = `${ref.router.id}#${method.name}`;
        attached.set(key, [...(attached.get(key) ?? []), { fn: method.fn, reg }]);
      } else if ('router' in ref) {
        const helper = this.helperReplays(reg);
        if (helper) for (const { bound, site, path } of helper) this.addEntry(ref.router, bound, [...this.orderOf(site, ref.router), ...path], conditionOf(site));
        else this.addEntry(ref.router, reg, this.orderOf(call, ref.router), conditionOf(call));
      } else pending.set(ref.param, [...(pending.get(ref.param) ?? []), { ...reg, paramPath: ref.path }]);
    }
    if (attached.size) this.replayAttachedMethods(calls, attached);
    if (pending.size) this.bindParameters([...calls, ...constructions], pending);
    // Mounting a factory's call (`app.use('/admin', makeAdminRouter())`) makes an instance: make them all now.
    for (const r of [...this.routers.values()]) for (const e of r.entries) if (e.kind === 'use') for (const item of e.items) this.routerOf(item);
    for (const r of this.routers.values()) r.entries.sort((a, b) => compareOrder(a.order, b.order));
    this.built = true;
    for (const r of this.routers.values()) if (r.template) this.startFromTemplate(r);
    return [...this.routers.values()].filter((r) => !this.instantiated.has(r));
  }

  private built = false;
  private readonly instantiated = new Set<ExpressRouter>();

  /** What the factory registered runs first, when the instance is built; only instances are served. */
  private startFromTemplate(r: ExpressRouter): void {
    const template = r.template!;
    r.entries.unshift(...template.entries.map((e) => ({ ...e, order: [-1, ...e.order] })));
    template.mounted = true;
    this.instantiated.add(template);
  }

  /**
   * `function useWith404Fallback(url, route) { app.use(url, route); ... }`: a registration on a known router made
   * with the parameters of the function around it registers, at each call of that function, what the call
   * passes, in the caller's order. Undefined when it reads no parameter or the function is never called by name.
   */
  private helperReplays(reg: Registration, at: ts.CallExpression = reg.call, depth = 0): HelperReplay[] | undefined {
    let fn: ts.Node | undefined = at.parent;
    while (fn && !ts.isSourceFile(fn) && !isFunctionNode(fn)) fn = fn.parent;
    if (depth > 3 || !fn || !isFunctionNode(fn) || !fn.parameters.length) return undefined;
    const helper = fn;
    const readsParam = (n: ts.Node): boolean =>
      (ts.isIdentifier(n) && helper.parameters.some((p) => findDeclaration(n.text, n) === p)) || (!isFunctionNode(n) && ts.forEachChild(n, readsParam) === true);
    const args = reg.bindings ? withBindings(reg.call.arguments, reg.bindings) : reg.call.arguments;
    if (!args.some(readsParam)) return undefined;
    const name = functionName(helper);
    if (!name) return undefined;
    const out: HelperReplay[] = [];
    for (const call of this.invocationsNamed(name)) {
      if (!ts.isCallExpression(call)) continue;
      const target = this.resolver.value(call.expression);
      if (target.kind !== 'node' || (target.node !== helper && !(ts.isVariableDeclaration(target.node) && target.node.initializer === helper))) continue;
      const bound = { ...reg, bindings: new Map([...(reg.bindings ?? []), ...bindingsOf(helper, call)]), site: call };
      // A helper called by another helper with that one's parameters: `useWith404Fallback(url) { install404Fallback(url) }`.
      const replays = this.helperReplays(bound, call, depth + 1) ?? [{ bound, site: call, path: [] }];
      // Registrations run in the order the helpers make them, at the outermost call's place.
      out.push(...replays.map((r) => ({ ...r, path: [...r.path, positionOf(at)] })));
    }
    return out.length ? out : undefined;
  }

  /**
   * `router.getAsync = (path, ...handlers) => router.get(path, ...wrap(handlers))`: a registration inside a
   * function the project attaches to the same router as a method. It stands for a route only at each call of
   * that method, with the call's arguments.
   */
  private attachedMethod(call: ts.CallExpression, router: ExpressRouter): { name: string; fn: FunctionNode } | undefined {
    for (let n: ts.Node | undefined = call.parent; n && !ts.isSourceFile(n); n = n.parent) {
      if (!isFunctionNode(n)) continue;
      const assignment = unwrapParents(n);
      if (!ts.isBinaryExpression(assignment) || assignment.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return undefined;
      const target = assignment.left;
      if (!ts.isPropertyAccessExpression(target)) return undefined;
      const holder = this.routerOf(target.expression);
      return holder && 'router' in holder && holder.router === router ? { name: target.name.text, fn: n } : undefined;
    }
    return undefined;
  }

  /** Each call `router.getAsync('/x', guard, handler)` of an attached method registers what the method does. */
  private replayAttachedMethods(calls: ts.CallExpression[], attached: Map<string, { fn: FunctionNode; reg: Registration }[]>): void {
    const names = new Set([...attached.keys()].map((k) => k.slice(k.lastIndexOf('#') + 1)));
    for (const call of calls) {
      if (!ts.isPropertyAccessExpression(call.expression) || !names.has(call.expression.name.text)) continue;
      const ref = this.routerOf(call.expression.expression);
      if (!ref || !('router' in ref)) continue;
      const owner = ref.router.template ?? ref.router;
      for (const { fn, reg } of attached.get(`${owner.id}#${call.expression.name.text}`) ?? []) {
        const bound = { ...reg, bindings: new Map(bindingsOf(fn, call)), site: call };
        this.addEntry(ref.router, bound, this.orderOf(call, ref.router), conditionOf(call));
      }
    }
  }

  /** The router an expression evaluates to, if it is one. */
  routerOf(expr: ts.Node, depth = 0): RouterRef {
    const ref = this.routerOfValue(this.resolver.value(expr), depth);
    if (ref) return ref;
    // `this.router` in a class that keeps the router it is given (`constructor(router: Router) { this.router =
    // router }`, or a parameter property): the value a typed field resolves to says less than the constructor's
    // parameter, bound at each `new`.
    const kept = keptConstructorParameter(expr);
    return kept ? { param: kept, path: [] } : undefined;
  }

  routerOfValue(v: Value, depth = 0): RouterRef {
    if (depth > 8) return undefined;
    if (v.kind === 'param') return { param: v.node, path: v.path };
    if (v.kind !== 'node') return undefined;
    let node = v.node;
    // Registration methods return the router itself: `export default Router().use('/api', api).get(...)...`, a
    // chain of any length; so do the app's settings (`express().disable('x-powered-by').set('trust proxy', 1)`).
    while (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && (asRegistration(node) || returnsApp(node))) {
      const inner = unwrap(node.expression.expression);
      if (!ts.isCallExpression(inner)) return this.routerOf(inner, depth + 1);
      node = inner;
    }
    if (!ts.isCallExpression(node) && !ts.isNewExpression(node)) return undefined;
    const callee = this.resolver.value(node.expression);
    if (callee.kind === 'external' && EXPRESS_PACKAGES.has(callee.pkg)) {
      if (callee.path.length === 0 && ts.isCallExpression(node)) return { router: this.routerAt(node, 'app') };
      if (callee.path.length === 1 && callee.path[0] === 'Router') return { router: this.routerAt(node, 'router') };
      return undefined;
    }
    // express-promise-router: express.Router() with async rejections passed to next(); same registrations.
    if (callee.kind === 'external' && callee.pkg === 'express-promise-router' && (callee.path.length === 0 || (callee.path.length === 1 && callee.path[0] === 'default'))) {
      return { router: this.routerAt(node, 'router') };
    }
    // A factory: function makeRouter() { const r = Router(); ...; return r }. Each call of one that builds a
    // router makes a router of its own (route files that each call `createRouter()` are mounted apart).
    if (callee.kind === 'node' && isFunctionNode(callee.node) && ts.isCallExpression(node)) {
      for (const ret of returnedExpressions(callee.node)) {
        let ref = this.routerOf(ret, depth + 1);
        // A registrar that hands back the router it was given (`module.exports = (router) => { users(router);
        // return router }`, mounted as `app.use('/api', routes(router))`): the router is what this call passes.
        if (ref && 'param' in ref && ref.param.parent === callee.node) {
          const arg = node.arguments[callee.node.parameters.indexOf(ref.param)];
          ref = arg ? this.routerInside(arg, ref.path, depth + 1) : undefined;
        }
        if (!ref || !('router' in ref)) continue;
        if (ref.router.kind === 'router' && isWithin(ref.router.creation, callee.node)) return { router: this.instanceAt(node, ref.router) };
        return ref;
      }
    }
    return undefined;
  }

  private instanceAt(call: ts.CallExpression, template: ExpressRouter): ExpressRouter {
    const fresh = !this.routers.has(`${call.getSourceFile().fileName}:${call.getStart()}`);
    const r = this.routerAt(call, template.kind);
    r.template = template;
    // One first met after the build (a mount found while walking) starts from the finished template.
    if (fresh && this.built) this.startFromTemplate(r);
    return r;
  }

  private routerAt(node: ts.Node, kind: 'app' | 'router'): ExpressRouter {
    const id = `${node.getSourceFile().fileName}:${node.getStart()}`;
    let r = this.routers.get(id);
    if (!r) {
      r = { id, kind, creation: node, entries: [], mounted: false };
      this.routers.set(id, r);
    }
    return r;
  }

  private addEntry(router: ExpressRouter, reg: Registration, order: Order, condition: string | undefined): void {
    if (reg.methodExpr && !reg.bindings) {
      // routes.forEach(([verb, path]) => router[verb](path, handler)): one route per element, its method with it.
      const before = router.entries.length;
      this.unrollLoop([reg.methodExpr, ...reg.call.arguments])?.forEach(([methodExpr, ...args], i) => {
        const method = staticString(methodExpr!, this.resolver)?.toLowerCase();
        if (method && METHOD_SET.has(method)) this.addEntryWith(router, { ...reg, methodExpr: undefined, method }, args, [...order, i]);
      });
      if (condition) for (const entry of router.entries.slice(before)) entry.condition ??= condition;
      return;
    }
    if (reg.methodExpr) {
      // router[verb](...): one method per value the helper's call gives `verb`.
      const bound = reg.bindings && boundArgument(reg.methodExpr, reg.bindings);
      const methods = bound ? staticStrings(bound, this.resolver) : undefined;
      for (const method of methods ?? []) {
        if (METHOD_SET.has(method.toLowerCase())) this.addEntry(router, { ...reg, methodExpr: undefined, method: method.toLowerCase() }, order, condition);
      }
      return;
    }
    const args = reg.bindings ? withBindings(reg.call.arguments, reg.bindings) : reg.call.arguments.slice();
    const unrolled = this.unrollLoop(args);
    const before = router.entries.length;
    if (unrolled) unrolled.forEach((list, i) => this.addEntryWith(router, reg, list, [...order, i]));
    else this.addEntryWith(router, reg, args, order);
    for (const entry of router.entries.slice(before)) {
      if (condition) entry.condition = condition;
      // A helper's registration stands for a route only through the helper's arguments: it is found at the call.
      if (reg.bindings && reg.site && reg.call.arguments.some((a) => withBindings([a], reg.bindings!)[0] !== a)) entry.site = reg.site;
    }
  }

  /**
   * `routes.forEach((r) => router.use(r.path, r.route))` and `for (const r of routes) router.use(r.route)` over
   * an array literal, or over a parameter whose callers pass one (`new App([new UsersRoute()])`): one argument
   * list per element, with `r.path` / `r` replaced by the element's own expressions.
   */
  private unrollLoop(args: readonly ts.Expression[]): ts.Expression[][] | undefined {
    for (const arg of args) {
      const base = ts.isSpreadElement(arg) ? unwrap(arg.expression) : unwrap(arg);
      const id = ts.isIdentifier(base) ? base : ts.isPropertyAccessExpression(base) && ts.isIdentifier(base.expression) ? base.expression : loopReadIn(base as ts.Expression);
      const found = id && findDeclaration(id.text, id);
      // `([verb, path]) => ...`, `({ path, router }) => ...`: the loop variable is the pattern's owner.
      const decl = found && ts.isBindingElement(found) ? patternOwner(found) : found;
      const iterated = decl && loopSource(decl);
      if (!iterated) continue;
      const elements = this.arrayElements(iterated, 0);
      if (!elements) continue;
      // `...route.handlers` becomes the element's array itself: Express flattens arrays of handlers anyway; a path
      // built around the loop variable (`/${page}`, `'/docs/' + page`) becomes the text it makes for this element.
      const inElement = (a: ts.Expression, element: LoopElement): ts.Expression | undefined => {
        if (ts.isSpreadElement(a)) return substitute(unwrap(a.expression), decl as LoopVariable, element, this.resolver);
        const u = unwrap(a);
        if (ts.isTemplateExpression(u) || (ts.isBinaryExpression(u) && u.operatorToken.kind === ts.SyntaxKind.PlusToken)) {
          const text = this.textFor(u, decl as LoopVariable, element);
          return text === undefined ? undefined : ts.factory.createStringLiteral(text);
        }
        return substitute(u, decl as LoopVariable, element, this.resolver);
      };
      return elements.map((element) => args.map((a) => inElement(a, element) ?? a));
    }
    return undefined;
  }

  /** The text a template or `+` concatenation makes with the loop variable taking `element`; undefined if any part is not static. */
  private textFor(e: ts.Expression, loopVar: LoopVariable, element: LoopElement): string | undefined {
    const u = unwrap(e);
    if (ts.isTemplateExpression(u)) {
      let out = u.head.text;
      for (const span of u.templateSpans) {
        const part = this.textFor(span.expression, loopVar, element);
        if (part === undefined) return undefined;
        out += part + span.literal.text;
      }
      return out;
    }
    if (ts.isBinaryExpression(u) && u.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      const [l, r] = [this.textFor(u.left, loopVar, element), this.textFor(u.right, loopVar, element)];
      return l === undefined || r === undefined ? undefined : l + r;
    }
    const substituted = substitute(u, loopVar, element, this.resolver);
    return staticString(substituted ?? u, this.resolver);
  }

  /**
   * The elements of an array literal the expression evaluates to, through parameters to their call sites; for
   * `Object.entries(routes)` over an object literal, its properties (a `[key, value]` pair each, see `substitute`).
   */
  private arrayElements(expr: ts.Expression, depth: number): LoopElement[] | undefined {
    const objectList = objectListing(expr, this.resolver);
    if (objectList) return objectList;
    const v = this.resolver.value(expr);
    if (v.kind === 'node' && ts.isArrayLiteralExpression(v.node)) {
      if (v.node.elements.some(ts.isSpreadElement)) return undefined;
      return v.node.elements.slice();
    }
    if (v.kind !== 'param' || v.path.length || depth > 3) return undefined;
    const out: LoopElement[] = [];
    const callers = this.argumentsFor(v.node);
    for (const arg of callers) {
      const elements = this.arrayElements(arg, depth + 1);
      if (!elements) return undefined;
      out.push(...elements);
    }
    return callers.length ? out : undefined;
  }

  /** What the callers of a function, method or constructor pass for one of its parameters. */
  private argumentsFor(param: ts.ParameterDeclaration): ts.Expression[] {
    const fn = param.parent;
    const index = fn.parameters.indexOf(param);
    const name = ts.isConstructorDeclaration(fn) ? (fn.parent as ts.ClassLikeDeclaration).name?.text : functionName(fn);
    if (!name || index < 0) return [];
    const out: ts.Expression[] = [];
    for (const call of this.invocationsNamed(name)) {
      const callee = unwrap(call.expression);
      const calleeName = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
      if (calleeName !== name || !call.arguments?.[index]) continue;
      const target = this.resolver.value(callee);
      const matches = ts.isConstructorDeclaration(fn)
        ? ts.isNewExpression(call) && target.kind === 'node' && target.node === fn.parent
        : ts.isCallExpression(call) && target.kind === 'node' && (target.node === fn || (ts.isVariableDeclaration(target.node) && target.node.initializer === fn));
      if (matches) out.push(call.arguments[index]);
    }
    return out;
  }

  private readonly invocationsByName = new Map<string, (ts.CallExpression | ts.NewExpression)[]>();
  /** Calls and `new`s in files that mention `name`: a call of the function by that name can be nowhere else. */
  private invocationsNamed(name: string): (ts.CallExpression | ts.NewExpression)[] {
    let list = this.invocationsByName.get(name);
    if (!list) {
      const found: (ts.CallExpression | ts.NewExpression)[] = [];
      for (const sf of this.files.mentioning(name)) {
        const visit = (n: ts.Node): void => {
          if (ts.isCallExpression(n) || ts.isNewExpression(n)) found.push(n);
          ts.forEachChild(n, visit);
        };
        visit(sf);
      }
      this.invocationsByName.set(name, (list = found));
    }
    return list;
  }

  private addEntryWith(router: ExpressRouter, reg: Registration, args: ts.Expression[], order: Order): void {
    const before = router.entries.length;
    this.pushEntry(router, reg, args, order);
    if (reg.bindings?.size) for (const e of router.entries.slice(before)) e.bindings = reg.bindings;
  }

  private pushEntry(router: ExpressRouter, reg: Registration, args: ts.Expression[], order: Order): void {
    if (reg.routePath) {
      router.entries.push({ kind: 'route', call: reg.call, method: reg.method, paths: [reg.routePath], items: args, order });
    } else if (reg.method === 'use') {
      const [first, ...rest] = args;
      const hasPath = first !== undefined && this.isPathLike(first);
      router.entries.push({ kind: 'use', call: reg.call, paths: hasPath ? [first] : [], items: hasPath ? rest : args, order });
    } else if (reg.method === 'param') {
      router.entries.push({ kind: 'param', call: reg.call, name: args[0], items: args.slice(1), order });
    } else if (METHOD_SET.has(reg.method) && args.length >= 2) {
      router.entries.push({ kind: 'route', call: reg.call, method: reg.method, paths: [args[0]], items: args.slice(1), order });
    }
  }

  /** Whether `use`'s first argument is a path (a string, regex, array of them, or a constant holding one). */
  private isPathLike(e: ts.Expression): boolean {
    const u = unwrap(e);
    if (ts.isStringLiteralLike(u) || ts.isTemplateExpression(u) || ts.isRegularExpressionLiteral(u) || ts.isBinaryExpression(u)) return true;
    if (ts.isArrayLiteralExpression(u)) return u.elements.length > 0 && u.elements.every((x) => this.isPathLike(x));
    if (ts.isIdentifier(u) || ts.isPropertyAccessExpression(u)) {
      if (staticString(u, this.resolver) !== undefined) return true;
      // `const api = \`/${apiURL}\``, a value read from configuration: a path the scan cannot compute, not middleware.
      const v = this.resolver.value(u);
      const node = v.kind === 'node' ? unwrap(v.node as ts.Expression) : undefined;
      return !!node && node !== u && (ts.isTemplateExpression(node) || ts.isStringLiteralLike(node) || (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken));
    }
    return false;
  }

  /**
   * Registrations in the file that creates the router run in source order; registrations from other files
   * run when those modules load, which for the common `import app; app.get(...)` shape is afterwards.
   */
  private orderOf(call: Invocation, router: ExpressRouter): Order {
    const file = call.getSourceFile().fileName;
    const home = router.creation.getSourceFile().fileName;
    return [file === home ? 0 : 1, this.fileIndex.get(file) ?? 0, positionOf(call)];
  }

  /** Finds calls that pass a router into a registrar function and replays the function's registrations on it. */
  private bindParameters(calls: Invocation[], pending: Map<ts.ParameterDeclaration, Registration[]>, depth = 0): void {
    const fns = new Set([...pending.keys()].map((p) => p.parent));
    const next = new Map<ts.ParameterDeclaration, Registration[]>();
    for (const call of calls) {
      if (!call.arguments?.length) continue;
      const fn = this.invoked(call);
      if (!fn || !fns.has(fn)) continue;
      fn.parameters.forEach((param, i) => {
        const regs = pending.get(param);
        const arg = call.arguments?.[i];
        if (!regs || !arg) return;
        for (const reg of regs) {
          const ref = this.routerInside(arg, reg.paramPath ?? []);
          if (ref && 'router' in ref) {
            const outer = conditionOf(call);
            const inner = conditionOf(reg.call);
            const bound = { ...reg, bindings: new Map([...(reg.bindings ?? []), ...bindingsOf(fn, call)]), site: call };
            this.addEntry(ref.router, bound, [...this.orderOf(call, ref.router), positionOf(reg.call)], outer && inner ? `${outer} and ${inner}` : (outer ?? inner));
          } else if (ref && 'param' in ref) {
            next.set(ref.param, [...(next.get(ref.param) ?? []), { ...reg, paramPath: ref.path, bindings: new Map([...(reg.bindings ?? []), ...bindingsOf(fn, call)]), site: call }]);
          }
        }
      });
    }
    if (next.size && depth < 8) this.bindParameters(calls, next, depth + 1);
  }

  /**
   * The function a call runs: the callee, or for `new C(...)` the constructor of C (a class that keeps the router
   * it is given, `constructor(router) { this.router = router; this.registerRoutes() }`, registers on it).
   */
  private invoked(call: Invocation): ts.SignatureDeclaration | undefined {
    const callee = this.resolver.value(call.expression);
    if (callee.kind !== 'node') return undefined;
    if (ts.isCallExpression(call)) return ts.isFunctionLike(callee.node) ? callee.node : undefined;
    return ts.isClassLike(callee.node) ? callee.node.members.find(ts.isConstructorDeclaration) : undefined;
  }

  /**
   * What sits at `path` inside a registrar's argument: the argument itself, a property of an object literal built
   * for the call (`{ router: api, ...deps }`, spreads included), or a parameter passed on whole (`register(ctx)`).
   */
  private routerInside(arg: ts.Node, path: string[], depth = 0): RouterRef {
    if (!path.length) return this.routerOf(arg);
    if (depth > 8) return undefined;
    const v = this.resolver.value(arg);
    if (v.kind === 'param') return { param: v.node, path: [...v.path, ...path] };
    if (v.kind !== 'node' || !ts.isObjectLiteralExpression(unwrap(v.node))) return undefined;
    let found: RouterRef;
    // The last property or spread that provides the key wins, as in JavaScript; a spread of a parameter may not
    // hold the key at all, so it does not override a property written out.
    for (const p of (unwrap(v.node) as ts.ObjectLiteralExpression).properties) {
      if (ts.isSpreadAssignment(p)) {
        const spread = this.routerInside(p.expression, path, depth + 1);
        if (spread && ('router' in spread || !found)) found = spread;
      } else if (ts.isShorthandPropertyAssignment(p) && p.name.text === path[0]) found = this.routerInside(p.name, path.slice(1), depth + 1);
      else if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === path[0]) {
        found = this.routerInside(p.initializer, path.slice(1), depth + 1);
      }
    }
    return found;
  }
}

type LoopVariable = ts.ParameterDeclaration | ts.VariableDeclaration;
/** What a loop variable takes in one iteration: an element, or a property for `Object.entries` (`[key, value]`). */
type LoopElement = ts.Expression | ts.PropertyAssignment;

/**
 * `Object.entries(routes)`, `Object.values(routes)`, `Object.keys(routes)` over an object literal whose keys are
 * written as strings: its properties, its values, its keys. Undefined for anything else.
 */
function objectListing(expr: ts.Expression, resolver: Resolver): LoopElement[] | undefined {
  const e = unwrap(expr);
  if (!ts.isCallExpression(e) || !ts.isPropertyAccessExpression(e.expression) || e.expression.expression.getText() !== 'Object' || !e.arguments[0]) return undefined;
  const how = e.expression.name.text;
  if (how !== 'entries' && how !== 'values' && how !== 'keys') return undefined;
  const v = resolver.value(e.arguments[0]);
  const obj = v.kind === 'node' ? unwrap(v.node as ts.Expression) : undefined;
  if (!obj || !ts.isObjectLiteralExpression(obj)) return undefined;
  const props = obj.properties.filter(ts.isPropertyAssignment);
  if (props.length !== obj.properties.length || !props.every((p) => how === 'values' || ts.isStringLiteralLike(p.name))) return undefined;
  return props.map((p) => (how === 'entries' ? p : how === 'values' ? p.initializer : (p.name as ts.StringLiteral)));
}

/** A registration a helper makes, bound at one outermost call (`site`); `path`: where it runs inside the helpers. */
type HelperReplay = { bound: Registration; site: ts.CallExpression; path: number[] };

/** The expression a function sits in, past parentheses: `router.x = (...) => ...` gives the assignment. */
function unwrapParents(fn: ts.Node): ts.Node {
  let n = fn.parent;
  while (n && ts.isParenthesizedExpression(n)) n = n.parent;
  return n;
}

function isWithin(node: ts.Node, container: ts.Node): boolean {
  for (let n: ts.Node | undefined = node; n; n = n.parent) if (n === container) return true;
  return false;
}

/** In a template or `+` concatenation, the first name read that is a loop variable (or destructured from one). */
function loopReadIn(e: ts.Expression): ts.Identifier | undefined {
  if (!ts.isTemplateExpression(e) && !(ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken)) return undefined;
  let found: ts.Identifier | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(n)) {
      const decl = findDeclaration(n.text, n);
      const owner = decl && ts.isBindingElement(decl) ? patternOwner(decl) : decl;
      if (owner && loopSource(owner)) found = n;
      return;
    }
    if (ts.isPropertyAccessExpression(n)) return visit(n.expression);
    ts.forEachChild(n, visit);
  };
  visit(e);
  return found;
}

/** The parameter or variable whose (top-level) destructuring pattern declares `binding`. */
function patternOwner(binding: ts.BindingElement): LoopVariable | undefined {
  const owner = binding.parent.parent;
  return ts.isParameter(owner) || ts.isVariableDeclaration(owner) ? owner : undefined;
}

/** What one call of a helper passes for each of its parameters; a rest parameter takes the remaining arguments. */
function bindingsOf(fn: ts.SignatureDeclaration, call: Invocation): [ts.ParameterDeclaration, ts.Expression[]][] {
  const args = call.arguments ?? [];
  return fn.parameters.map((param, i) => [param, param.dotDotDotToken ? args.slice(i) : args[i] ? [args[i]!] : param.initializer ? [param.initializer] : []]);
}

/** The argument a bound parameter was given, when `e` is that parameter. */
function boundArgument(e: ts.Expression, bindings: Map<ts.ParameterDeclaration, ts.Expression[]>, depth = 0): ts.Expression | undefined {
  const u = unwrap(e);
  if (!ts.isIdentifier(u)) return undefined;
  const decl = findDeclaration(u.text, u);
  if (!decl || !ts.isParameter(decl) || decl.dotDotDotToken) return undefined;
  const bound = bindings.get(decl);
  if (bound?.length !== 1) return undefined;
  // Handed on from helper to helper: `useWith404Fallback(url) { install404Fallback(url) }`.
  return (depth < 4 && boundArgument(bound[0], bindings, depth + 1)) || bound[0];
}

/** A helper's registration arguments with its parameters replaced by what this call passed (`...handlers` spread). */
function withBindings(args: readonly ts.Expression[], bindings: Map<ts.ParameterDeclaration, ts.Expression[]>): ts.Expression[] {
  return args.flatMap((a) => {
    const u = unwrap(a);
    if (ts.isSpreadElement(u)) {
      // ...handlers, or ...handlers.map(wrap) with an async wrapper: the handlers the call passed.
      let list = unwrap(u.expression);
      if (ts.isCallExpression(list) && ts.isPropertyAccessExpression(list.expression) && list.expression.name.text === 'map') list = unwrap(list.expression.expression);
      // ...replaceLastBySafeHandler(handlers): a helper that wraps the handlers it is handed, one for one.
      else if (ts.isCallExpression(list) && list.arguments.length === 1) list = unwrap(list.arguments[0]);
      const decl = ts.isIdentifier(list) ? findDeclaration(list.text, list) : undefined;
      const bound = decl && ts.isParameter(decl) && decl.dotDotDotToken ? bindings.get(decl) : undefined;
      if (bound) return bound;
    }
    return [boundArgument(a, bindings) ?? a];
  });
}

function functionName(fn: ts.SignatureDeclaration): string | undefined {
  if ((ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn) || ts.isFunctionExpression(fn)) && fn.name && ts.isIdentifier(fn.name)) return fn.name.text;
  if (ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name)) return fn.parent.name.text;
  return undefined;
}

/**
 * `p` → element, `p.x` → the element's `x`: an object literal's property expression, or what an instance's
 * property holds (`new UsersRoute()` → its `router = Router()`); undefined when `a` does not read `p`.
 */
function substitute(a: ts.Node, param: LoopVariable, loopElement: LoopElement, resolver: Resolver): ts.Expression | undefined {
  const readsParam = (n: ts.Node) => ts.isIdentifier(n) && findDeclaration(n.text, n) === param;
  if (ts.isPropertyAssignment(loopElement)) {
    // `([path, router]) =>` over Object.entries: the key written as a string, and the value.
    const binding = ts.isIdentifier(a) ? findDeclaration(a.text, a) : undefined;
    if (!binding || !ts.isBindingElement(binding) || patternOwner(binding) !== param || !ts.isArrayBindingPattern(binding.parent)) return undefined;
    const index = binding.parent.elements.indexOf(binding);
    return index === 0 ? (loopElement.name as ts.StringLiteral) : index === 1 ? loopElement.initializer : undefined;
  }
  const element = loopElement;
  if (readsParam(a)) return element;
  // `verb` of `([verb, path]) =>`: the element's entry at that position; `path` of `({ path }) =>`: its property.
  const binding = ts.isIdentifier(a) ? findDeclaration(a.text, a) : undefined;
  if (binding && ts.isBindingElement(binding) && patternOwner(binding) === param && !binding.dotDotDotToken) {
    const v = resolver.value(element);
    const holder = v.kind === 'node' ? unwrap(v.node as ts.Expression) : undefined;
    const pattern = binding.parent;
    if (ts.isArrayBindingPattern(pattern) && holder && ts.isArrayLiteralExpression(holder)) {
      const entry = holder.elements[pattern.elements.indexOf(binding)];
      return entry && !ts.isSpreadElement(entry) ? entry : binding.initializer;
    }
    if (ts.isObjectBindingPattern(pattern) && holder && ts.isObjectLiteralExpression(holder)) {
      const key = binding.propertyName ? propertyNameText(binding.propertyName) : ts.isIdentifier(binding.name) ? binding.name.text : undefined;
      return (key !== undefined ? property(holder, key) : undefined) ?? binding.initializer;
    }
    return undefined;
  }
  if (ts.isPropertyAccessExpression(a) && readsParam(a.expression)) {
    const obj = resolver.value(element);
    if (obj.kind === 'instance') {
      const member = resolver.instanceMember(obj.cls, a.name.text, 0);
      return member.kind === 'node' && ts.isExpression(member.node) ? member.node : undefined;
    }
    if (obj.kind !== 'node' || !ts.isObjectLiteralExpression(obj.node)) return undefined;
    for (const prop of obj.node.properties) {
      if (prop.name?.getText() !== a.name.text) continue;
      if (ts.isPropertyAssignment(prop)) return prop.initializer;
      if (ts.isShorthandPropertyAssignment(prop)) return prop.name;
    }
  }
  return undefined;
}

/**
 * Where a registration runs relative to others in its file: the method name's position, since every call of a
 * chain (`Router().use(a).use(guard).use(b)`) starts at the same token but runs left to right.
 */
function positionOf(call: Invocation): number {
  return ts.isCallExpression(call) && ts.isPropertyAccessExpression(call.expression) ? call.expression.name.getStart() : call.getStart();
}

/**
 * The condition a registration depends on inside its function: an `if`/`else` branch, a `switch` case, a
 * `cond ? a : b` or `cond && x` operand, a `catch` block. Undefined when it always runs once its function runs.
 */
export function conditionOf(node: ts.Node): string | undefined {
  for (let child = node, parent = node.parent; parent && !isFunctionNode(parent) && !ts.isSourceFile(parent); child = parent, parent = parent.parent) {
    if (ts.isIfStatement(parent) && child !== parent.expression) {
      return child === parent.thenStatement ? snippet(parent.expression, 50) : `not ${snippet(parent.expression, 50)}`;
    }
    if (ts.isConditionalExpression(parent) && child !== parent.condition) {
      return child === parent.whenTrue ? snippet(parent.condition, 50) : `not ${snippet(parent.condition, 50)}`;
    }
    if (ts.isBinaryExpression(parent) && child === parent.right && isShortCircuit(parent.operatorToken.kind)) return snippet(parent.left, 50);
    if (ts.isCaseClause(parent) || ts.isDefaultClause(parent)) return `a switch case on ${snippet(parent.parent.parent.expression, 50)}`;
    if (ts.isCatchClause(parent)) return 'an exception was caught';
  }
  return undefined;
}

function isShortCircuit(kind: ts.SyntaxKind): boolean {
  return kind === ts.SyntaxKind.AmpersandAmpersandToken || kind === ts.SyntaxKind.BarBarToken || kind === ts.SyntaxKind.QuestionQuestionToken;
}

function collectCalls(sf: ts.SourceFile, out: ts.CallExpression[], constructions: ts.NewExpression[]): void {
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n)) out.push(n);
    else if (ts.isNewExpression(n)) constructions.push(n);
    ts.forEachChild(n, visit);
  };
  visit(sf);
}

/** Express itself, and wrappers whose default export is Express with more on the app (express.oi: socket.io). */
export const EXPRESS_PACKAGES = new Set(['express', 'express.oi']);

/**
 * App methods that return the app: `set(name, value)` (with one argument it reads the setting), `enable`,
 * `disable`, `engine`; express.oi's `http()`, `https(options)` and `io()`, which start its servers.
 */
function returnsApp(call: ts.CallExpression): boolean {
  const name = (call.expression as ts.PropertyAccessExpression).name.text;
  if (name === 'set') return call.arguments.length === 2;
  return /^(enable|disable|engine|http|https|io)$/.test(name);
}

/** The constructor parameter `this.<name>` holds: a parameter property, or assigned with `this.<name> = param`. */
function keptConstructorParameter(expr: ts.Node): ts.ParameterDeclaration | undefined {
  const e = unwrap(expr as ts.Expression);
  if (!ts.isPropertyAccessExpression(e) || e.expression.kind !== ts.SyntaxKind.ThisKeyword) return undefined;
  let cls: ts.Node | undefined = e.parent;
  while (cls && !ts.isClassLike(cls)) cls = cls.parent;
  const ctor = cls && (cls as ts.ClassLikeDeclaration).members.find(ts.isConstructorDeclaration);
  if (!ctor) return undefined;
  const name = e.name.text;
  const property = ctor.parameters.find((p) => ts.isIdentifier(p.name) && p.name.text === name && ts.getModifiers(p)?.length);
  if (property) return property;
  for (const st of ctor.body?.statements ?? []) {
    if (!ts.isExpressionStatement(st) || !ts.isBinaryExpression(st.expression) || st.expression.operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
    const { left, right } = st.expression;
    if (!ts.isPropertyAccessExpression(left) || left.expression.kind !== ts.SyntaxKind.ThisKeyword || left.name.text !== name || !ts.isIdentifier(right)) continue;
    const param = ctor.parameters.find((p) => ts.isIdentifier(p.name) && p.name.text === right.text);
    if (param) return param;
  }
  return undefined;
}

/** `recv.get(...)`, `recv.use(...)`, `recv.route('/x').get(...)`, `recv.get(...).post(...)`. */
function asRegistration(call: ts.CallExpression): Registration | undefined {
  const callee = call.expression;
  // router[verb](name, middlewares, handler) in a route helper: the method comes with each call of the helper.
  if (ts.isElementAccessExpression(callee) && ts.isIdentifier(callee.argumentExpression) && call.arguments.length >= 2) {
    const decl = findDeclaration(callee.argumentExpression.text, callee.argumentExpression);
    if (decl && (ts.isParameter(decl) || ts.isBindingElement(decl))) return { call, receiver: unwrap(callee.expression) as ts.Expression, method: '<bound>', methodExpr: callee.argumentExpression };
  }
  // routes.forEach((r) => router[r.method](r.path, r.handler)): the method comes with each element.
  if (ts.isElementAccessExpression(callee) && ts.isPropertyAccessExpression(callee.argumentExpression) && ts.isIdentifier(callee.argumentExpression.expression) && call.arguments.length >= 2) {
    return { call, receiver: unwrap(callee.expression) as ts.Expression, method: '<bound>', methodExpr: callee.argumentExpression };
  }
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const method = callee.name.text;
  if (!REGISTRATION_NAMES.has(method) || method === 'route') return undefined;
  let receiver = unwrap(callee.expression) as ts.Expression;
  // Walk a chain back to its start: app.route('/x').get(a).post(b) → route('/x') on app.
  while (ts.isCallExpression(receiver) && ts.isPropertyAccessExpression(receiver.expression)) {
    const inner = receiver.expression;
    if (inner.name.text === 'route' && receiver.arguments.length === 1) {
      return { call, receiver: inner.expression, method, routePath: receiver.arguments[0] };
    }
    if (!REGISTRATION_NAMES.has(inner.name.text)) break;
    receiver = unwrap(inner.expression) as ts.Expression;
  }
  if (method === 'get' && call.arguments.length === 1) return undefined; // app.get('setting')
  return { call, receiver, method };
}


export function compareOrder(a: Order, b: Order): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}
