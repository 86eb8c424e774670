import { ts } from 'ts-morph';
import type { Guard, SourceLoc } from '../../model/types.js';
import { locOf, snippet } from '../../syntax/loc.js';
import { isFunctionNode } from '../../syntax/functions.js';
import { unwrap, type Resolver } from '../../syntax/resolve.js';
import { staticString, staticStrings } from '../../syntax/strings.js';
import { defaultedString } from '../../syntax/config-defaults.js';
import type { AdapterContext, RouteRecord } from '../adapter.js';
import { joinPaths, notAGuard, routeId, senderCheck, statusOfChain, type ChainLink } from '../chain.js';
import { ChainFiles } from '../chain-files.js';
import { skipLink } from '../skip-links.js';
import { handlerName, resolveHandler } from '../express/handler.js';
import { entriesOf, type HonoApp, type HonoApps, type HonoEntry } from './apps.js';
import { HonoMiddlewareClassifier } from './middleware.js';
import { honoPatternCovers, honoPatternsOverlap } from './paths.js';
import { betterAuthHandlerCall } from './better-auth-handler.js';
import { declaresNullableUser, honoRequestSpec } from './request-spec.js';

const DYNAMIC = '<dynamic>';

type RouteEntry = Extract<HonoEntry, { kind: 'route' }>;
type MountEntry = Extract<HonoEntry, { kind: 'mount' }>;

/** A middleware in a root app's flattened list: it runs for routes registered after it that its pattern covers. */
interface ActiveMiddleware {
  expr: ts.Expression;
  /** Full Hono pattern; the app's whole prefix when the path could not be read. */
  pattern: string;
  /** The path it was registered at could not be read: it may or may not cover a route under `pattern`. */
  unreadable: boolean;
  level: Guard['scope'];
  /** The use() call that registered it. */
  site: ts.CallExpression;
}

/** Where a route came from, for fixes: its registration, the app and the mounts that lead to it. */
export interface HonoRegistration {
  app: HonoApp;
  entry: RouteEntry;
  /** Mount prefix the app's own paths are served under in this root. */
  prefix: string;
  /** The route() calls from the root down to the app, outermost first, with the prefix each mounts at. */
  mounts: { entry: MountEntry; parent: HonoApp; prefix: string }[];
  /** Position of the route in its root's flattened order. */
  index: number;
  root: HonoApp;
}

export const honoRegistrationOf = new WeakMap<RouteRecord, HonoRegistration>();

/**
 * Flattens each root app the way Hono does: `route(path, sub)` copies the sub-app's handlers and
 * middleware into the parent at the point of the call, prefixed; `basePath()` clones share one list.
 * A middleware then runs for a route when it comes earlier in that list and its pattern covers the
 * route's path, whichever app registered it (a sub-app's `use(mw)` becomes `/<prefix>/*` in the parent).
 */
export class HonoRouteComposer {
  private readonly classifier: HonoMiddlewareClassifier;
  private readonly out: RouteRecord[] = [];
  private readonly nullableUser: boolean;
  private readonly chainFiles: ChainFiles;
  private index = 0;

  constructor(
    private readonly ctx: AdapterContext,
    private readonly apps: HonoApps,
  ) {
    this.classifier = new HonoMiddlewareClassifier(ctx, apps);
    this.nullableUser = declaresNullableUser(ctx.project.files.mentioning('Variables'));
    this.chainFiles = new ChainFiles(ctx);
  }

  compose(all: HonoApp[]): RouteRecord[] {
    for (const app of all) for (const e of entriesOf(app)) if (e.kind === 'mount') this.childrenOf(e, true);
    for (const root of all) {
      if (root.mounted || root.template) continue;
      this.index = 0;
      this.walk(root, root, '', [], [], new Set());
    }
    return this.out;
  }

  /** The app a route() call mounts; for `[a, b].forEach((r) => app.route('/', r))`, each element in turn. */
  private childrenOf(entry: MountEntry, mark = false): HonoApp[] {
    const ref = this.apps.appOf(entry.child);
    const apps = ref ? [ref.app] : this.forEachElements(entry.child).flatMap((e) => this.apps.appOf(e)?.app ?? []);
    if (mark) for (const app of apps) app.mounted = true;
    return apps;
  }

