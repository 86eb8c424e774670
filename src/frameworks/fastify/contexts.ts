import path from 'node:path';
import { ts } from 'ts-morph';
import { loopElements } from '../../syntax/loops.js';
import type { ProjectFiles } from '../../discover/project-files.js';
import { isFunctionNode, returnedExpressions, type FunctionNode } from '../../syntax/functions.js';
import { unwrap, type Resolver } from '../../syntax/resolve.js';
import { staticString } from '../../syntax/strings.js';
import { joinPaths } from '../chain.js';
import { autoloadTree, readAutoloadOptions } from './autoload.js';
import { isDecoratorsBootstrap, readBootstrap } from './decorators.js';
import { FASTIFY_HTTP_METHODS, type FastifyInstances, type InstanceKey } from './instances.js';
import { canonicalPlugin, knownFastifyPlugin } from './known-plugins.js';
import { resolvePlugin, type PluginRef } from './plugins.js';

/** Lifecycle hooks that run before the handler: a guard in any of them protects the route. */
export const GUARD_HOOKS = new Set(['onRequest', 'preParsing', 'preValidation', 'preHandler']);

export interface HookEntry {
  name: string;
  expr: ts.Expression;
  call: ts.CallExpression;
  /** The context whose code added it (differs from the owning context when an fp() plugin lifted it). */
  addedIn: FastifyContext;
  /** Set when a known plugin adds the hook: why it refuses. */
  evidence?: string;
  /** A class method registered as the hook (fastify-decorators' `@Hook('onRequest')`); `expr` then names it. */
  fn?: FunctionNode;
}

/** A route registration: `fastify.get(...)` or `fastify.route({...})`, in the context it runs in. */
export interface RouteEntry {
  call: ts.CallExpression;
  ctx: FastifyContext;
  /** The instance expression the route was registered on (`fastify` in `fastify.get`). */
  receiver: ts.Expression;
  shape: 'shorthand' | 'route' | 'decorator';
  methods: string[];
  /** The route path as written; undefined when computed. */
  path: string | undefined;
  options?: ts.ObjectLiteralExpression;
  /** Options given as something other than an object literal (a shared constant, a call). */
  optionsExpr?: ts.Expression;
  handler?: ts.Expression;
  /** A class method answering the route (fastify-decorators), with its name. */
  handlerMethod?: { fn: FunctionNode; name: string };
  /** The entry of a route table registered in a loop (`routes.forEach((r) => fastify.route(r))`): where the route is written. */
  site?: ts.Expression;
}

/**
 * One Fastify plugin context (an encapsulation boundary). Hooks and decorators added in it apply to its
 * routes and to every context registered inside it, whatever the order of the calls: Fastify copies a
 * hook into existing children and resolves route hooks only at ready (checked by a real-Fastify test).
 */
export interface FastifyContext {
  id: number;
  parent?: FastifyContext;
  children: FastifyContext[];
  /** Composed prefix; `<dynamic>` segments where a prefix could not be read. */
  prefix: string;
  /** The function whose body runs in this context (undefined for a root or autoload's wrapper). */
  plugin?: FunctionNode;
  /** The `Fastify()` call of a root context. */
  creation?: ts.CallExpression;
  registerCall?: ts.CallExpression;
  /** Plugins whose body ran in this context without a context of their own (fastify-plugin, autohooks), with their register call. */
  sharedPlugins: ts.Node[];
  hooks: HookEntry[];
  decorations: Map<string, { value: ts.Expression; call?: ts.CallExpression; external?: string }>;
  /** Reasons something that may add hooks here could not be read (an unknown plugin, unread autoload options). */
  unknowns: string[];
  /** Set for contexts found without a root that registers them. */
  orphan?: string;
  routes: RouteEntry[];
}

const DYNAMIC = '<dynamic>';

/** Builds the context tree from every root instance, then from plugins nothing registers. */
export class FastifyContextBuilder {
  private nextId = 0;
  private readonly visited = new Set<InstanceKey>();
  /** While a plugin body is replayed: its options parameter → the options it was registered with. */
  private readonly pluginOptions = new Map<ts.ParameterDeclaration, ts.Expression | undefined>();
  private readonly callsByName = new Map<string, ts.CallExpression[]>();
  readonly roots: FastifyContext[] = [];

