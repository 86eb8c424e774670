import { ts } from 'ts-morph';
import type { Guard } from '../../model/types.js';
import { locOf, snippet } from '../../syntax/loc.js';
import { propertyNameText, unwrap } from '../../syntax/resolve.js';
import { staticStrings } from '../../syntax/strings.js';
import type { AdapterContext, RouteRecord } from '../adapter.js';
import { joinPaths, notAGuard, routeId, statusOfChain, type ChainLink } from '../chain.js';
import { ChainFiles } from '../chain-files.js';
import { findNestApps, versionsOf, type NestApp } from './bootstrap.js';
import { arrayElements, classChain, className, decoratorsOf, METHOD_DECORATORS, nestCommonName, objectLiteral, property, type DecoratorUse } from './decorators.js';
import { isFunctionNode, returnedExpressions } from '../../syntax/functions.js';
import { bindArguments, evaluateBound, NO_BINDINGS, type BoundArguments } from '../../syntax/bound-arguments.js';
import { NestGuardClassifier, type GuardVerdict, type KeyRead } from './guards.js';
import { ModuleGraphBuilder, type ModuleGraph, type ServedController } from './modules.js';
import { classMetadata, metadataOf, type MetadataSet } from './opt-outs.js';
import { nestPaths } from './paths.js';
import { nestRequestSpec } from './request-spec.js';
import { coverage, middlewareBindings, NestMiddlewareClassifier, type MiddlewareBinding } from './middleware.js';

/** Where each Nest route lives, for fixes. */
export interface NestRegistration {
  controller: ts.ClassDeclaration;
  method: ts.MethodDeclaration;
  app?: NestApp;
  rootModule?: ts.ClassDeclaration;
}
export const nestRegistrationOf = new WeakMap<RouteRecord, NestRegistration>();

interface GuardUse {
  expr: ts.Expression;
  scope: Guard['scope'];
  /** Set for guards a known module installs (no expression to classify). */
  known?: string;
  at: ts.Node;
  /** Installed by a conditionally imported module: cannot be counted on. */
  condition?: string;
}

const DYNAMIC = '<dynamic>';

/** Routes of every Nest application: bootstrap → module graph → served controllers → handlers. */
export class NestRouteComposer {
  private readonly guards: NestGuardClassifier;
  private readonly middleware: NestMiddlewareClassifier;
  private readonly out = new Map<string, RouteRecord>();
  private readonly chainFiles: ChainFiles;
  private bindings: MiddlewareBinding[] = [];
  /** Where the app is set up: main.ts's calls on it and every module (any module may add an APP_GUARD or middleware). */
  private appSites: ts.Node[] = [];

  constructor(private readonly ctx: AdapterContext) {
    this.guards = new NestGuardClassifier(ctx);
    this.middleware = new NestMiddlewareClassifier(ctx);
    this.chainFiles = new ChainFiles(ctx);
  }

  compose(): RouteRecord[] {
    const { resolver } = this.ctx;
    const { files } = this.ctx.project;
    const apps = findNestApps(files.mentioning('NestFactory'), resolver, () => files.mentioning('registerAs'));
    for (const app of apps) {
      // `NestFactory.create(moduleRef)` in a helper: each module its callers hand it (`bootstrap(AppModule)`).
      for (const rootModule of passedModules(app.rootModule, this.ctx)) {
        const graph = new ModuleGraphBuilder(resolver).build([rootModule]);
        const root = resolver.value(rootModule);
        this.addApp(app, graph, root.kind === 'node' && ts.isClassDeclaration(root.node) ? root.node : undefined);
      }
    }
    if (!apps.length) {
      // No bootstrap in the scan: serve from the modules nothing imports, and say what we cannot know.
      const roots = unimportedModules([...files.mentioning('@Module')], this.ctx);
      if (roots.length) this.addApp(undefined, new ModuleGraphBuilder(resolver).build(roots), undefined);
    }
    return [...this.out.values()];
  }

