import { ts } from 'ts-morph';
import type { Guard, RouteAuth } from '../../model/types.js';
import { isFunctionNode, returnedExpressions, type FunctionNode } from '../../syntax/functions.js';
import { locOf, snippet } from '../../syntax/loc.js';
import { unwrap } from '../../syntax/resolve.js';
import { staticStrings } from '../../syntax/strings.js';
import type { AdapterContext, RouteRecord } from '../adapter.js';
import { joinPaths, notAGuard, routeId, scopeCovers, senderCheck, statusOfChain, type ChainLink } from '../chain.js';
import { ChainFiles } from '../chain-files.js';
import { skipLink } from '../skip-links.js';
import { continuesWith } from '../../analysis/guard-evidence.js';
import { handlerName, resolveHandler } from './handler.js';
import { ExpressMiddlewareClassifier } from './middleware.js';
import { expressRequestSpec } from './request-spec.js';
import { asUnless, unlessSkips } from './unless.js';
import { registrationOf } from './auth-fix.js';
import type { Entry, ExpressRouter, ExpressRouters } from './routers.js';
import { paramsBoundToCaller } from './param-binding.js';

/** A middleware active on a router's stack: it runs for routes under `scope` registered after it. */
interface ActiveMiddleware {
  expr: ts.Expression;
  /** Full path prefix it is mounted at; undefined when the path could not be read. */
  scope: string | undefined;
  /** For router.param('id', fn): runs only for routes with that parameter. */
  param?: string;
  level: Guard['scope'];
  /** Registered only when this holds: a guard here cannot be counted on. */
  condition?: string;
  /** The use()/param() call that registered it. */
  site: ts.CallExpression;
  /** What the registrar's call passed for its parameters (see Entry.bindings). */
  bindings?: Entry['bindings'];
}

const DYNAMIC = '<dynamic>';

/** Walks every root app's stack depth-first, composing prefixes and the middleware that runs before each route. */
export class ExpressRouteComposer {
  private readonly classifier: ExpressMiddlewareClassifier;
  private readonly out: RouteRecord[] = [];
  private readonly chainFiles: ChainFiles;
  private currentRouter: ExpressRouter | undefined;
  /** The routers from the root app down to the one being walked. */
  private readonly routerPath: ExpressRouter[] = [];
  private readonly routerSites = new Map<ExpressRouter, ts.Node[]>();

  constructor(
    private readonly ctx: AdapterContext,
    private readonly routers: ExpressRouters,
  ) {
    this.classifier = new ExpressMiddlewareClassifier(ctx);
    this.chainFiles = new ChainFiles(ctx);
  }

  compose(all: ExpressRouter[]): RouteRecord[] {
    // First pass marks mounted routers so that only true roots start a walk.
    for (const r of all) for (const e of r.entries) if (e.kind === 'use') for (const item of this.flatten(e.items)) this.mountedRouter(item, true);
    for (const r of all) {
      if (r.mounted) continue;
      // An app that nothing mounts is a root; a router that nothing mounts may still be mounted by code we cannot see.
      this.walk(r, '', [], new Set(), r.kind === 'router' ? 'router is not mounted by any app the scan found' : undefined);
    }
    return this.out;
  }

  private mountedRouter(item: ts.Expression, mark = false): ExpressRouter | undefined {
    const ref = this.routers.routerOf(item);
    if (ref && 'router' in ref) {
      if (mark) ref.router.mounted = true;
      return ref.router;
    }
    return undefined;
  }

  private walk(router: ExpressRouter, prefix: string, inherited: ActiveMiddleware[], seen: Set<string>, unmounted?: string, mountConditions: string[] = []): void {
    if (seen.has(router.id)) return;
    seen.add(router.id);
    const outer = this.currentRouter;
    this.currentRouter = router;
    this.routerPath.push(router);
    const active = [...inherited];
    const level: Guard['scope'] = router.kind === 'app' && !prefix ? 'global' : 'router';
    for (const entry of router.entries) {
      if (entry.kind === 'use') this.walkUse(entry, prefix, active, seen, level, unmounted, mountConditions);
      else if (entry.kind === 'param') {
        const name = staticStrings(entry.name, this.ctx.resolver)?.[0];
        for (const item of this.flatten(entry.items)) active.push({ expr: item, scope: prefix, param: name, level, condition: entry.condition, site: entry.call, bindings: entry.bindings });
      } else this.addRoute(entry, prefix, active, unmounted, mountConditions);
    }
    seen.delete(router.id);
    this.routerPath.pop();
    this.currentRouter = outer;
  }