  constructor(
    private readonly resolver: Resolver,
    private readonly instances: FastifyInstances,
    private readonly files: ProjectFiles,
  ) {}

  build(): FastifyContext[] {
    for (const creation of [...this.instances.roots]) {
      const ctx = this.newContext(undefined, '');
      ctx.creation = creation;
      this.roots.push(ctx);
      this.run(creation, ctx, []);
    }
    // Plugins and registrars that nothing registers: still report their routes, with that caveat, and
    // the registrations the scan could not follow (a glob of require(path) is the usual one).
    const unread = this.roots.flatMap((r) => unreadRegistrations(r)).slice(0, 2);
    const orphan = `plugin is not registered by any Fastify instance the scan found${unread.length ? ` (it may be one of: ${unread.join('; ')})` : ''}`;
    for (const key of [...this.instances.calls.keys()]) {
      if (this.visited.has(key) || !ts.isParameter(key)) continue;
      const fn = key.parent;
      if (!isFunctionNode(fn) || !looksLikeFastifyInstance(key, fn)) continue;
      const ctx = this.newContext(undefined, '');
      ctx.plugin = fn;
      ctx.orphan = orphan;
      this.roots.push(ctx);
      this.run(key, ctx, []);
    }
    return this.roots;
  }

  /** Register calls made on an enclosing plugin's instance from inside `plugin`'s own body. */
  private outerRegistrations(plugin: FunctionNode, key: InstanceKey): { call: ts.CallExpression; method: string }[] {
    const out: { call: ts.CallExpression; method: string }[] = [];
    for (const [other, calls] of this.instances.calls) {
      if (other === key) continue;
      for (const c of calls) if (c.method === 'register' && loadingPlugin(c.call, undefined) === plugin && isInside(c.call, plugin)) out.push(c);
    }
    return out;
  }

  private newContext(parent: FastifyContext | undefined, prefix: string): FastifyContext {
    const ctx: FastifyContext = { id: this.nextId++, parent, children: [], prefix, sharedPlugins: [], hooks: [], decorations: new Map(), unknowns: [], routes: [] };
    parent?.children.push(ctx);
    return ctx;
  }

  /** Replays every call made on `key` (a root or a parameter) in `ctx`. */
  private run(key: InstanceKey, ctx: FastifyContext, stack: InstanceKey[]): void {
    if (stack.includes(key) || stack.length > 16) return;
    this.visited.add(key);
    const inner = [...stack, key];
    const own = ts.isParameter(key) && isFunctionNode(key.parent) ? key.parent : undefined;
    const calls = [
      ...(this.instances.calls.get(key) ?? []).filter((c) => c.method !== 'register' || loadingPlugin(c.call, own) === own),
      // `outer.register(x)` written inside this plugin's body: avvio queues it on the plugin being loaded, this one.
      ...(own ? this.outerRegistrations(own, key) : []),
    ].sort(byPosition);
    for (const { call, method } of calls) {
      const receiver = (call.expression as ts.PropertyAccessExpression).expression;
      if (method === 'route') this.addRouteObject(call, receiver, ctx);
      else if (FASTIFY_HTTP_METHODS.includes(method)) this.addShorthand(call, receiver, method, ctx);
      else if (method === 'addHook') this.addHook(call, ctx);
      else if (method === 'decorate' || method === 'decorateRequest') this.addDecoration(call, method, ctx);
      else if (method === 'register') this.register(call, ctx, inner);
    }
    for (const pass of this.instances.passes.get(key) ?? []) {
      const param = pass.fn.parameters[pass.paramIndex];
      if (param) this.run(param, ctx, inner);
    }
  }

  private addShorthand(call: ts.CallExpression, receiver: ts.Expression, method: string, ctx: FastifyContext): void {
    const [pathArg, second, third] = call.arguments;
    if (!pathArg || !second) return;
    const entry: RouteEntry = {
      call,
      ctx,
      receiver,
      shape: 'shorthand',
      methods: [method.toUpperCase()],
      path: this.pathOf(pathArg),
    };
    if (third) {
      this.setOptions(entry, second);
      entry.handler = third;
    } else {
      // fastify.get('/x', { handler, onRequest }) or fastify.get('/x', handler)
      const obj = this.objectOf(second);
      if (obj && property(obj, 'handler')) {
        entry.options = obj;
        entry.handler = property(obj, 'handler');
      } else entry.handler = second;
    }
    ctx.routes.push(entry);
  }

