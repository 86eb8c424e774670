import { isInputValidation, VALIDATION_NOT_GUARD } from '../chain.js';
import { ts } from 'ts-morph';
import { findHookSkips, type HookSkip } from '../../analysis/hook-skips.js';
import { refusesOnlyForOtherReasons } from '../../analysis/non-identity-refusal.js';
import { callsIn, continuesWith, findCredentialRefusal, findRefusal } from '../../analysis/guard-evidence.js';
import { passesWithoutCredentials, deploymentSwitch, neverRefuses } from '../../analysis/optional-auth.js';
import { isFunctionNode, returnedExpressions, type FunctionNode } from '../../syntax/functions.js';
import { snippet } from '../../syntax/loc.js';
import { unwrap, type Value } from '../../syntax/resolve.js';
import { staticStrings } from '../../syntax/strings.js';
import type { AdapterContext } from '../adapter.js';
import { matchesGuardSpec } from '../configured-guards.js';
import { AUTH_SOUNDING, namedForOtherConcern } from '../express/known-middleware.js';
import { senderCheckIn } from '../../analysis/handler-signals.js';
import type { HonoApps } from './apps.js';
import { knownHonoMiddleware } from './known-middleware.js';

export type Verdict =
  | {
      verdict: 'guard';
      evidence: string;
      /** Conditions on the request's path or method under which the middleware lets the request through. */
      skips?: HookSkip[];
      /** hono/combine except(paths, guard): the guard is skipped for requests matching these patterns; 'dynamic' when a function decides. */
      except?: string[] | 'dynamic';
      /** The middleware checks a webhook's signature, not a user (see Guard.verifiesSender). */
      verifiesSender?: string;
    }
  | { verdict: 'none'; why: string }
  | { verdict: 'unknown'; reason: string };

/**
 * Decides whether one Hono middleware refuses unauthenticated requests, in order of strength:
 * configured guards, known libraries (hono/jwt, bearerAuth, basicAuth, ...), compositions
 * (createMiddleware, hono/combine every/some/except), then evidence in its body: it answers 401/403
 * (`c.json(..., 401)`, `throw new HTTPException(401)`) on some path and `await next()` on another.
 */
export class HonoMiddlewareClassifier {
  private readonly byFunction = new Map<ts.Node, Verdict>();

  constructor(
    private readonly ctx: AdapterContext,
    private readonly apps: HonoApps,
  ) {}

  classify(expr: ts.Expression, depth = 0): Verdict {
    const { config } = this.ctx.project;
    if (matchesGuardSpec(this.ctx, expr, config.guards)) return { verdict: 'guard', evidence: 'named as a guard in the config' };
    if (matchesGuardSpec(this.ctx, expr, config.notGuards)) return { verdict: 'none', why: 'named in the config as not a guard' };
    const e = unwrap(expr);
    const verdict = this.classifyShape(e, depth);
    // `applyRateLimit(loginRateLimitConfig)`: a step the scan cannot read, named for another concern.
    return verdict.verdict === 'unknown' ? (namedForOtherConcern(e, verdict.reason) ?? verdict) : verdict;
  }

  private classifyShape(e: ts.Node, depth: number): Verdict {
    if (ts.isSpreadElement(e)) return { verdict: 'unknown', reason: `cannot see the middleware in ${snippet(e)}` };
    if (ts.isCallExpression(e)) return this.classifyCall(e, depth);
    return this.classifyValue(this.ctx.resolver.value(e as ts.Expression), e, depth);
  }

  private classifyCall(call: ts.CallExpression, depth: number): Verdict {
    const verdict = this.followCall(call, depth);
    return verdict.verdict === 'unknown' && isInputValidation(call) ? VALIDATION_NOT_GUARD : verdict;
  }

