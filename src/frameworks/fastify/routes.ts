import { ts } from 'ts-morph';
import type { Guard } from '../../model/types.js';
import { locOf, snippet } from '../../syntax/loc.js';
import { isFunctionNode } from '../../syntax/functions.js';
import { unwrap, type Resolver } from '../../syntax/resolve.js';
import type { AdapterContext, RouteRecord } from '../adapter.js';
import { joinPaths, notAGuard, routeId, statusOfChain, type ChainLink } from '../chain.js';
import { ChainFiles } from '../chain-files.js';
import { handlerName, resolveHandler } from '../express/handler.js';
import { GUARD_HOOKS, property, type FastifyContext, type RouteEntry } from './contexts.js';
import { jwtVerifyIn, type FastifyGuardClassifier, type Verdict } from './guards.js';
import { callsVerifier } from '../../analysis/lazy-auth.js';
import type { RouteFacts } from '../../analysis/hook-skips.js';
import { skipLink } from '../skip-links.js';
import { fastifyRequestSpec } from './request-spec.js';

const DYNAMIC = '<dynamic>';

/** Where each Fastify route was registered, so fixes can edit its options or its plugin. */
export const fastifyRegistrationOf = new WeakMap<RouteRecord, RouteEntry>();

/** Turns every route of every context into a RouteRecord with the hooks that run before its handler. */
export function composeFastifyRoutes(ctx: AdapterContext, roots: FastifyContext[], classifier: FastifyGuardClassifier): RouteRecord[] {
  const out: RouteRecord[] = [];
  const files = new ChainFiles(ctx);
  const visit = (c: FastifyContext): void => {
    for (const entry of c.routes) out.push(...recordsOf(ctx, entry, classifier, files));
    c.children.forEach(visit);
  };
  roots.forEach(visit);
  return dedupe(out);
}

/**
 * A test helper that builds a second root around the same plugin (`const app = Fastify(); app.register(server)`)
 * yields the same routes again; identical records (same registration, path and verdict) are one route.
 */