  private addRouteObject(call: ts.CallExpression, receiver: ts.Expression, ctx: FastifyContext): void {
    const arg = call.arguments[0];
    if (!arg) return;
    // `routes.forEach((route) => fastify.route(route))` over a literal table: one route per entry.
    const table = ts.isIdentifier(unwrap(arg)) ? loopElements(unwrap(arg) as ts.Identifier, this.resolver) : undefined;
    for (const entry of table ?? [arg]) this.addRouteOptions(call, receiver, entry, ctx, table ? entry : undefined);
  }

  private addRouteOptions(call: ts.CallExpression, receiver: ts.Expression, options: ts.Expression, ctx: FastifyContext, site?: ts.Expression): void {
    const obj = this.objectOf(options);
    if (!obj) return;
    const methodExpr = property(obj, 'method');
    const urlExpr = property(obj, 'url') ?? property(obj, 'path');
    const methods = methodExpr ? this.methodsOf(methodExpr) : undefined;
    ctx.routes.push({
      call,
      ctx,
      receiver,
      shape: 'route',
      methods: methods ?? [DYNAMIC],
      path: urlExpr ? this.pathOf(urlExpr) : undefined,
      options: obj,
      handler: property(obj, 'handler'),
      ...(site ? { site } : {}),
    });
  }