  private addApp(app: NestApp | undefined, graph: ModuleGraph, rootModule: ts.ClassDeclaration | undefined): void {
    const unresolved = [...(app?.unresolved ?? []), ...graph.unresolved];
    if (!app) unresolved.push('no NestFactory.create(...) bootstrap found: global guards and the global prefix are unknown');
    const global: GuardUse[] = [
      ...(app?.globalGuards ?? []).map((expr) => ({ expr, scope: 'global' as const, at: expr })),
      ...graph.appGuards.map((g) => ({ expr: g.expr, scope: 'global' as const, known: g.known, at: g.at, condition: g.condition })),
    ];
    this.bindings = middlewareBindings(graph.modules, this.ctx.resolver);
    this.appSites = [...(app ? [app.call, ...app.setupCalls, ...(app.assumedPrefix ? [app.assumedPrefix.at] : [])] : []), ...graph.modules];
    for (const served of graph.controllers) {
      // A slice scan composes the slice's controllers only; the module graph above them is whole.
      if (!this.ctx.project.files.inScope(served.cls.getSourceFile().fileName)) continue;
      this.addController(app, served, global, unresolved, rootModule);
    }
  }

  private addController(app: NestApp | undefined, served: ServedController, global: GuardUse[], unresolved: string[], rootModule?: ts.ClassDeclaration): void {
    const { resolver } = this.ctx;
    const chain = classChain(served.cls, resolver);
    const controllerDecorator = chain.flatMap((c) => decoratorsOf(c, resolver)).find((d) => nestCommonName(d) === 'Controller');
    if (!controllerDecorator) return;
    const ctrl = controllerOptions(controllerDecorator, this.ctx);
    const classGuards = chain.flatMap((c) => useGuardsOf(c, this.ctx, 'controller'));
    // The controller, its base classes and the decorators on them (guards, opt-outs, paths) place and protect its routes.
    const classSites = [...chain, ...chain.flatMap((c) => decoratorsOf(c, resolver).map((d) => d.callee))];
    const classMeta = classMetadata(served.cls, resolver);
    const seen = new Set<string>();
    for (const cls of chain) {
      for (const member of cls.members) {
        if (!ts.isMethodDeclaration(member) || !member.name) continue;
        const name = propertyNameText(member.name);
        if (name === undefined || seen.has(name)) continue;
        seen.add(name);
        const decorators = decoratorsOf(member, resolver);
        const mapping = decorators.find((d) => METHOD_DECORATORS[nestCommonName(d) ?? '']);
        if (!mapping) continue;
        this.addRoute({ app, served, member, mapping, decorators, ctrl, classGuards, classMeta, global, unresolved, rootModule, classSites });
      }
    }
  }