  private followCall(call: ts.CallExpression, depth: number): Verdict {
    if (depth > 6) return { verdict: 'unknown', reason: `${snippet(call)} nests too deeply to follow` };
    const callee = this.ctx.resolver.value(call.expression);
    if (callee.kind === 'external') return this.classifyExternal(callee.pkg, callee.path, call, depth);
    // factory.createMiddleware(fn) with factory = createFactory()
    const c = unwrap(call.expression);
    if (ts.isPropertyAccessExpression(c) && c.name.text === 'createMiddleware' && this.apps.isFactory(c.expression)) {
      return this.wrapped(call, depth);
    }
    if (callee.kind === 'node' && isFunctionNode(callee.node)) {
      // A factory of the project: requireRole('admin') returns the middleware.
      const verdicts = returnedExpressions(callee.node).map((r) => this.classifyValue(this.ctx.resolver.value(r), r, depth + 1));
      return (
        verdicts.find((v) => v.verdict === 'guard') ??
        verdicts.find((v) => v.verdict === 'unknown') ??
        verdicts[0] ?? { verdict: 'unknown', reason: `cannot see what ${snippet(call.expression)}() returns` }
      );
    }
    if (callee.kind === 'unknown') return { verdict: 'unknown', reason: `${snippet(call)}: ${callee.reason}` };
    return { verdict: 'unknown', reason: `cannot follow ${snippet(call)}` };
  }

  private classifyValue(value: Value, at: ts.Node, depth: number): Verdict {
    switch (value.kind) {
      case 'external':
        return this.classifyExternal(value.pkg, value.path, undefined, depth);
      case 'param': {
        // `createApiV1Route(authMiddleware = apiKeyAuthMiddleware)`: what the app gets when its builder is called
        // without one, as apps are served; a caller passing another (a test's stub) is not followed.
        const fallback = value.path.length === 0 ? value.node.initializer : undefined;
        const judged = fallback && depth < 6 ? this.classify(fallback, depth + 1) : undefined;
        if (judged?.verdict === 'guard') return { ...judged, evidence: `${judged.evidence} (the default of parameter \`${snippet(value.node.name)}\`)` };
        if (judged) return judged;
        return { verdict: 'unknown', reason: `${snippet(at)} is passed in as a parameter` };
      }
      case 'unknown':
        return { verdict: 'unknown', reason: `${snippet(at)}: ${value.reason}` };
      case 'module':
      case 'instance':
        return { verdict: 'unknown', reason: `${snippet(at)} is not a function` };
      case 'node': {
        const node = unwrap(value.node);
        if (isFunctionNode(node)) return this.classifyFunction(node);
        if (ts.isCallExpression(node)) return this.classifyCall(node, depth + 1);
        return { verdict: 'unknown', reason: `cannot tell what ${snippet(at)} is` };
      }
    }
  }

  private classifyExternal(pkg: string, path: string[], call: ts.CallExpression | undefined, depth: number): Verdict {
    const member = path.join('.');
    if (pkg === 'hono' && call) {
      if (member === 'factory.createMiddleware') return this.wrapped(call, depth);
      if (member === 'combine.every') return this.every(call.arguments, depth);
      if (member === 'combine.some') return this.some(call, depth);
      if (member === 'combine.except') return this.except(call, depth);
    }
    const known = knownHonoMiddleware(pkg, path, call);
    if (known?.guard) return { verdict: 'guard', evidence: known.evidence };
    if (known) return { verdict: 'none', why: known.why };
    const name = [pkg, ...path].join('.');
    if (AUTH_SOUNDING.test(name)) {
      return { verdict: 'unknown', reason: `${name} comes from a package the scan cannot read; name it in the config's guards or notGuards` };
    }
    return { verdict: 'none', why: `${name} is not an authentication library` };
  }

  /** createMiddleware(async (c, next) => ...): the function it wraps decides. */
  private wrapped(call: ts.CallExpression, depth: number): Verdict {
    const fn = call.arguments[0];
    if (!fn) return { verdict: 'unknown', reason: `${snippet(call)} has no middleware function` };
    return this.classify(fn, depth + 1);
  }

  /** every(a, b): all run in order, so one guard among them refuses. */
  private every(args: readonly ts.Expression[], depth: number): Verdict {
    const parts = args.map((a) => this.classify(a, depth + 1));
    const guard = parts.find((p) => p.verdict === 'guard');
    if (guard) return { verdict: 'guard', evidence: `every(...) runs ${guard.evidence}` };
    return parts.find((p) => p.verdict === 'unknown') ?? { verdict: 'none', why: 'no guard among every(...)' };
  }

  /** some(a, b): the first that succeeds wins, so it refuses only if every alternative is a guard. */
  private some(call: ts.CallExpression, depth: number): Verdict {
    const parts = call.arguments.map((a) => this.classify(a, depth + 1));
    const open = parts.findIndex((p) => p.verdict === 'none');
    if (open >= 0) return { verdict: 'none', why: `some(...) lets requests through ${snippet(call.arguments[open])}, which does not authenticate` };
    const unknown = parts.find((p) => p.verdict === 'unknown');
    if (unknown) return unknown;
    if (!parts.length) return { verdict: 'none', why: 'some() with no alternatives' };
    return { verdict: 'guard', evidence: `every alternative of some(...) authenticates` };
  }