  /**
   * A route path as written, or with `<dynamic>` where it reads something unknown. `opts.prefix + 'articles'`
   * reads the options the plugin was registered with (by this register call).
   */
  private pathOf(expr: ts.Expression, depth = 0): string | undefined {
    const fixed = staticString(expr, this.resolver);
    if (fixed !== undefined || depth > 6) return fixed;
    const e = unwrap(expr);
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      const l = this.pathOf(e.left, depth + 1);
      const r = this.pathOf(e.right, depth + 1);
      return l === undefined && r === undefined ? undefined : `${l ?? DYNAMIC}${r ?? DYNAMIC}`;
    }
    if (ts.isTemplateExpression(e)) {
      let out = e.head.text;
      for (const span of e.templateSpans) out += (this.pathOf(span.expression, depth + 1) ?? DYNAMIC) + span.literal.text;
      return out;
    }
    // opts.prefix: the second parameter of the plugin function running now.
    if (ts.isPropertyAccessExpression(e)) {
      const base = this.resolver.value(e.expression);
      if (base.kind === 'param' && base.path.length === 0 && this.pluginOptions.has(base.node)) {
        const opts = this.pluginOptions.get(base.node);
        const obj = opts && this.objectOf(opts);
        const value = obj && property(obj, e.name.text);
        return value ? staticString(value, this.resolver) : undefined;
      }
    }
    return undefined;
  }

  private methodsOf(expr: ts.Expression): string[] | undefined {
    const u = unwrap(expr);
    const list = ts.isArrayLiteralExpression(u) ? u.elements : [u];
    const out: string[] = [];
    for (const el of list) {
      const s = staticString(el, this.resolver);
      if (s === undefined) return undefined;
      out.push(s.toUpperCase());
    }
    return out;
  }

  private setOptions(entry: RouteEntry, expr: ts.Expression): void {
    const obj = this.objectOf(expr);
    if (obj) entry.options = obj;
    else entry.optionsExpr = expr;
  }

  private addHook(call: ts.CallExpression, ctx: FastifyContext): void {
    const [nameArg, fn] = call.arguments;
    const name = nameArg && staticString(nameArg, this.resolver);
    if (!fn) return;
    if (name === undefined) {
      ctx.unknowns.push(`a hook whose name is computed is added at ${where(call)}`);
      return;
    }
    if (GUARD_HOOKS.has(name)) ctx.hooks.push({ name, expr: fn, call, addedIn: ctx });
  }

  private addDecoration(call: ts.CallExpression, method: string, ctx: FastifyContext): void {
    const [nameArg, value] = call.arguments;
    const name = nameArg && staticString(nameArg, this.resolver);
    if (name === undefined || !value) return;
    ctx.decorations.set(method === 'decorate' ? name : `request.${name}`, { value, call });
  }

  private register(call: ts.CallExpression, ctx: FastifyContext, stack: InstanceKey[]): void {
    const [pluginArg, optsArg] = call.arguments;
    if (!pluginArg) return;
    // addPlugin(plugin, options) { this.server.register(plugin, options) }: each caller's plugin, in turn.
    const sites = this.parameterArguments(pluginArg, optsArg);
    if (sites) {
      if (!sites.length) ctx.unknowns.push(`the plugin ${pluginArg.getText()} is passed in as a parameter and no call passing it was found (registered at ${where(call)})`);
      for (const site of sites) this.registerPlugin(call, site.plugin, site.options, ctx, stack);
      return;
    }
    this.registerPlugin(call, pluginArg, optsArg, ctx, stack);
  }

  /**
   * When the plugin is a parameter of the function making the register call: the arguments each call of
   * that function passes for it (and for the options, when they are a parameter too; a default applies
   * when a caller leaves them out). Undefined when the plugin is not a parameter.
   */
  private parameterArguments(pluginArg: ts.Expression, optsArg: ts.Expression | undefined): { plugin: ts.Expression; options: ts.Expression | undefined }[] | undefined {
    const v = this.resolver.value(unwrap(pluginArg));
    if (v.kind !== 'param' || v.path.length) return undefined;
    const fn = v.node.parent;
    if (!isFunctionNode(fn)) return undefined;
    const index = fn.parameters.indexOf(v.node);
    const optsValue = optsArg && this.resolver.value(unwrap(optsArg));
    const optsIndex = optsValue?.kind === 'param' && optsValue.path.length === 0 && optsValue.node.parent === fn ? fn.parameters.indexOf(optsValue.node) : -1;
    const out: { plugin: ts.Expression; options: ts.Expression | undefined }[] = [];
    for (const site of this.callsOf(fn)) {
      const plugin = site.arguments[index];
      if (!plugin) continue;
      const options = optsIndex < 0 ? optsArg : (site.arguments[optsIndex] ?? fn.parameters[optsIndex].initializer);
      out.push({ plugin, options });
    }
    return out;
  }

  /** Calls of a project function, found by its name and confirmed by resolving the callee. */
  private callsOf(fn: FunctionNode): ts.CallExpression[] {
    const name = functionName(fn);
    if (!name) return [];
    let calls = this.callsByName.get(name);
    if (!calls) {
      // Only files that mention the name can call the function by it.
      const found: ts.CallExpression[] = [];
      for (const sf of this.files.mentioning(name)) {
        const visit = (n: ts.Node): void => {
          if (ts.isCallExpression(n)) {
            const callee = unwrap(n.expression);
            const key = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
            if (key === name) found.push(n);
          }
          ts.forEachChild(n, visit);
        };
        visit(sf);
      }
      this.callsByName.set(name, (calls = found));
    }
    return calls.filter((c) => this.calleeFunction(c.expression) === fn);
  }

  /** The project function a callee denotes, also through chains of methods that return `this` (`this.a(x).b(y)`). */
  private calleeFunction(callee: ts.Expression, depth = 0): FunctionNode | undefined {
    const v = this.resolver.value(callee);
    if (v.kind === 'node' && isFunctionNode(unwrap(v.node))) return unwrap(v.node) as FunctionNode;
    const e = unwrap(callee);
    if (depth > 12 || !ts.isPropertyAccessExpression(e)) return undefined;
    const recv = unwrap(e.expression);
    if (!ts.isCallExpression(recv)) return undefined;
    const inner = this.calleeFunction(recv.expression, depth + 1);
    if (!inner || !ts.isMethodDeclaration(inner) || !returnedExpressions(inner).every((r) => unwrap(r).kind === ts.SyntaxKind.ThisKeyword)) return undefined;
    if (!ts.isClassLike(inner.parent)) return undefined;
    const method = inner.parent.members.find((m) => ts.isMethodDeclaration(m) && m.name.getText() === e.name.text);
    return method && isFunctionNode(method) ? method : undefined;
  }

  private registerPlugin(call: ts.CallExpression, pluginArg: ts.Expression, optsArg: ts.Expression | undefined, ctx: FastifyContext, stack: InstanceKey[]): void {
    const plugin = resolvePlugin(pluginArg, this.resolver);
    if (plugin.kind === 'unknown') {
      ctx.unknowns.push(`${plugin.reason} (registered at ${where(call)})`);
      return;
    }
    if (plugin.kind === 'external') {
      if (plugin.pkg === '@fastify/autoload') {
        this.autoload(call, optsArg, ctx, stack);
        return;
      }
      if (isDecoratorsBootstrap(plugin.pkg, plugin.path)) {
        this.decoratedControllers(call, optsArg, ctx);
        return;
      }
      this.addExternal(plugin.pkg, optsArg, pluginArg, call, ctx);
      return;
    }
    if (plugin.lifted) {
      ctx.sharedPlugins.push(call, plugin.fn);
      this.runPlugin(plugin.fn, ctx, stack, optsArg);
      return;
    }
    const child = this.newContext(ctx, joinPaths(ctx.prefix, this.prefixOf(optsArg)));
    child.plugin = plugin.fn;
    child.registerCall = call;
    this.runPlugin(plugin.fn, child, stack, optsArg);
  }

  /** fastify-decorators: each controller class is a plugin of its own, its `@Hook` methods its hooks. */
  private decoratedControllers(call: ts.CallExpression, optsArg: ts.Expression | undefined, ctx: FastifyContext): void {
    const { controllers, prefix, unknowns } = readBootstrap(optsArg, this.resolver, this.files);
    ctx.unknowns.push(...unknowns.map((u) => `${u} (at ${where(call)})`));
    for (const c of controllers) {
      const child = this.newContext(ctx, joinPaths(ctx.prefix, prefix ?? '', c.route ?? ''));
      child.registerCall = call;
      for (const h of c.hooks) child.hooks.push({ name: h.name, expr: h.at, call, addedIn: child, fn: h.fn });
      for (const r of c.routes) {
        child.routes.push({
          call: r.decorator,
          ctx: child,
          receiver: r.decorator.expression,
          shape: 'decorator',
          methods: r.methods,
          path: r.path,
          ...(r.options ? { options: r.options } : r.optionsExpr ? { optionsExpr: r.optionsExpr } : {}),
          handlerMethod: { fn: r.handler, name: r.name },
        });
      }
    }
  }

  /** A plugin from a package: the hooks and guard decorators it is known to add to the registering context. */
  private addExternal(written: string, opts: ts.Expression | undefined, expr: ts.Expression, call: ts.CallExpression, ctx: FastifyContext): void {
    const pkg = canonicalPlugin(written);
    const known = knownFastifyPlugin(pkg, opts, this.resolver);
    if (known.kind === 'hook') ctx.hooks.push({ name: 'onRequest', expr, call, addedIn: ctx, evidence: known.evidence });
    else if (known.kind === 'unknown') ctx.unknowns.push(known.reason);
    for (const name of known.decorates ?? []) ctx.decorations.set(name, { value: expr, call, external: pkg });
  }

  /** Runs a plugin's body in ctx; `options` is what its second parameter receives (the register options). */
  private runPlugin(fn: FunctionNode, ctx: FastifyContext, stack: InstanceKey[], options?: ts.Expression): void {
    const param = fn.parameters[0];
    if (!param) return;
    const optsParam = fn.parameters[1];
    const previous = optsParam && this.pluginOptions.get(optsParam);
    if (optsParam) this.pluginOptions.set(optsParam, options);
    this.run(param, ctx, stack);
    if (optsParam) this.pluginOptions.set(optsParam, previous);
  }

  /** The `prefix` of register options; `<dynamic>` when it is there but computed. */
  private prefixOf(opts: ts.Expression | undefined): string {
    if (!opts) return '';
    const obj = this.objectOf(opts);
    if (!obj) return '';
    const p = property(obj, 'prefix');
    if (!p) return '';
    return staticString(p, this.resolver) ?? DYNAMIC;
  }

  /** @fastify/autoload runs in the registering context (skip-override); each file is its own plugin. */
  private autoload(call: ts.CallExpression, optsArg: ts.Expression | undefined, ctx: FastifyContext, stack: InstanceKey[]): void {
    const opts = readAutoloadOptions(optsArg, this.resolver);
    if (!('dir' in opts)) {
      ctx.unknowns.push(`${opts.unreadable} (at ${where(call)})`);
      return;
    }
    if (opts.unreadable) ctx.unknowns.push(opts.unreadable);
    for (const node of autoloadTree(opts)) {
      let scope = ctx;
      if (node.hooks.length) {
        // autoload wraps the directory in a plugin that registers the autohooks (skip-override) first.
        scope = this.newContext(ctx, ctx.prefix);
        scope.registerCall = call;
        for (const hookFile of node.hooks) {
          const fn = this.defaultExportFunction(hookFile);
          if (fn) scope.sharedPlugins.push(fn);
          if (fn) this.runPlugin(fn, scope, stack);
          else scope.unknowns.push(`autohooks file ${path.basename(hookFile)} has no plugin function the scan can read`);
        }
      }
      for (const { file, prefix } of node.plugins) {
        const sf = this.files.get(path.normalize(file));
        if (!sf) continue;
        const plugin = this.moduleDefault(sf);
        if (!plugin) continue;
        if (plugin.kind === 'unknown') {
          scope.unknowns.push(`autoloaded ${path.basename(file)}: ${plugin.reason}`);
          continue;
        }
        if (plugin.kind === 'external') {
          // export default cors (with export const autoConfig = {...}): the package's plugin, as register() would add it.
          const autoConfig = this.resolver.exportOf(sf.fileName, 'autoConfig');
          const config = autoConfig.kind === 'node' && ts.isExpression(autoConfig.node) ? autoConfig.node : undefined;
          this.addExternal(plugin.pkg, config, plugin.anchor ?? call, call, scope);
          continue;
        }
        const autoPrefix = this.autoPrefixOf(sf);
        const own = autoPrefix ?? prefix;
        if (plugin.lifted) {
          scope.sharedPlugins.push(call, plugin.fn);
          this.runPlugin(plugin.fn, scope, stack);
          continue;
        }
        const child = this.newContext(scope, joinPaths(ctx.prefix, opts.prefix, own));
        child.plugin = plugin.fn;
        child.registerCall = call;
        this.runPlugin(plugin.fn, child, stack);
      }
    }
  }

  private moduleDefault(sf: ts.SourceFile): PluginRef | undefined {
    const value = this.resolver.exportOf(sf.fileName, 'default');
    if (value.kind === 'unknown') return undefined; // not a plugin module: autoload skips it
    if (value.kind === 'external') return { kind: 'external', pkg: value.pkg, path: value.path, anchor: defaultExportExpression(sf) };
    if (value.kind === 'node' && !isFunctionNode(unwrap(value.node)) && !ts.isCallExpression(unwrap(value.node))) return undefined;
    const anchor = value.kind === 'node' ? (value.node as ts.Expression) : undefined;
    if (!anchor) return { kind: 'unknown' as const, reason: 'its default export cannot be followed' };
    return resolvePlugin(anchor, this.resolver);
  }

  private defaultExportFunction(file: string): FunctionNode | undefined {
    const sf = this.files.get(path.normalize(file));
    if (!sf) return undefined;
    const plugin = this.moduleDefault(sf);
    return plugin?.kind === 'function' ? plugin.fn : undefined;
  }

  /** `export const autoPrefix = '/x'` (or `module.exports.autoPrefix`). */
  private autoPrefixOf(sf: ts.SourceFile): string | undefined {
    const v = this.resolver.exportOf(sf.fileName, 'autoPrefix');
    return v.kind === 'node' ? staticString(v.node, this.resolver) : undefined;
  }

  private objectOf(expr: ts.Expression): ts.ObjectLiteralExpression | undefined {
    const u = unwrap(expr);
    if (ts.isObjectLiteralExpression(u)) return u;
    if (!ts.isIdentifier(u) && !ts.isPropertyAccessExpression(u)) return undefined;
    const v = this.resolver.value(u);
    return v.kind === 'node' && ts.isObjectLiteralExpression(unwrap(v.node)) ? (unwrap(v.node) as ts.ObjectLiteralExpression) : undefined;
  }
}