  private addRoute(r: {
    app: NestApp | undefined;
    served: ServedController;
    member: ts.MethodDeclaration;
    mapping: DecoratorUse;
    decorators: DecoratorUse[];
    ctrl: { paths: string[]; versions?: string[]; host?: string };
    classGuards: GuardUse[];
    classMeta: MetadataSet[];
    global: GuardUse[];
    unresolved: string[];
    rootModule?: ts.ClassDeclaration;
    classSites: ts.Node[];
  }): void {
    const { resolver, project } = this.ctx;
    const method = METHOD_DECORATORS[nestCommonName(r.mapping)!];
    const pathArg = r.mapping.call?.arguments[0];
    const methodPaths = pathArg ? (staticStrings(pathArg, resolver) ?? [DYNAMIC]) : ['/'];
    const versionDecorator = r.decorators.find((d) => nestCommonName(d) === 'Version');
    const methodVersions = versionDecorator?.call?.arguments[0] ? versionsOf(versionDecorator.call.arguments[0], resolver) : undefined;
    const versions = methodVersions ?? r.ctrl.versions ?? r.app?.versioning?.defaultVersion;
    const paths = nestPaths(r.app, { method, modulePath: r.served.modulePath, controllerPaths: r.ctrl.paths, methodPaths, versions });

    const methodGuards = useGuardsOf(r.member, this.ctx, 'route');
    const handlerMeta = metadataOf(r.member, resolver);
    const links: ChainLink[] = [];
    const optedOut: string[] = [];
    for (const use of [...r.global, ...r.classGuards, ...methodGuards]) {
      const verdict: GuardVerdict = use.known
        ? { verdict: 'guard', name: snippet(use.expr), evidence: use.known, reads: [{ key: 'pkg:@thallesp/nestjs-better-auth#public', targets: ['handler', 'class'], mode: 'skip-when-set' }] }
        : this.guards.classify(use.expr);
      if (verdict.verdict === 'none') {
        links.push(notAGuard(snippet(use.expr), verdict.why));
        continue;
      }
      if (verdict.verdict === 'unknown') {
        // A guard the scan cannot judge still lets through the routes that opt out of it.
        const skip = verdict.reads && skippedBy(verdict.reads, handlerMeta, r.classMeta);
        links.push(skip && skip.kind !== 'maybe' ? { verdict: 'none' } : { verdict: 'unknown', reason: verdict.reason });
        continue;
      }
      if (use.condition) {
        links.push({ verdict: 'unknown', reason: `${verdict.name} is registered by a module imported only when ${use.condition}` });
        continue;
      }
      const skip = skippedBy(verdict.reads, handlerMeta, r.classMeta);
      if (skip?.kind === 'opt-out') {
        optedOut.push(`${verdict.name} (${skip.decorator})`);
        links.push({ verdict: 'none' });
        continue;
      }
      if (skip?.kind === 'inactive') {
        links.push({ verdict: 'none' });
        continue;
      }
      if (skip?.kind === 'maybe') {
        links.push({ verdict: 'unknown', reason: `cannot tell whether ${skip.decorator} opts out of ${verdict.name}: it comes from a package the scan cannot read` });
        continue;
      }
      links.push({
        verdict: 'guard',
        guard: { name: verdict.name, kind: 'guard', scope: use.scope, loc: locOf(use.at, project.root), evidence: verdict.evidence, ...(verdict.signIn ? { signIn: verdict.signIn } : {}) },
      });
    }

    const handlerLoc = locOf(r.member, project.root);
    const handlerName = `${className(r.served.cls)}.${r.member.name.getText()}`;
    for (const path of paths) {
      const unresolved = [...r.unresolved];
      const pathUnresolved = [...(r.app?.pathUnresolved ?? [])];
      if (path.startsWith(`/${DYNAMIC}`) && r.app?.dynamicPrefix) pathUnresolved.push(r.app.dynamicPrefix);
      else if (path.includes(DYNAMIC)) pathUnresolved.push('part of the route path is computed at run time');
      // Guards do not depend on the path; middleware bound to paths (forRoutes) does. Without any, an unread path
      // is said in the reason and leaves the status to the guards.
      const pathMatters = this.bindings.some(boundByPath);
      if (pathMatters) unresolved.push(...pathUnresolved);
      const chain = [...this.middlewareLinks(r.served.cls, method, path, r.app), ...links];
      let auth = statusOfChain(chain, unresolved);

      // Opted out of every guard that runs: public, also when only the path or the app set-up is unresolved
      // (a guard the scan missed would make it protected, never less).
      if (auth.status === 'unknown' && optedOut.length && !chain.some((l) => l.verdict === 'unknown')) {
        auth = { status: 'public', guards: [], reason: `opted out of ${optedOut.join(', ')}; ${auth.reason}` };
      }
      if (auth.status === 'unprotected') {
        auth = optedOut.length
          ? { status: 'public', guards: [], reason: `opted out of ${optedOut.join(', ')}` }
          : { ...auth, reason: auth.optional?.length || auth.skipped?.length || auth.bypass?.length ? auth.reason : 'no guard that can refuse the request runs before the handler' };
      }
      if (!pathMatters && pathUnresolved.length && auth.status !== 'protected') {
        const note = `the path is not certain: ${pathUnresolved.join('; ')}`;
        auth = { ...auth, reason: auth.reason ? `${auth.reason}; ${note}` : note };
      }
      if (r.app?.assumedPrefix && (!r.app.globalPrefix || path.startsWith(joinPaths('/', r.app.globalPrefix.prefix)))) {
        auth = { ...auth, reason: auth.reason ? `${auth.reason}; ${r.app.assumedPrefix.note}` : r.app.assumedPrefix.note };
      }
      const when = [r.served.condition, r.ctrl.host && `the request's host is ${r.ctrl.host}`].filter(Boolean);
      if (when.length) {
        const served = `served only when ${when.join(' and ')}`;
        auth = { ...auth, reason: auth.reason ? `${auth.reason}; ${served}` : served };
      }
      const id = routeId('nest', method, path, handlerLoc.file, handlerName);
      if (this.out.has(id)) continue;
      const record: RouteRecord = {
        route: {
          id,
          framework: 'nest',
          method,
          path,
          loc: locOf(r.mapping.node, project.root),
          handler: { name: handlerName, loc: handlerLoc },
          auth,
          chainFiles: this.chainFiles.of(
            [r.mapping.node, this.appSites, r.classSites],
            [...r.decorators.map((d) => d.callee), ...[...r.global, ...r.classGuards, ...methodGuards].map((g) => g.expr), ...this.middlewareFor(r.served.cls, method, path, r.app)],
          ),
        },
        handler: r.member,
        requestSpec: nestRequestSpec(r.member, resolver, this.ctx),
        anchor: r.member,
      };
      nestRegistrationOf.set(record, { controller: r.served.cls, method: r.member, app: r.app, rootModule: r.rootModule });
      this.out.set(id, record);
    }
  }