  private walkUse(
    entry: Extract<Entry, { kind: 'use' }>,
    prefix: string,
    active: ActiveMiddleware[],
    seen: Set<string>,
    level: Guard['scope'],
    unmounted: string | undefined,
    mountConditions: string[],
  ): void {
    const paths = entry.paths.length ? staticStrings(entry.paths[0], this.ctx.resolver) : [''];
    const scopes = paths ? paths.map((p) => joinPaths(prefix, p)) : [undefined];
    const before: ActiveMiddleware[] = [];
    const conditions = entry.condition ? [...mountConditions, entry.condition] : mountConditions;
    for (const raw of this.flatten(entry.items)) {
      const child = this.mountedRouter(raw);
      if (child) {
        for (const scope of scopes) {
          this.walk(child, scope ?? joinPaths(prefix, DYNAMIC), [...active, ...before], seen, unmounted, conditions);
          // A request that matches none of the child's routes leaves it through next(), after the child's own
          // use() middleware ran: so that middleware guards what the parent registers later under the mount.
          before.push(...this.passThroughMiddleware(child, scope, entry.condition));
        }
        continue;
      }
      for (const scope of scopes) {
        before.push({ expr: raw, scope, level: scope && scope !== '/' && scope !== prefix ? 'router' : level, condition: entry.condition, site: entry.call, bindings: entry.bindings });
      }
    }
    active.push(...before);
  }

  /** The child's top-level use() middleware (not its routes or sub-routers), scoped under the mount path. */
  private passThroughMiddleware(child: ExpressRouter, mount: string | undefined, mountCondition: string | undefined): ActiveMiddleware[] {
    const out: ActiveMiddleware[] = [];
    for (const entry of child.entries) {
      if (entry.kind !== 'use') continue;
      const paths = entry.paths.length ? staticStrings(entry.paths[0], this.ctx.resolver) : [''];
      const condition = entry.condition ?? mountCondition;
      for (const item of this.flatten(entry.items)) {
        if (this.mountedRouter(item)) continue;
        for (const p of paths ?? [undefined]) {
          out.push({ expr: item, scope: mount === undefined || p === undefined ? undefined : joinPaths(mount, p), level: 'router', condition, site: entry.call, bindings: entry.bindings });
        }
      }
    }
    return out;
  }