/** The value of a property written in an object literal (`handler: h` or shorthand `handler`). */
export function property(obj: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  for (const p of obj.properties) {
    if (ts.isPropertyAssignment(p) && propName(p.name) === name) return p.initializer;
    if (ts.isShorthandPropertyAssignment(p) && p.name.text === name) return p.name;
    if (ts.isMethodDeclaration(p) && propName(p.name) === name) return p as unknown as ts.Expression;
  }
  return undefined;
}

function propName(n: ts.PropertyName): string | undefined {
  return ts.isIdentifier(n) || ts.isStringLiteralLike(n) ? n.text : undefined;
}

/** A parameter that an unregistered function's routes hang on: typed as Fastify, or named like an instance. */
/**
 * The plugin whose body a call runs in: the nearest enclosing function handed to a `register()` call (stopping at
 * `stop`, the function that owns the instance the call is made on). avvio loads plugins one at a time, so a
 * register call made while a plugin loads joins that plugin, whatever instance it is written on.
 */
function loadingPlugin(call: ts.Node, stop: FunctionNode | undefined): FunctionNode | undefined {
  for (let n: ts.Node | undefined = call.parent; n && n !== stop; n = n.parent) {
    if (isFunctionNode(n) && n.parent && ts.isCallExpression(n.parent) && ts.isPropertyAccessExpression(n.parent.expression) && n.parent.expression.name.text === 'register' && n.parent.arguments[0] === n) return n;
  }
  return stop;
}