function dedupe(records: RouteRecord[]): RouteRecord[] {
  const seen = new Set<string>();
  return records.filter((r) => {
    const { route } = r;
    const key = JSON.stringify([route.id, route.loc, route.auth]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function recordsOf(actx: AdapterContext, entry: RouteEntry, classifier: FastifyGuardClassifier, files: ChainFiles): RouteRecord[] {
  const root = actx.project.root;
  const chain: FastifyContext[] = [];
  for (let c: FastifyContext | undefined = entry.ctx; c; c = c.parent) chain.unshift(c);

  const links: ChainLink[] = [];
  const unresolved: string[] = [];
  const fullPath = joinPaths(entry.ctx.prefix, entry.path ?? DYNAMIC);
  const facts: RouteFacts = { path: fullPath, methods: entry.methods, config: routeConfig(entry, actx.resolver) };
  const link = (v: Verdict, expr: ts.Expression, scope: Guard['scope']) => linkOf(v, expr, scope, root, facts, actx.resolver);
  for (const c of chain) {
    if (c.orphan) unresolved.push(c.orphan);
    for (const reason of c.unknowns) links.push({ verdict: 'unknown', reason });
    const scope: Guard['scope'] = !c.parent && c.creation ? 'global' : 'plugin';
    for (const hook of c.hooks) {
      const verdict = hook.evidence
        ? { verdict: 'guard' as const, evidence: hook.evidence }
        : hook.fn
          ? classifier.classifyFunction(hook.fn, hook.addedIn)
          : classifier.classify(hook.expr, hook.addedIn);
      links.push(link(verdict, hook.expr, scope));
    }
  }
  links.push(...routeLevel(entry, classifier, link));

  const fn = entry.handlerMethod?.fn ?? (entry.handler ? resolveHandler(entry.handler, actx.resolver) : undefined);
  if (fn) {
    const inline = jwtVerifyIn(fn);
    if (inline?.refuses) {
      links.push({ verdict: 'guard', guard: { name: 'request.jwtVerify()', kind: 'inline', scope: 'route', loc: locOf(fn, root), evidence: inline.evidence } });
    }
    // Lazy authentication: the handler calls a verifier a hook of its chain attached.
    const lazy = chain.flatMap((c) => c.hooks.flatMap((h) => lazyOf(classifier.classify(h.expr, h.addedIn))));
    const call = callsVerifier(fn, lazy);
    if (call) {
      links.push({ verdict: 'guard', guard: { name: call, kind: 'inline', scope: 'route', loc: locOf(fn, root), evidence: `calls ${call}, which a hook attached and which refuses without valid credentials` } });
    }
  }
  if (!entry.handler && !entry.handlerMethod) unresolved.push('the route has no handler the scan can read');
  if (entry.path === undefined || entry.path.includes(DYNAMIC)) unresolved.push('the route path is computed at run time');
  if (entry.methods.includes(DYNAMIC)) unresolved.push('the route method is computed at run time');

  const decorated = new Set<string>();
  for (const c of chain) for (const key of c.decorations.keys()) if (key.startsWith('request.')) decorated.add(key.slice('request.'.length));
  const name = entry.handlerMethod?.name ?? (entry.handler ? handlerName(entry.handler, fn) : undefined);
  const handlerLoc = locOf(fn ?? entry.handler ?? entry.call, root);
  const chainFiles = files.of([entry.call, entry.site, fn, ...chain.map(placingSites)], [...chain.flatMap((c) => c.hooks.map((h) => h.expr)), ...routeHookValues(entry), ...decorationsUsed(chain, entry)]);
  return entry.methods.map((method) => {
    const record: RouteRecord = {
      route: {
        id: routeId('fastify', method, fullPath, handlerLoc.file, name),
        framework: 'fastify',
        method,
        path: fullPath,
        loc: locOf(entry.site ?? entry.call, root),
        handler: { name, loc: handlerLoc },
        auth: statusOfChain(links, unresolved),
        chainFiles,
      },
      handler: fn,
      requestSpec: fn ? fastifyRequestSpec(fn, actx.project.config.principals, decorated) : undefined,
      anchor: entry.call,
    };
    fastifyRegistrationOf.set(record, entry);
    return record;
  });
}

function lazyOf(v: Verdict): string[] {
  return v.verdict === 'none' ? (v.lazy ?? []) : [];
}

/** What creates a context and adds to its chain: the root, the plugin and its register call, shared plugins, every hook. */
const sitesOfContext = new WeakMap<FastifyContext, ts.Node[]>();
function placingSites(c: FastifyContext): ts.Node[] {
  let sites = sitesOfContext.get(c);
  if (!sites) {
    sites = [c.creation, c.plugin, c.registerCall, ...c.sharedPlugins, ...c.hooks.map((h) => h.call)].filter((n): n is ts.Node => n !== undefined);
    sitesOfContext.set(c, sites);
  }
  return sites;
}

/** The values of the route's own hook options (`onRequest: [fastify.authenticate]`), read or not. */
function routeHookValues(entry: RouteEntry): ts.Expression[] {
  if (!entry.options) return [];
  return entry.options.properties.flatMap((p) => {
    const key = p.name && (ts.isIdentifier(p.name) || ts.isStringLiteralLike(p.name)) ? p.name.text : undefined;
    if (!key || !GUARD_HOOKS.has(key)) return [];
    return ts.isPropertyAssignment(p) ? [p.initializer] : ts.isShorthandPropertyAssignment(p) ? [p.name] : [];
  });
}

/**
 * Decorations of the route's contexts that its hooks name (`fastify.authenticate` → the
 * `decorate('authenticate', fn)` call and fn), since the decorated function is the guard.
 */
function decorationsUsed(chain: FastifyContext[], entry: RouteEntry): ts.Node[] {
  const names = new Set<string>();
  const collect = (n: ts.Node): void => {
    if (ts.isPropertyAccessExpression(n)) names.add(n.name.text);
    ts.forEachChild(n, collect);
  };
  for (const c of chain) for (const h of c.hooks) collect(h.expr);
  for (const v of routeHookValues(entry)) collect(v);
  const out: ts.Node[] = [];
  for (const c of chain) {
    for (const [name, d] of c.decorations) {
      if (names.has(name)) out.push(...(d.call ? [d.call] : []), d.value);
    }
  }
  return out;
}

/** Hooks in the route's own options: onRequest, preParsing, preValidation, preHandler. */
function routeLevel(entry: RouteEntry, classifier: FastifyGuardClassifier, link: (v: Verdict, expr: ts.Expression, scope: Guard['scope']) => ChainLink): ChainLink[] {
  if (entry.optionsExpr) return [{ verdict: 'unknown', reason: `the route options ${snippet(entry.optionsExpr)} cannot be read` }];
  if (!entry.options) return [];
  const links: ChainLink[] = [];
  const visit = (obj: ts.ObjectLiteralExpression, depth: number): void => {
    for (const p of obj.properties) {
      if (ts.isSpreadAssignment(p)) {
        const inner = unwrap(p.expression);
        if (ts.isObjectLiteralExpression(inner) && depth < 4) visit(inner, depth + 1);
        else links.push({ verdict: 'unknown', reason: `the route options spread ${snippet(p.expression)}, which may add hooks` });
        continue;
      }
      const key = p.name && (ts.isIdentifier(p.name) || ts.isStringLiteralLike(p.name)) ? p.name.text : undefined;
      if (!key || !GUARD_HOOKS.has(key)) continue;
      const value = ts.isPropertyAssignment(p) ? p.initializer : ts.isShorthandPropertyAssignment(p) ? p.name : undefined;
      if (!value) continue;
      links.push(link(classifier.classify(value, entry.ctx), value, 'route'));
    }
  };
  visit(entry.options, 0);
  return links;
}

function linkOf(v: Verdict, expr: ts.Expression, scope: Guard['scope'], root: string, facts: RouteFacts, resolver: Resolver): ChainLink {
  if (v.verdict === 'guard') {
    // A guard that lets this route's requests through under some condition does not protect it.
    const skipped = skipLink(isFunctionNode(unwrap(expr)) ? 'inline hook' : snippet(expr), v.skips ?? [], facts, resolver);
    if (skipped) return skipped;
    return { verdict: 'guard', guard: { name: snippet(expr), kind: 'hook', scope, loc: locOf(expr, root), evidence: v.evidence } };
  }
  if (v.verdict === 'unknown') return { verdict: 'unknown', reason: v.reason };
  return notAGuard(snippet(expr), v.why);
}

/** The route's `config` option (read by hooks for per-route opt-outs), as an object literal when it is one. */
function routeConfig(entry: RouteEntry, resolver: Resolver): RouteFacts['config'] {
  if (entry.optionsExpr) return 'unreadable';
  if (!entry.options) return undefined;
  if (entry.options.properties.some(ts.isSpreadAssignment)) return 'unreadable';
  const value = property(entry.options, 'config');
  if (!value) return undefined;
  const u = unwrap(value);
  if (ts.isObjectLiteralExpression(u)) return u;
  const v = resolver.value(u);
  return v.kind === 'node' && ts.isObjectLiteralExpression(unwrap(v.node)) ? (unwrap(v.node) as ts.ObjectLiteralExpression) : 'unreadable';
}