  /** Middleware bound in `configure(consumer)` that runs for this route: before every guard. */
  private middlewareLinks(controller: ts.ClassDeclaration, method: string, path: string, app: NestApp | undefined): ChainLink[] {
    const links: ChainLink[] = [];
    for (const binding of this.bindings) {
      const cov = coverage(binding, { controller, method, path }, app);
      if (cov.covers === 'no') continue;
      for (const mw of binding.middleware) {
        const v = this.middleware.classify(mw);
        if (v.verdict === 'none') continue;
        if (v.verdict === 'unknown') {
          links.push({ verdict: 'unknown', reason: v.reason });
        } else if (cov.covers === 'maybe') {
          links.push({ verdict: 'unknown', reason: `cannot tell whether ${snippet(mw)} runs for this route: ${cov.why}` });
        } else if (binding.condition) {
          links.push({ verdict: 'unknown', reason: `${snippet(mw)} is applied only when ${binding.condition}` });
        } else {
          const scope: Guard['scope'] = binding.forRoutes.some((f) => f.kind === 'controller') ? 'controller' : 'route';
          links.push({ verdict: 'guard', guard: { name: snippet(mw), kind: 'middleware', scope, loc: locOf(mw, this.ctx.project.root), evidence: v.evidence } });
        }
      }
    }
    return links;
  }

  /** The middleware of the `configure(consumer)` bindings that may run for this route. */
  private middlewareFor(controller: ts.ClassDeclaration, method: string, path: string, app: NestApp | undefined): ts.Expression[] {
    return this.bindings.filter((b) => coverage(b, { controller, method, path }, app).covers !== 'no').flatMap((b) => b.middleware);
  }
}