function isInside(node: ts.Node, container: ts.Node): boolean {
  return node.getSourceFile() === container.getSourceFile() && node.pos >= container.pos && node.end <= container.end;
}

function looksLikeFastifyInstance(param: ts.ParameterDeclaration, fn: FunctionNode): boolean {
  if (param.type && /Fastify/.test(param.type.getText())) return true;
  const decl = fn.parent;
  if (ts.isVariableDeclaration(decl) && decl.type && /FastifyPlugin/.test(decl.type.getText())) return true;
  if (ts.isCallExpression(decl) && /(^|\.)fp$|fastifyPlugin/.test(decl.expression.getText())) return true;
  return ts.isIdentifier(param.name) && /^(fastify|app|server|instance)$/i.test(param.name.text) && /['"](fastify|fastify-plugin)['"]/.test(fn.getSourceFile().text);
}

function byPosition(a: { call: ts.Node }, b: { call: ts.Node }): number {
  const fa = a.call.getSourceFile().fileName;
  const fb = b.call.getSourceFile().fileName;
  return fa === fb ? a.call.getStart() - b.call.getStart() : fa.localeCompare(fb);
}

function where(node: ts.Node): string {
  const sf = node.getSourceFile();
  const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  return `${path.basename(sf.fileName)}:${line + 1}`;
}

/** The expression of `export default <expr>` (or `module.exports = <expr>`), for locations. */
function defaultExportExpression(sf: ts.SourceFile): ts.Expression | undefined {
  for (const st of sf.statements) {
    if (ts.isExportAssignment(st)) return st.expression;
    if (ts.isExpressionStatement(st) && ts.isBinaryExpression(st.expression) && st.expression.left.getText() === 'module.exports') return st.expression.right;
  }
  return undefined;
}

/** The name a function is called by: its declaration's, its method's, or the variable or property holding it. */
function functionName(fn: FunctionNode): string | undefined {
  if ((ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn)) && fn.name && ts.isIdentifier(fn.name)) return fn.name.text;
  const parent = fn.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && ts.isIdentifier(parent.name)) return parent.name.text;
  return undefined;
}

/** Reasons, anywhere in a tree, that a registered plugin could not be followed. */
function unreadRegistrations(ctx: FastifyContext): string[] {
  return [...ctx.unknowns.filter((u) => u.includes('(registered at ')), ...ctx.children.flatMap(unreadRegistrations)];
}