  private addRoute(entry: Extract<Entry, { kind: 'route' }>, prefix: string, active: ActiveMiddleware[], unmounted: string | undefined, mountConditions: string[]): void {
    const items = this.flatten(entry.items);
    const handlerExpr = items[items.length - 1];
    const routeLevel = items.slice(0, -1);
    const paths = staticStrings(entry.paths[0], this.ctx.resolver) ?? [DYNAMIC];
    const fn = resolveHandler(handlerExpr, this.ctx.resolver);
    const name = handlerName(handlerExpr, fn);
    const root = this.ctx.project.root;
    const method = entry.method.toUpperCase();
    for (const p of paths) {
      const path = joinPaths(prefix, p);
      const links: ChainLink[] = [];
      // What runs before the handler and where it was registered (a mounted sibling's own use() included).
      const runs: ts.Expression[] = [...routeLevel];
      const sites: ts.Node[] = [];
      for (const m of active) {
        if (m.param && !path.split('/').includes(`:${m.param}`)) continue;
        if (m.scope !== undefined && !scopeCovers(m.scope, path)) continue;
        runs.push(m.expr, ...boundArguments(m.bindings));
        sites.push(m.site);
        links.push(this.link(m.expr, m.scope === undefined ? 'router' : m.level, m.scope, m.condition, method, path, m.bindings));
      }
      // What a registrar's call passed is judged in place of its parameters: an edit to it re-judges the route.
      runs.push(...boundArguments(entry.bindings));
      for (const m of routeLevel) links.push(this.link(m, 'route', path, undefined, method, path, entry.bindings));
      // `app.get('/api/Users', security.isAuthorized())`: the last function is middleware too, and when it is a guard
      // the request goes on only when it is satisfied (to the next route that matches, a generated REST handler).
      // A project handler made by a factory (`login()`) answers the request itself: only one that passes it on with a
      // plain `next()` is middleware.
      const made = unwrap(handlerExpr);
      if (ts.isCallExpression(made) && this.madeMiddleware(made)) {
        const last = this.link(handlerExpr, 'route', path, undefined, method, path);
        if (last.verdict === 'guard') links.push(last);
      }
      // app.get(path, ...handlers) from a list the scan cannot read: its guards are unknown too.
      if (ts.isSpreadElement(unwrap(handlerExpr))) links.push({ verdict: 'unknown', reason: `the route's handlers come from ${snippet(handlerExpr)}, which the scan cannot read` });
      const servedWhen = [...mountConditions, ...(entry.condition ? [entry.condition] : [])];
      const unresolved = [unmounted, p === DYNAMIC ? 'the route path is computed at run time' : undefined].filter(Boolean) as string[];
      const handlerLoc = locOf(fn ?? handlerExpr, root);
      const builtIn = this.builtInPublic(method, handlerExpr);
      const record: RouteRecord = {
        route: {
          id: routeId('express', method, path, handlerLoc.file, name),
          framework: 'express',
          method,
          path,
          loc: locOf(entry.site ?? entry.call, root),
          handler: { name, loc: handlerLoc },
          auth: builtIn ? { status: 'public', guards: [], reason: builtIn } : withServedWhen(statusOfChain(links, unresolved), servedWhen),
          chainFiles: this.chainFiles.of([entry.call, entry.site, fn, ...this.placingSites(), ...sites], runs),
        },
        handler: fn,
        requestSpec: fn ? expressRequestSpec(fn, this.ctx.project.config.principals) : undefined,
        anchor: entry.site ?? entry.call,
      };
      registrationOf.set(record, { router: this.currentRouter!, entry, prefix });
      this.out.push(record);
    }
  }

  /**
   * Whether a factory call placed last in a route makes middleware that passes the request on: a package's
   * (`expressJwt(...)`, also returned by a project factory) or a project function calling a plain `next()`. A
   * project handler factory (`login()`) answers the request itself, whatever it hands `next` on error.
   */
  private madeMiddleware(call: ts.CallExpression, depth = 0): boolean {
    const callee = this.ctx.resolver.value(call.expression);
    if (callee.kind === 'external') return true;
    if (callee.kind !== 'node' || !isFunctionNode(unwrap(callee.node)) || depth > 2) return false;
    const returned = returnedExpressions(unwrap(callee.node) as FunctionNode).map((r) => unwrap(r));
    return (
      returned.length > 0 &&
      returned.every((r) => (isFunctionNode(r) ? continuesWith(r, 2)?.startsWith('calls ') === true : ts.isCallExpression(r) && this.madeMiddleware(r, depth + 1)))
    );
  }

  /**
   * What places a route and assembles its chain, on every router from the root app down: the router's
   * creation and each of its use() and param() registrations (mounts, middleware, guards), wherever made.
   */
  private placingSites(): ts.Node[][] {
    return this.routerPath.map((r) => {
      let sites = this.routerSites.get(r);
      if (!sites) this.routerSites.set(r, (sites = [r.creation, ...r.entries.filter((e) => e.kind !== 'route').map((e) => e.call)]));
      return sites;
    });
  }

  /**
   * Express flattens arrays of middleware (and arrays of arrays) into the stack; `...list` spreads a list the
   * scan reads when it is an array literal, else stays as one element the chain reports as unreadable.
   */
  private flatten(items: readonly ts.Expression[], depth = 0): ts.Expression[] {
    return items.flatMap((i) => {
      const u = unwrap(i);
      if (ts.isArrayLiteralExpression(u)) return this.flatten(u.elements, depth + 1);
      if (ts.isSpreadElement(u) && depth < 6) {
        const v = this.ctx.resolver.value(u.expression);
        const list = v.kind === 'node' ? unwrap(v.node) : undefined;
        return list && ts.isArrayLiteralExpression(list) ? this.flatten(list.elements, depth + 1) : [u];
      }
      // Express flattens arrays wherever it takes handlers: `app.use('/api', auth, require('./routes'))` with
      // `module.exports = [usersRouter, ordersRouter]`, or `const guards = [auth, admin]`.
      if ((ts.isIdentifier(u) || ts.isCallExpression(u) || ts.isPropertyAccessExpression(u)) && depth < 6) {
        const v = this.ctx.resolver.value(u);
        const list = v.kind === 'node' ? unwrap(v.node) : undefined;
        if (list && list !== u && ts.isArrayLiteralExpression(list)) return this.flatten(list.elements, depth + 1);
      }
      return [i];
    });
  }