/** `@Controller()`, `@Controller('a')`, `@Controller(['a', 'b'])`, `@Controller({ path, version, host })`. */
function controllerOptions(d: DecoratorUse, ctx: AdapterContext): { paths: string[]; versions?: string[]; host?: string } {
  const arg = d.call?.arguments[0];
  if (!arg) return { paths: ['/'] };
  const obj = objectLiteral(arg, ctx.resolver);
  if (obj) {
    const p = property(obj, 'path');
    const v = property(obj, 'version');
    const h = property(obj, 'host');
    const host = h ? (staticStrings(h, ctx.resolver)?.join(' or ') ?? snippet(h)) : undefined;
    return { paths: p ? (staticStrings(p, ctx.resolver) ?? [DYNAMIC]) : ['/'], versions: v ? versionsOf(v, ctx.resolver) : undefined, host };
  }
  return { paths: staticStrings(arg, ctx.resolver) ?? [DYNAMIC] };
}

/** The guards of every `@UseGuards(...)` on a class or method, also inside the project's own decorators. */
function useGuardsOf(node: ts.Node, ctx: AdapterContext, scope: Guard['scope']): GuardUse[] {
  return decoratorsOf(node, ctx.resolver)
    .flatMap((d) => guardsInDecorator(d.call ?? d.callee, ctx, 0))
    .map((expr) => ({ expr, scope, at: expr }));
}

/**
 * `UseGuards(A, B)`, `applyDecorators(UseGuards(A), SetMetadata(...))`, and a project function or constant that
 * returns one (`export function AuthJwtAccessProtected() { return applyDecorators(UseGuards(JwtGuard)) }`).
 */
function guardsInDecorator(expr: ts.Expression, ctx: AdapterContext, depth: number, bound: BoundArguments = NO_BINDINGS): ts.Expression[] {
  if (depth > 5) return [];
  const e = unwrap(expr) as ts.Expression;
  if (ts.isConditionalExpression(e)) {
    // `isApiKey ? UseGuards(MultiAuth, Authn) : UseGuards(Jwt, Authn)`: the branch the call's arguments choose, else
    // only the guards both branches apply.
    const test = evaluateBound(e.condition, bound);
    if (test !== undefined) return guardsInDecorator(test ? e.whenTrue : e.whenFalse, ctx, depth + 1, bound);
    const [yes, no] = [guardsInDecorator(e.whenTrue, ctx, depth + 1, bound), guardsInDecorator(e.whenFalse, ctx, depth + 1, bound)];
    return yes.filter((g) => no.some((h) => h.getText() === g.getText()));
  }
  if (!ts.isCallExpression(e)) {
    const v = ctx.resolver.value(e);
    return v.kind === 'node' && v.node !== e && ts.isCallExpression(unwrap(v.node)) ? guardsInDecorator(v.node as ts.Expression, ctx, depth + 1) : [];
  }
  const callee = ctx.resolver.value(e.expression);
  if (callee.kind === 'external') {
    if (callee.pkg !== '@nestjs/common') return [];
    const name = callee.path[callee.path.length - 1];
    if (name === 'UseGuards') return e.arguments.flatMap((a) => (ts.isSpreadElement(a) ? arrayElements(a.expression, ctx.resolver) : [a]));
    if (name === 'applyDecorators') return e.arguments.flatMap((a) => guardsInDecorator(a, ctx, depth + 1, bound));
    return [];
  }
  if (callee.kind === 'node' && isFunctionNode(callee.node)) {
    const inner = bindArguments(callee.node, e, bound);
    return returnedExpressions(callee.node).flatMap((r) => guardsInDecorator(r, ctx, depth + 1, inner));
  }
  return [];
}

