import crypto from 'node:crypto';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig, matchPublicRoute } from '../config/index.js';
import { resolveRoot } from '../discover/files.js';
import { loadProject, projectDiagnostics, type ScanProject, type SliceInput } from '../discover/project.js';
import type { AdapterContext, FrameworkAdapter, RouteRecord } from '../frameworks/adapter.js';
import { adapters } from '../frameworks/index.js';
import type { Config } from '../model/config.js';
import type { HandlerFacts } from '../model/facts.js';
import type { AuthStrategy, ScanOptions } from '../model/options.js';
import type { RawFinding, Rule } from '../model/rule.js';
import type { Diagnostic, Finding, Fix, Route, ScanResult } from '../model/types.js';
import { Resolver } from '../syntax/resolve.js';
import { allRules } from '../../rules/index.js';
import { handlerFacts } from './facts.js';
import { flowOwnCheck, isSignInStep, settleClaims } from '../analysis/route-claims.js';
import { noRoutesFinding } from './no-routes.js';
import { unreachedControllers } from './unreached-controllers.js';
import { publicComment, suppressionsIn } from './declarations.js';
import { byLocation, byLocationThenRule } from '../model/order.js';

export interface InternalScanOptions extends ScanOptions {
  authStrategy?: AuthStrategy;
  /** Nest: register the generated guard as APP_GUARD instead of per controller. */
  nestGlobalGuard?: boolean;
  /**
   * A slice scan (see src/cache/slice.ts): route composition starts from the slice's files only, other
   * files are parsed when reached. Its results hold for the routes the slice was planned for.
   */
  slice?: SliceInput;
}

/** Everything one scan learns; `result` is the public, serialisable part. */
export interface ScanRun {
  result: ScanResult;
  project: ScanProject;
  records: RouteRecord[];
  /** Expressions the resolver followed: work that must grow with the project, not with its paths. */
  work: number;
}

export function runScan(opts: InternalScanOptions): ScanRun {
  const started = performance.now();
  const { root, paths } = resolveRoot(opts.paths, opts.cwd);
  const config = loadConfig(root, opts.configPath ? path.resolve(opts.cwd, opts.configPath) : undefined, {
    knownRules: allRules.map((r) => r.id),
  });
  if (opts.missingAuth) config.missingAuth = opts.missingAuth;
  const project = loadProject(root, paths, config, opts.slice);
  const ctx: AdapterContext = { project, resolver: new Resolver(project.modules, project.files) };
  const diagnostics: Diagnostic[] = [];

  const active = adapters.filter((a) => a.detect(ctx));
  if (!active.length) {
    diagnostics.push({ level: 'info', code: 'no-framework', message: 'no Express, Fastify, NestJS or Hono application found' });
  }
  const byAdapter = new Map<FrameworkAdapter, RouteRecord[]>();
  for (const adapter of active) {
    try {
      byAdapter.set(adapter, adapter.routes(ctx));
    } catch (err) {
      // One line for the user, with the first frame so a bug report can point at the code.
      const error = err as Error;
      const frame = error.stack?.split('\n').find((l) => l.trim().startsWith('at '))?.trim();
      diagnostics.push({
        level: 'error',
        code: 'adapter-failed',
        message: `${adapter.name} adapter failed, its routes are missing: ${error.message}${frame ? ` (${frame})` : ''}; please report this`,
      });
    }
  }
  const records = [...byAdapter.values()].flat();
  // A Nest app also depends on express: only a scan that found nothing at all is suspicious.
  const noRoutes = !records.length && byAdapter.size ? noRoutesFinding([...byAdapter.keys()].map((a) => a.name), project.packages) : undefined;
  const facts = handlerFacts(ctx, records, diagnostics);
  for (const r of records) settleStatus(r, facts.get(r), config);
  settleClaims(records.map((r) => ({ route: r.route, facts: facts.get(r) })), { inferPublic: config.missingAuth !== 'strict', config });

  const rules = allRules.filter((r) => config.rules[r.id] !== 'off');
  const authFixes = planAuthFixes(ctx, byAdapter, rules, opts);
  // Project-wide: a slice keeps the full scan's finding (src/cache/slice.ts merges route-less findings by file).
  const unreached = records.length && !opts.slice ? unreachedControllers(project.files, records.map((r) => r.route), root) : undefined;
  const raw: Finding[] = config.rules['unresolved-auth'] === 'off' ? [] : [noRoutes, unreached].filter((f): f is Finding => f !== undefined);
  for (const record of records) {
    for (const rule of rules) {
      const fix = authFixes.get(record.route.id);
      for (const f of rule.check({ route: record.route, facts: facts.get(record), config, authFix: fix?.fix })) {
        raw.push(complete(rule, f, record.route, config, rule.id === 'missing-auth' ? fix?.notFixableReason : undefined));
      }
    }
  }
  const { findings, suppressed } = applySuppressions(raw, project, root);
  diagnostics.unshift(...projectDiagnostics(project));
  const routes = records.map((r) => r.route).sort(byLocation);
  findings.sort(byLocationThenRule);
  return {
    project,
    records,
    work: ctx.resolver.visits,
    result: {
      root,
      routes,
      findings,
      suppressed,
      diagnostics,
      frameworks: active.map((a) => a.name),
      summary: {
        files: project.files.count(),
        routes: routes.length,
        errors: findings.filter((f) => f.severity === 'error').length,
        warnings: findings.filter((f) => f.severity === 'warning').length,
        durationMs: Math.round(performance.now() - started),
      },
    },
  };
}