  private forEachElements(child: ts.Expression): ts.Expression[] {
    const v = this.ctx.resolver.value(child);
    if (v.kind !== 'param' || v.path.length) return [];
    const fn = v.node.parent;
    if (fn.parameters[0] !== v.node || !ts.isCallExpression(fn.parent) || fn.parent.arguments[0] !== fn) return [];
    const callee = fn.parent.expression;
    if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'forEach') return [];
    const list = this.ctx.resolver.value(callee.expression);
    const arr = list.kind === 'node' ? unwrap(list.node) : undefined;
    if (!arr || !ts.isArrayLiteralExpression(arr) || arr.elements.some(ts.isSpreadElement)) return [];
    return [...arr.elements];
  }

  private walk(app: HonoApp, root: HonoApp, prefix: string, active: ActiveMiddleware[], mounts: HonoRegistration['mounts'], seen: Set<HonoApp>): void {
    if (seen.has(app)) return;
    seen.add(app);
    for (const entry of entriesOf(app)) {
      const base = entry.base === undefined ? DYNAMIC : entry.base;
      if (entry.kind === 'use') {
        // One path, or one per value of a loop over a literal list (`for (const path of ['/login', '/google'])`).
        const paths = entry.path ? staticStrings(entry.path, this.ctx.resolver) : ['*'];
        for (const path of paths ?? ['*']) {
          // A path the scan cannot read is still inside this app's prefix: a sub-app's middleware serves its own routes.
          const unreadable = paths === undefined || entry.base === undefined;
          const pattern = joinPaths(prefix, unreadable ? '' : base, unreadable ? '*' : path);
          const level: Guard['scope'] = prefix || base || (path !== '*' && path !== '/*') ? 'router' : 'global';
          for (const expr of entry.items) active.push({ expr, pattern, unreadable, level, site: entry.call });
        }
      } else if (entry.kind === 'mount') {
        const mountPath = staticString(entry.path, this.ctx.resolver) ?? this.assumedMountPath(entry) ?? DYNAMIC;
        const childPrefix = joinPaths(prefix, base, mountPath);
        for (const child of this.childrenOf(entry)) {
          if (!this.mountedInTime(entry, child)) continue;
          this.walk(child, root, childPrefix, active, [...mounts, { entry, parent: app, prefix: childPrefix }], seen);
        }
      } else this.addRoutes(entry, app, root, prefix, active, mounts);
    }
    seen.delete(app);
  }

  /** Notes on mount paths taken at their configuration default, by the route() call. */
  private readonly assumedMounts = new Map<ts.CallExpression, string>();

  /** `` app.route(`/api/${apiVersion}`, sub) `` with `apiVersion = process.env.API_VERSION || 'v1'`: the default, noted. */
  private assumedMountPath(entry: MountEntry): string | undefined {
    const assumed = defaultedString(entry.path, this.ctx.resolver, () => []);
    if (!assumed) return undefined;
    this.assumedMounts.set(entry.call, `the mount path is assumed to be ${JSON.stringify(assumed.value)}, the default of \`${assumed.from}\``);
    return assumed.value;
  }

  /** `route()` copies the sub-app's routes when it runs; a sub-app with nothing registered yet contributes nothing. */
  private mountedInTime(entry: MountEntry, child: HonoApp): boolean {
    const file = entry.call.getSourceFile();
    return entriesOf(child).some((e) => e.call.getSourceFile() !== file || e.call.getStart() < entry.call.getStart() || isInside(e.call, entry.call));
  }

  private addRoutes(entry: RouteEntry, app: HonoApp, root: HonoApp, prefix: string, active: ActiveMiddleware[], mounts: HonoRegistration['mounts']): void {
    const handlerExpr: ts.Expression = entry.builtin ? entry.call : entry.items[entry.items.length - 1];
    const routeLevel = entry.builtin ? [] : entry.items.slice(0, -1);
    const fn = entry.builtin ? undefined : resolveHandler(handlerExpr, this.ctx.resolver);
    const name = entry.builtin?.label ?? handlerName(handlerExpr, fn);
    const rootDir = this.ctx.project.root;
    const handlerLoc = locOf(fn ?? handlerExpr, rootDir);
    const authServer = fn && betterAuthHandlerCall(fn, this.ctx.resolver);
    const base = entry.base ?? DYNAMIC;
    for (const p of entry.paths ?? [DYNAMIC]) {
      const path = joinPaths(prefix, base, p);
      const links: ChainLink[] = [];
      const runs: ts.Expression[] = [...routeLevel];
      const sites: (ts.Node | ts.Node[] | undefined)[] = [entry.call, fn, ...placingSites(root, app, mounts), ...[entry, ...mounts.map((m) => m.entry)].flatMap((e) => basePathCalls(e.call, this.ctx.resolver))];
      for (const m of active) {
        if (!honoPatternCovers(m.pattern, path)) continue;
        runs.push(m.expr);
        sites.push(m.site);
        links.push(this.link(m.expr, m.level, m.unreadable, path, entry.methods ?? ['ALL']));
      }
      const chainFiles = this.chainFiles.of(sites, runs);
      for (const m of routeLevel) links.push(this.link(m, 'route', false, path, entry.methods ?? ['ALL']));
      const unresolved = [
        path.includes(DYNAMIC) ? 'the route path is computed at run time' : undefined,
        entry.methods ? undefined : 'the route method is computed at run time',
        entry.builtin?.kind === 'mount' ? `the mounted application ${entry.builtin.label} serves it and the scan does not read it` : undefined,
      ].filter((r): r is string => !!r);
      // Better Auth's own endpoints (sign-up, sign-in, get-session) are public by design: the auth
      // server checks credentials itself. A guard in front of them would lock everyone out.
      let auth = authServer && !links.some((l) => l.verdict === 'guard')
        ? { status: 'public' as const, guards: [], reason: `Better Auth's own endpoints (${snippet(authServer, 50)}): the auth server checks credentials itself` }
        : statusOfChain(links, unresolved);
      const assumed = [
        ...new Set([
          ...[entry, ...mounts.map((m) => m.entry)].flatMap((e) => basePathCalls(e.call, this.ctx.resolver)).flatMap((c) => this.apps.assumedBasePaths.get(c) ?? []),
          ...mounts.flatMap((m) => this.assumedMounts.get(m.entry.call) ?? []),
        ]),
      ];
      if (assumed.length) auth = { ...auth, reason: [auth.reason, ...assumed].filter(Boolean).join('; ') };
      for (const method of entry.methods ?? [DYNAMIC]) {
        const record: RouteRecord = {
          route: {
            id: routeId('hono', method, path, handlerLoc.file, name),
            framework: 'hono',
            method,
            path,
            loc: registrationLoc(entry.call, rootDir),
            handler: { name, loc: handlerLoc },
            auth,
            chainFiles,
          },
          handler: fn,
          requestSpec: fn ? honoRequestSpec(fn, this.ctx.project.config.principals, this.nullableUser) : undefined,
          anchor: entry.call,
        };
        honoRegistrationOf.set(record, { app, entry, prefix, mounts, index: this.index, root });
        this.out.push(record);
      }
      this.index++;
    }
  }

  private link(expr: ts.Expression, scope: Guard['scope'], patternUnreadable: boolean, path: string, methods: string[]): ChainLink {
    const v = this.classifier.classify(expr);
    if (v.verdict === 'guard') {
      if (patternUnreadable) return { verdict: 'unknown', reason: `${snippet(expr)} is registered on a path the scan cannot read` };
      if (v.except === 'dynamic') return { verdict: 'unknown', reason: `${snippet(expr)} is skipped by a condition the scan cannot read` };
      if (v.except?.some((pattern) => honoPatternsOverlap(pattern, path))) return { verdict: 'none' };
      // Hono's c.req.path is the whole path, whatever the app's mount: no mount to strip.
      const skipped = skipLink(isFunctionNode(unwrap(expr)) ? 'inline middleware' : snippet(expr), v.skips ?? [], { path, methods, config: undefined }, this.ctx.resolver);
      if (skipped) return skipped;
      // `verifySlackSignature`: a middleware named for the signature it checks is a sender check whatever its body.
      const sender = senderCheck(expr, v.verifiesSender);
      const guard: Guard = { name: snippet(expr), kind: 'middleware', scope, loc: locOf(expr, this.ctx.project.root), evidence: v.evidence, ...(sender ? { verifiesSender: sender } : {}) };
      return { verdict: 'guard', guard };
    }
    if (v.verdict === 'unknown') return { verdict: 'unknown', reason: v.reason };
    return notAGuard(snippet(expr), v.why);
  }
}