/** Whether the route's metadata switches the guard off: an opt-out it honours, or no metadata it acts on. */
function skippedBy(
  reads: readonly KeyRead[],
  handler: MetadataSet[],
  cls: MetadataSet[],
): { kind: 'opt-out'; decorator: string } | { kind: 'inactive' } | { kind: 'maybe'; decorator: string } | undefined {
  let maybe: string | undefined;
  for (const read of reads) {
    const found = [...(read.targets.includes('handler') ? handler : []), ...(read.targets.includes('class') ? cls : [])].filter((m) => m.key === read.key);
    if (read.mode === 'skip-when-set') {
      const hit = found.find((m) => m.isTrue);
      if (hit) return { kind: 'opt-out', decorator: hit.decorator };
      maybe ??= [...(read.targets.includes('handler') ? handler : []), ...(read.targets.includes('class') ? cls : [])].find((m) => m.opaque)?.decorator;
    }
    if (read.mode === 'only-when-set' && !found.length) return { kind: 'inactive' };
    if (read.mode === 'skip-when-includes') {
      const hit = found.find((m) => read.includes !== undefined && m.values?.includes(read.includes));
      if (hit) return { kind: 'opt-out', decorator: hit.decorator };
      maybe ??= [...(read.targets.includes('handler') ? handler : []), ...(read.targets.includes('class') ? cls : [])].find((m) => m.opaque || (m.key === read.key && !m.values))?.decorator;
    }
  }
  return maybe ? { kind: 'maybe', decorator: maybe } : undefined;
}

/** Middleware bound to some paths and not others: which one a route gets depends on its exact path. */
function boundByPath(b: MiddlewareBinding): boolean {
  const everything = (sel: MiddlewareBinding['forRoutes'][number]) => sel.kind === 'path' && !sel.method && /^\/?(\*\w*|\(\.\*\)|\{\*\w*\})?$/.test(sel.path);
  return b.exclude.length > 0 || !b.forRoutes.every(everything);
}

/** Module classes no other module imports: the roots when there is no bootstrap to start from. */
function unimportedModules(files: ts.SourceFile[], ctx: AdapterContext): ts.ClassDeclaration[] {
  const all: ts.ClassDeclaration[] = [];
  for (const sf of files) {
    if (!sf.text.includes('@Module')) continue;
    const visit = (n: ts.Node): void => {
      if (ts.isClassDeclaration(n) && decoratorsOf(n, ctx.resolver).some((d) => nestCommonName(d) === 'Module')) all.push(n);
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  const imported = new Set<ts.ClassDeclaration>();
  for (const m of all) {
    const g = new ModuleGraphBuilder(ctx.resolver).build([m]);
    for (const x of g.modules) if (x !== m) imported.add(x);
  }
  return all.filter((m) => !imported.has(m));
}

/**
 * The module expressions a root-module argument stands for: itself, or, when it is a parameter of the function
 * that calls `NestFactory.create` (`createApp(moduleRef)`), what each call of that function passes, followed up to
 * three functions out (`main.ts: bootstrapApp(AppModule)` → `createApp(moduleRef)`). The expression itself when no
 * call is found, so the graph says what it could not read.
 */
function passedModules(expr: ts.Expression, ctx: AdapterContext, depth = 0): ts.Expression[] {
  const value = ctx.resolver.value(expr);
  if (value.kind !== 'param' || value.path.length || depth > 3) return [expr];
  const param = value.node;
  const fn = param.parent;
  const index = fn.parameters.indexOf(param);
  const name = functionName(fn);
  if (!name || index < 0) return [expr];
  const out: ts.Expression[] = [];
  for (const sf of ctx.project.files.mentioning(name)) {
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n) && n.arguments[index] && n.expression.getText().endsWith(name)) {
        const callee = ctx.resolver.value(n.expression);
        if (callee.kind === 'node' && callee.node === fn) out.push(...passedModules(n.arguments[index]!, ctx, depth + 1));
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return out.length ? [...new Set(out)] : [expr];
}

/** `function createApp()`, `const createApp = () => ...`, a method `createApp()`. */
function functionName(fn: ts.SignatureDeclaration): string | undefined {
  if ((ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn)) && fn.name && ts.isIdentifier(fn.name)) return fn.name.text;
  if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name)) return fn.parent.name.text;
  return undefined;
}