  /** except(condition, ...middleware): the middleware is skipped where the condition matches. */
  private except(call: ts.CallExpression, depth: number): Verdict {
    const [condition, ...rest] = call.arguments;
    if (!condition) return { verdict: 'none', why: 'except() without a condition' };
    const inner = this.every(rest, depth);
    if (inner.verdict !== 'guard') return inner;
    const patterns = staticStrings(condition, this.ctx.resolver);
    return { verdict: 'guard', evidence: `except(${snippet(condition)}, ...) ${inner.evidence}`, except: patterns ?? 'dynamic' };
  }

  classifyFunction(fn: FunctionNode, depth = 0): Verdict {
    const cached = this.byFunction.get(fn);
    if (cached) return cached;
    const verdict = this.evidenceIn(fn, depth);
    this.byFunction.set(fn, verdict);
    return verdict;
  }

  /** Refuses on some path and calls next() on another; or delegates to a known guard or a refusing helper. */
  private evidenceIn(fn: FunctionNode, depth: number): Verdict {
    const next = continuesWith(fn, 1);
    // A guard, however it refuses, that lets some paths through first (`if (path.startsWith('/api/mcp')) return next()`).
    const withSkips = (v: Verdict): Verdict => {
      const { skips } = findHookSkips(fn, 1);
      return v.verdict === 'guard' && skips.length ? { ...v, skips } : v;
    };
    const refusal = findRefusal(fn.body ?? fn) ?? findCredentialRefusal(fn.body ?? fn);
    const optional = next ? passesWithoutCredentials(fn, 1) : undefined;
    if (optional) return { verdict: 'none', why: `lets requests without credentials through (\`if (${optional}) ... next()\`): optional authentication` };
    if (refusal && next) {
      const gate = deploymentSwitch(fn, 1, refusal.evidence, this.ctx.resolver);
      if (gate && 'unknown' in gate) return { verdict: 'unknown', reason: gate.unknown };
      const offNote = gate ? `; ${gate.off}` : '';
      const other = refusesOnlyForOtherReasons(fn);
      if (other) return { verdict: 'none', why: `${other}: a check of something other than who the caller is` };
      // `if (!verifySlackSignature(...)) return c.json(..., 401)`: a webhook's sender, not a user.
      const sender = senderCheckIn(fn);
      return withSkips({ verdict: 'guard', evidence: `${refusal.evidence}, otherwise ${next}${offNote}`, ...(sender ? { verifiesSender: snippet(sender, 50) } : {}) });
    }
    for (const call of callsIn(fn)) {
      const callee = this.ctx.resolver.value(call.expression);
      if (callee.kind === 'external') {
        // return jwt({ secret: c.env.JWT_SECRET })(c, next)
        const known = knownHonoMiddleware(callee.pkg, callee.path, call);
        if (known?.guard && ts.isCallExpression(call.parent) && call.parent.expression === call) {
          return withSkips({ verdict: 'guard', evidence: `delegates to ${known.evidence}` });
        }
      } else if (callee.kind === 'node' && ts.isCallExpression(callee.node) && call.arguments.length >= 2) {
        // const verifier = jwt({ secret, cookie: 'auth' }); return verifier(c, next)
        const factory = this.ctx.resolver.value(callee.node.expression);
        const known = factory.kind === 'external' ? knownHonoMiddleware(factory.pkg, factory.path, callee.node) : undefined;
        if (known?.guard) return withSkips({ verdict: 'guard', evidence: `delegates to ${known.evidence}` });
      } else if (callee.kind === 'node' && isFunctionNode(callee.node) && callee.node !== fn && depth < 1) {
        const inner = findRefusal(callee.node.body ?? callee.node);
        const innerNext = next ?? continuesWith(callee.node, 1);
        if (inner && innerNext) return withSkips({ verdict: 'guard', evidence: `${snippet(call.expression)}() ${inner.evidence}` });
      }
    }
    if (refusal) return { verdict: 'none', why: `${refusal.evidence} but never passes the request on` };
    return neverRefuses(fn, this.ctx.resolver);
  }
}