/**
 * What places a route and assembles its chain: each app from the root down (its creation, a factory's
 * app it inherits, every use() registered on it, one list per app) and the route() calls mounting one in the next.
 */
function placingSites(root: HonoApp, app: HonoApp, mounts: HonoRegistration['mounts']): (ts.Node | ts.Node[])[] {
  const apps = new Set([root, ...mounts.map((m) => m.parent), app]);
  return [...mounts.map((m) => m.entry.call), ...[...apps].map(appSites)];
}

const sitesOfApp = new WeakMap<HonoApp, ts.Node[]>();
function appSites(app: HonoApp): ts.Node[] {
  let sites = sitesOfApp.get(app);
  if (!sites) {
    sites = entriesOf(app).flatMap((e) => (e.kind === 'use' ? [e.call] : []));
    for (let x: HonoApp | undefined = app; x; x = x.inherits) sites.push(x.creation);
    sitesOfApp.set(app, sites);
  }
  return sites;
}

/**
 * The basePath() calls a registration's receiver goes through (`const v1 = app.basePath('/v1')` in another
 * file, then `v1.get(...)`): they set the prefix, so a guard's pattern may stop covering the route.
 */
function basePathCalls(call: ts.CallExpression, resolver: Resolver): ts.CallExpression[] {
  const out: ts.CallExpression[] = [];
  let receiver = ts.isPropertyAccessExpression(call.expression) ? call.expression.expression : undefined;
  for (let depth = 0; receiver && depth < 12; depth++) {
    const v = resolver.value(receiver);
    const node = v.kind === 'node' ? unwrap(v.node) : undefined;
    if (!node || !ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) break;
    if (node.expression.name.text === 'basePath') out.push(node);
    receiver = node.expression.expression;
  }
  return out;
}

/** A chained registration (`new Hono().get(...).post(...)`) starts at its method name, not at the chain's start. */
function registrationLoc(call: ts.CallExpression, root: string): SourceLoc {
  const whole = locOf(call, root);
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee) || !ts.isCallExpression(unwrap(callee.expression))) return whole;
  const sf = call.getSourceFile();
  const start = sf.getLineAndCharacterOfPosition(callee.name.getStart(sf));
  return { ...whole, line: start.line + 1, column: start.character + 1 };
}

function isInside(node: ts.Node, container: ts.Node): boolean {
  return node.getStart() >= container.getStart() && node.getEnd() <= container.getEnd() && node.getSourceFile() === container.getSourceFile();
}