  /**
   * Routes public by nature, whatever the chain: CORS preflights answered by cors() (browsers send no
   * credentials on preflight) and Better Auth's own handler (sign-in, sign-up and session endpoints).
   */
  private builtInPublic(method: string, handler: ts.Expression): string | undefined {
    const e = unwrap(handler);
    const v = this.ctx.resolver.value(ts.isCallExpression(e) ? e.expression : e);
    if (v.kind !== 'external') return undefined;
    if (method === 'OPTIONS' && v.pkg === 'cors') return 'CORS preflight answered by cors(); browsers send no credentials on preflight';
    if (v.pkg === 'better-auth' && v.path.join('.') === 'node.toNodeHandler') return "Better Auth's own endpoints (sign-in, sign-up, session), served by toNodeHandler";
    return undefined;
  }

  /** `mount`: the path the step is registered at (undefined when unreadable); the route's own path for route-level steps. */
  private link(expr: ts.Expression, scope: Guard['scope'], mount: string | undefined, condition: string | undefined, method: string, routePath: string, bindings?: Entry['bindings']): ChainLink {
    if (ts.isSpreadElement(expr)) return { verdict: 'unknown', reason: `cannot read the middleware list ${snippet(expr)}` };
    // jwt({...}).unless({ path: ['/login'] }): the guard, except for the requests it skips.
    const unless = asUnless(expr);
    if (unless && this.classifier.classify(unless.guard).verdict === 'guard') {
      const skip = unlessSkips(unless, method, routePath, this.ctx.resolver);
      if (skip.skips === 'yes') return { verdict: 'none' };
      if (skip.skips === 'maybe') return { verdict: 'unknown', reason: skip.why };
      return this.link(unless.guard, scope, mount, condition, method, routePath);
    }
    const v = this.classifier.classify(expr, bindings);
    if (v.verdict === 'guard') {
      if (mount === undefined) return { verdict: 'unknown', reason: `${snippet(expr)} is mounted on a path the scan cannot read` };
      if (condition) return { verdict: 'unknown', reason: `${snippet(expr)} is registered only when ${condition}` };
      const name = isFunctionNode(unwrap(expr)) ? 'inline middleware' : snippet(expr);
      // A guard that passes this route's requests on under some condition (`if (PUBLIC.some(...)) return next()`).
      const skipped = skipLink(name, v.skips ?? [], { path: routePath, mount, methods: [method], config: undefined }, this.ctx.resolver);
      if (skipped) return skipped;
      // A route-level guard sees the route's own parameters: one it ties to the caller is the caller's account.
      const bound = scope === 'route' ? paramsBoundToCaller(expr, this.ctx.resolver) : [];
      const sender = senderCheck(expr, v.verifiesSender);
      const guard: Guard = {
        name,
        kind: 'middleware',
        scope,
        loc: locOf(expr, this.ctx.project.root),
        evidence: v.evidence,
        ...(bound.length ? { bindsParams: bound } : {}),
        ...(v.signIn ? { signIn: v.signIn } : {}),
        ...(sender ? { verifiesSender: sender } : {}),
      };
      return { verdict: 'guard', guard };
    }
    if (v.verdict === 'unknown') return { verdict: 'unknown', reason: v.reason };
    return notAGuard(snippet(expr), v.why);
  }
}

/** A route's status with the conditions its registration (or a mount above it) depends on: the route may not exist. */
function withServedWhen(auth: RouteAuth, conditions: string[]): RouteAuth {
  if (!conditions.length) return auth;
  const served = `served only when ${conditions.join(' and ')}`;
  return { ...auth, reason: auth.reason ? `${auth.reason}; ${served}` : served };
}

function boundArguments(bindings: Entry['bindings']): ts.Expression[] {
  return bindings ? [...bindings.values()].flat() : [];
}