/** Inline checks in the handler protect it; a declaration makes an unguarded route public (a guard still wins). */
function settleStatus(record: RouteRecord, facts: HandlerFacts | undefined, config: Config): void {
  const { route } = record;
  const inline = facts?.inlineAuth;
  // Strict mode infers nothing: such a route stays protected by its check.
  const ownFlow = inline && config.missingAuth !== 'strict' ? flowOwnCheck(route, facts) : undefined;
  if (route.auth.status !== 'protected' && inline?.admits) {
    // The handler checks access itself and lets anyone through to the records it serves openly; whatever runs before
    // it, a caller without credentials reaches only those.
    // Strict mode infers nothing: the route stays unprotected, with the same reason, unless it is declared public.
    const message = `the handler refuses callers without access, except when \`${inline.admits}\`: ${inline.evidence}`;
    const evidence = [{ kind: 'public-content' as const, message, file: inline.loc.file, line: inline.loc.line }];
    if (config.missingAuth !== 'strict') {
      route.auth = { status: 'public', guards: [], reason: `public by design: ${message}`, evidence };
      return;
    }
    route.auth = { status: 'unprotected', guards: [], reason: message };
  } else if (route.auth.status !== 'protected' && inline && ownFlow) {
    // A webhook checking its sender, a sign-in step checking what it signs in with: public by design.
    route.auth = { status: 'public', guards: [], reason: `public by design: ${ownFlow.message}`, evidence: [ownFlow] };
    return;
  } else if (route.auth.status !== 'protected' && inline && !(inline.redirectsOnVerdict && isSignInStep(route.path))) {
    // (A sign-in step, `/login/2fa`, that sends the browser back to the login page on a helper's verdict over the
    // flow's own state, a pending sign-in, is part of signing in, not a check of a signed-in caller.)
    route.auth = {
      status: 'protected',
      guards: [{ name: 'inline check', kind: 'inline', scope: 'route', loc: inline.loc, evidence: inline.evidence }],
    };
  }
  if (route.auth.status === 'protected') return;
  const declared = matchPublicRoute(config, route.method, route.path);
  if (declared) {
    route.auth = { status: 'public', guards: [], reason: `declared public in config: ${declared.reason}` };
    return;
  }
  const comment = publicComment(record.anchor);
  if (comment !== undefined) {
    route.auth = { status: 'public', guards: [], reason: comment ? `declared public: ${comment}` : 'declared public (no reason given)' };
  }
}

function planAuthFixes(
  ctx: AdapterContext,
  byAdapter: Map<FrameworkAdapter, RouteRecord[]>,
  rules: Rule[],
  opts: InternalScanOptions,
): Map<string, { fix?: Fix; notFixableReason?: string }> {
  const out = new Map<string, { fix?: Fix; notFixableReason?: string }>();
  if (!rules.some((r) => r.id === 'missing-auth')) return out;
  for (const [adapter, all] of byAdapter) {
    const flagged = all.filter((r) => r.route.auth.status === 'unprotected');
    if (!flagged.length) continue;
    for (const [id, planned] of adapter.planAuthFixes(ctx, { flagged, all, strategy: opts.authStrategy, nestGlobalGuard: opts.nestGlobalGuard })) {
      out.set(id, planned);
    }
  }
  return out;
}

function complete(rule: Rule, raw: RawFinding, route: Route, config: Config, notFixable?: string): Finding {
  const configured = config.rules[rule.id];
  const severity = configured === 'error' || configured === 'warning' ? configured : (raw.severity ?? rule.defaultSeverity);
  const { fingerprintKey, ...rest } = raw;
  const finding: Finding = {
    ...rest,
    ruleId: rule.id,
    severity,
    fingerprint: fingerprint(rule.id, route, fingerprintKey),
  };
  if (!finding.fix && notFixable && !finding.notFixableReason) finding.notFixableReason = notFixable;
  return finding;
}

/** Stable under line moves, unrelated edits and renamed path parameters: rule, method, full path, handler identity and a per-finding key. */
export function fingerprint(ruleId: string, route: Route, key = ''): string {
  // Parameter names are not identity: renaming `:article` to `:slug` is the same route.
  const path = route.path.replace(/:[^/]+/g, ':').replace(/\{[^/}]+\}/g, ':');
  const identity = [ruleId, route.method, path, route.handler.name ?? '', key].join('\0');
  return crypto.createHash('sha256').update(identity).digest('hex').slice(0, 16);
}

/**
 * `// auth-enforcer-disable-next-line <rule> -- <reason>` silences the named rule on the next line. A
 * suppression without a reason silences nothing and is reported itself.
 */
function applySuppressions(raw: Finding[], project: ScanProject, root: string): { findings: Finding[]; suppressed: Finding[] } {
  const findings: Finding[] = [];
  const suppressed: Finding[] = [];
  const reported = new Set<string>();
  for (const f of raw) {
    const sf = project.files.get(path.join(root, f.loc.file));
    const s = sf ? suppressionsIn(sf).get(f.loc.line) : undefined;
    const applies = s && (s.rules.length === 0 || s.rules.includes(f.ruleId));
    if (!s || !applies) {
      findings.push(f);
      continue;
    }
    if (s.reason) {
      suppressed.push(f);
      continue;
    }
    findings.push(f);
    const key = `${f.loc.file}:${s.line}`;
    if (reported.has(key)) continue;
    reported.add(key);
    findings.push({
      ruleId: 'suppression-without-reason',
      messageId: 'missing-reason',
      severity: 'error',
      message: `suppression of ${s.rules.join(', ') || 'all rules'} gives no reason; write \`-- <reason>\` after the rule`,
      loc: { file: f.loc.file, line: s.line, column: 1, endLine: s.line, endColumn: 1 },
      fingerprint: crypto.createHash('sha256').update(`suppression\0${f.fingerprint}`).digest('hex').slice(0, 16),
    });
  }
  return { findings, suppressed };
}
