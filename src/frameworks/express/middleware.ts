import { isInputValidation, VALIDATION_NOT_GUARD } from '../chain.js';
import { ts } from 'ts-morph';
import { refusalsOffAt } from '../../analysis/factory-flags.js';
import { signInStrategy } from '../../analysis/sign-in-strategies.js';
import { senderCheckIn } from '../../analysis/handler-signals.js';
import { refusesOnlyForOtherReasons } from '../../analysis/non-identity-refusal.js';
import { callsIn, continuesWith, findCredentialRefusal, findRefusal, findHelperStatusRefusal } from '../../analysis/guard-evidence.js';
import { passesWithoutCredentials, deploymentSwitch, neverRefuses } from '../../analysis/optional-auth.js';
import { findHookSkips, type HookSkip } from '../../analysis/hook-skips.js';
import { isFunctionNode, returnedExpressions, type FunctionNode } from '../../syntax/functions.js';
import { snippet } from '../../syntax/loc.js';
import { findDeclaration } from '../../syntax/scope.js';
import { unwrap, type Value } from '../../syntax/resolve.js';
import type { AdapterContext } from '../adapter.js';
import { matchesGuardSpec } from '../configured-guards.js';
import { AUTH_SOUNDING, knownExpressMiddleware, namedForOtherConcern } from './known-middleware.js';

export type Verdict =
  /** `skips`: conditions on the request's path or method under which the guard lets the request through. */
  | { verdict: 'guard'; evidence: string; skips?: HookSkip[]; signIn?: string; verifiesSender?: string }
  | { verdict: 'none'; why: string }
  | { verdict: 'unknown'; reason: string };

/**
 * Decides whether one Express middleware refuses unauthenticated requests, in order of strength:
 * configured guards, known libraries, then evidence in its body (refuses 401/403 on some path and
 * continues on another), followed one call deep and through factories that return it.
 */
/** Input validation libraries: their chains refuse bad input, never an anonymous caller. */
const VALIDATION_PACKAGES = new Set(['express-validator', 'celebrate', 'express-joi-validation', 'zod-express-middleware', 'express-zod-safe', 'express-json-validator-middleware']);

/** Names of async-error wrappers (`express-async-handler`, `catchAsync`, `wrapAsync`, `tryCatch`): transparent. */
const ASYNC_WRAPPER = /^(asyncHandler|expressAsyncHandler|asyncMiddleware|catchAsync|catchAsyncErrors|catchErrors|wrapAsync|asyncWrap|asyncWrapper|wrap|wrapper|tryCatch|asyncRoute)$/;

/**
 * What a factory returns, less a cached result it returns when it has one (`if (this.limiter) return
 * this.limiter`): that is one of the other returns, made on an earlier call.
 */
function madeValues(factory: FunctionNode): ts.Expression[] {
  const returned = returnedExpressions(factory);
  const assigned = new Set<string>();
  const visit = (n: ts.Node): void => {
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(n.left)) assigned.add(n.left.getText());
    ts.forEachChild(n, visit);
  };
  if (factory.body) visit(factory.body);
  const made = returned.filter((r) => !(ts.isPropertyAccessExpression(unwrap(r)) && assigned.has(unwrap(r).getText())));
  return made.length ? made : returned;
}

/** Tests of who the caller is, or of the credentials they sent. */
const CALLER_TEST = /\b(user|session|auth\w*|token|isAuthenticated|principal|currentUser)\b/i;

/**
 * A `next()` the wrapper calls under a test that is not one of its route skips, nor a deployment setting
 * (`if (statusPage.isPublished) next()`): the test, when there is one.
 */
function passesOnOtherTests(wrapper: FunctionNode, skips: readonly HookSkip[]): string | undefined {
  const nextParam = wrapper.parameters[2];
  if (!nextParam || !ts.isIdentifier(nextParam.name)) return undefined;
  const skipTests = new Set(skips.map((s) => s.when));
  let found: string | undefined;
  const visit = (n: ts.Node): void => {
    if (found || (n !== wrapper && isFunctionNode(n))) return;
    if (ts.isCallExpression(n) && n.arguments.length === 0 && ts.isIdentifier(n.expression) && findDeclaration(n.expression.text, n.expression) === nextParam) {
      const test = ts.findAncestor(n, (a) => a === wrapper || ts.isIfStatement(a) || ts.isConditionalExpression(a));
      const condition = test && (ts.isIfStatement(test) || ts.isConditionalExpression(test)) ? (ts.isIfStatement(test) ? test.expression : test.condition) : undefined;
      // A deployment setting is the deployment's choice; a caller already signed in (`if (req.user) next()`) was checked.
      if (condition && !skipTests.has(condition) && !/process\.env|config|settings|options/i.test(condition.getText()) && !CALLER_TEST.test(condition.getText())) {
        found = snippet(condition, 50);
      }
    }
    ts.forEachChild(n, visit);
  };
  if (wrapper.body) visit(wrapper.body);
  return found;
}

/** `pauth` declared as `const pauth = passport.authenticate.bind(passport)`: `passport.authenticate`. */
function boundAlias(e: ts.Expression): ts.Expression | undefined {
  const id = unwrap(e);
  if (!ts.isIdentifier(id)) return undefined;
  const decl = findDeclaration(id.text, id);
  const init = decl && ts.isVariableDeclaration(decl) && decl.initializer ? unwrap(decl.initializer) : undefined;
  if (!init || !ts.isCallExpression(init) || init.arguments.length > 1) return undefined;
  const callee = unwrap(init.expression);
  return ts.isPropertyAccessExpression(callee) && callee.name.text === 'bind' ? callee.expression : undefined;
}

/** `inner(req, res, next)`: the call hands on the middleware's own request, response and continuation. */
function forwardsTo(call: ts.CallExpression, fn: FunctionNode, nextIndex: number): boolean {
  const own = [fn.parameters[nextIndex - 2], fn.parameters[nextIndex - 1], fn.parameters[nextIndex]];
  if (call.arguments.length < 3 || own.some((p) => !p)) return false;
  return own.every((p, i) => {
    const a = unwrap(call.arguments[i]!);
    return ts.isIdentifier(a) && findDeclaration(a.text, a) === p;
  });
}

export class ExpressMiddlewareClassifier {
  private readonly byFunction = new Map<ts.Node | string, Verdict>();

  constructor(private readonly ctx: AdapterContext) {}

  /** What the registrar's call passed for its parameters, while one middleware it registered is judged. */
  private bindings: Map<ts.ParameterDeclaration, ts.Expression[]> | undefined;

  /** `bindings`: what the call of the registrar that registered it passed (`routes(app, passport)`). */
  classify(expr: ts.Expression, bindings?: Map<ts.ParameterDeclaration, ts.Expression[]>): Verdict {
    if (!bindings?.size || bindings === this.bindings) return this.judge(expr);
    const outer = this.bindings;
    this.bindings = bindings;
    try {
      return this.judge(expr);
    } finally {
      this.bindings = outer;
    }
  }

  private judge(expr: ts.Expression): Verdict {
    const { config } = this.ctx.project;
    const configured = matchesGuardSpec(this.ctx, expr, config.guards);
    if (configured) return { verdict: 'guard', evidence: 'named as a guard in the config' };
    if (matchesGuardSpec(this.ctx, expr, config.notGuards)) return { verdict: 'none', why: 'named in the config as not a guard' };

    const e = unwrap(expr);
    const verdict = this.judgeShape(e);
    // `this.authRateLimiter` read as a factory's cached result: its name says what it is.
    return verdict.verdict === 'unknown' ? (namedForOtherConcern(e, verdict.reason) ?? verdict) : verdict;
  }

  private judgeShape(e: ts.Node): Verdict {
    if (ts.isSpreadElement(e)) return this.judge(e.expression);
    if (ts.isConditionalExpression(e)) return this.classifyBranches(e);
    if (ts.isCallExpression(e)) return this.classifyCall(e);
    return this.classifyValue(this.valueOf(e as ts.Expression), e);
  }

  /**
   * The value of an expression, reading a registrar's parameter as what its call passed: `passport.authenticate`
   * inside `function routes(app, passport)` called as `routes(app, require('passport'))` is passport's.
   */
  private valueOf(e: ts.Expression): Value {
    const { resolver } = this.ctx;
    // `const pauth = passport.authenticate.bind(passport)`: the function itself, its `this` fixed.
    const alias = boundAlias(e);
    if (alias) return this.valueOf(alias);
    if (!this.bindings) return resolver.value(e);
    const names: string[] = [];
    let root: ts.Expression = unwrap(e) as ts.Expression;
    while (ts.isPropertyAccessExpression(root)) {
      names.unshift(root.name.text);
      root = unwrap(root.expression) as ts.Expression;
    }
    const decl = ts.isIdentifier(root) ? findDeclaration(root.text, root) : undefined;
    const bound = decl && ts.isParameter(decl) ? this.bindings.get(decl) : undefined;
    if (bound?.length !== 1) return resolver.value(e);
    return names.reduce((v, name) => resolver.member(v, name), resolver.value(bound[0]!));
  }

  /**
   * `env.DISALLOW_ANONYMOUS ? auth.jwt : auth.jwtLoose`: a guard in both branches is a guard, in neither none; in one
   * only, whether the route is protected depends on the setting.
   */
  private classifyBranches(e: ts.ConditionalExpression): Verdict {
    const [yes, no] = [this.judge(e.whenTrue), this.judge(e.whenFalse)];
    if (yes.verdict === no.verdict && yes.verdict !== 'unknown') return yes;
    if (yes.verdict === 'unknown') return yes;
    if (no.verdict === 'unknown') return no;
    const guarded = yes.verdict === 'guard' ? snippet(e.condition, 50) : `!(${snippet(e.condition, 50)})`;
    return { verdict: 'unknown', reason: `${snippet(e, 60)} authenticates only when \`${guarded}\`: a setting the scan cannot know` };
  }

  private classifyCall(call: ts.CallExpression): Verdict {
    const verdict = this.followCall(call);
    return verdict.verdict === 'unknown' && isInputValidation(call) ? VALIDATION_NOT_GUARD : verdict;
  }

  private followCall(call: ts.CallExpression): Verdict {
    const wrapped = this.throughWrapper(call);
    if (wrapped) return wrapped;
    // `security.checkUserScope.bind(this, scope)`: the function itself, its leading parameters given here, so the
    // request, response and next come after them: `(requiredScope, req, res, next)`.
    const bound = this.boundFunction(call);
    if (bound) return this.classifyFunction(bound.fn, 0, bound.given);
    if (this.isValidatorChain(call)) return VALIDATION_NOT_GUARD;
    const callee = this.valueOf(call.expression);
    if (callee.kind === 'external') return this.classifyExternal(callee.pkg, callee.path, call);
    if (callee.kind === 'node' && isFunctionNode(callee.node)) {
      // A factory: requireAuth() / authorize('admin') returns the middleware, judged with this call's arguments.
      const factory = callee.node;
      const verdicts = madeValues(factory).map((r): Verdict => {
        const returned = unwrap(r);
        const forwarded = isFunctionNode(returned) ? this.throughParameter(returned, factory, call) : undefined;
        if (forwarded) return forwarded;
        const v = this.classifyValue(this.ctx.resolver.value(r), r);
        const off = v.verdict === 'guard' && isFunctionNode(returned) ? refusalsOffAt(returned, factory, call) : undefined;
        if (off) return { verdict: 'none', why: off };
        // authenticate('local', ...) building `passport.authenticate(type, ...)`: a sign-in step at this call.
        const signIn = v.verdict === 'guard' && !v.signIn && isFunctionNode(returned) ? this.passportStrategyAt(returned, factory, call) : undefined;
        return signIn && v.verdict === 'guard' ? { ...v, signIn } : v;
      });
      const guard = verdicts.find((v) => v.verdict === 'guard');
      if (guard) return guard;
      const unknown = verdicts.find((v) => v.verdict === 'unknown');
      if (unknown) return unknown;
      if (verdicts.length) return verdicts[0];
      return { verdict: 'unknown', reason: `cannot see what ${snippet(call.expression)}() returns` };
    }
    if (callee.kind === 'unknown') return this.unreadable(call, callee.reason);
    return { verdict: 'unknown', reason: `cannot follow ${snippet(call)}` };
  }

  /**
   * `ifAuthNeeded(middleware)` returning `(req, res, next) => { if (skip(req)) return next(); middleware(req, res, next) }`:
   * the middleware this call hands in does the checking, and the wrapper adds the requests it lets through
   * without it. A wrapper around a guard is that guard with those skips; around anything else, what that is.
   */
  private throughParameter(returned: FunctionNode, factory: FunctionNode, call: ts.CallExpression): Verdict | undefined {
    const request = returned.parameters[0];
    for (const inner of callsIn(returned)) {
      const callee = unwrap(inner.expression);
      const decl = ts.isIdentifier(callee) ? findDeclaration(callee.text, callee) : undefined;
      const index = decl && ts.isParameter(decl) ? factory.parameters.indexOf(decl) : -1;
      const handed = index >= 0 ? call.arguments[index] : undefined;
      const first = inner.arguments[0] && unwrap(inner.arguments[0]);
      const forwardsRequest = !!request && !!first && ts.isIdentifier(first) && findDeclaration(first.text, first) === request;
      if (!handed || !forwardsRequest) continue;
      const verdict = this.judge(handed);
      if (verdict.verdict !== 'guard') return verdict;
      const { skips } = findHookSkips(returned, 2, this.ctx.resolver);
      // `if (page.isPublished) next(); else verifyJWT(req, res, next)`: some requests pass on a test of something else.
      const admits = passesOnOtherTests(returned, skips);
      if (admits) return { verdict: 'none', why: `lets requests through without ${snippet(handed)} when \`${admits}\`` };
      const all = [...skips, ...(verdict.skips ?? [])];
      return { ...verdict, evidence: `${verdict.evidence} (through ${snippet(call.expression)}())`, ...(all.length ? { skips: all } : {}) };
    }
    return undefined;
  }

  /**
   * The sign-in strategy a factory's middleware hands to `passport.authenticate(type, ...)`, with `type` one of
   * the factory's parameters as this call binds it.
   */
  private passportStrategyAt(middleware: FunctionNode, factory: FunctionNode, call: ts.CallExpression): string | undefined {
    for (const inner of callsIn(middleware)) {
      const callee = this.ctx.resolver.value(inner.expression);
      if (callee.kind !== 'external' || callee.pkg !== 'passport' || !/^(authenticate|authorize)$/.test(callee.path.join('.'))) continue;
      const first = inner.arguments[0] && unwrap(inner.arguments[0]);
      const index = first && ts.isIdentifier(first) ? factory.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === first.text) : -1;
      const arg = index >= 0 ? call.arguments[index] : undefined;
      const strategy = arg && ts.isStringLiteralLike(unwrap(arg)) ? (unwrap(arg) as ts.StringLiteralLike).text : undefined;
      if (strategy) return signInStrategy(strategy);
    }
    return undefined;
  }

  /**
   * A middleware that signs the caller in: it hands the request to a sign-in strategy
   * (`passport.authenticate('openid-client', ...)`) or starts the session itself (`req.logIn(user, ...)`).
   */
  private signsIn(fn: FunctionNode): string | undefined {
    for (const call of callsIn(fn)) {
      const callee = unwrap(call.expression);
      if (ts.isPropertyAccessExpression(callee) && /^(logIn|login)$/.test(callee.name.text) && ts.isIdentifier(unwrap(callee.expression))) {
        const owner = findDeclaration((unwrap(callee.expression) as ts.Identifier).text, callee);
        if (owner && owner === fn.parameters[0]) return `starts the caller's session (${snippet(call.expression)}())`;
      }
      const value = this.ctx.resolver.value(call.expression);
      const strategy = call.arguments[0] && unwrap(call.arguments[0]);
      if (value.kind === 'external' && value.pkg === 'passport' && value.path.join('.') === 'authenticate' && strategy && ts.isStringLiteralLike(strategy)) {
        const signIn = signInStrategy(strategy.text);
        if (signIn) return signIn;
      }
    }
    return undefined;
  }

  /** `body('email').isEmail().withMessage('...')`: a chain whose root comes from a validation library. */
  private isValidatorChain(call: ts.CallExpression): boolean {
    let root: ts.Expression = call;
    while (ts.isCallExpression(root) && ts.isPropertyAccessExpression(root.expression)) root = root.expression.expression;
    if (!ts.isCallExpression(root)) return false;
    const callee = this.ctx.resolver.value(root.expression);
    return callee.kind === 'external' && VALIDATION_PACKAGES.has(callee.pkg);
  }

  /**
   * `asyncHandler(async (req, res, next) => ...)`, `catchAsync(fn)`, `wrap(fn)`: an async-error wrapper hands the
   * request to the function it wraps, so the wrapped middleware's verdict is the wrapper's when it is a guard.
   */
  private throughWrapper(call: ts.CallExpression): Verdict | undefined {
    const callee = call.expression;
    const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
    if (call.arguments.length !== 1 || !ASYNC_WRAPPER.test(name)) return undefined;
    const arg = unwrap(call.arguments[0]!);
    if (ts.isConditionalExpression(arg)) {
      const inner = this.classifyBranches(arg);
      return inner.verdict === 'guard' ? { ...inner, evidence: `${inner.evidence} (through ${name}())` } : inner;
    }
    const resolved = isFunctionNode(arg) ? undefined : this.ctx.resolver.value(arg);
    // asyncHandler(auth.jwt) where `jwt = authenticate('jwt', ...)`: the middleware a factory call built.
    if (resolved?.kind === 'node' && ts.isCallExpression(unwrap(resolved.node))) {
      const inner = this.classifyCall(unwrap(resolved.node) as ts.CallExpression);
      return inner.verdict === 'guard' ? { ...inner, evidence: `${inner.evidence} (through ${name}())` } : inner.verdict === 'none' ? inner : undefined;
    }
    const value = isFunctionNode(arg) ? arg : resolved?.kind === 'node' && isFunctionNode(resolved.node) ? resolved.node : undefined;
    if (!value || value.parameters.length < 2) return undefined;
    const inner = this.classifyFunction(value);
    return inner.verdict === 'guard' ? { verdict: 'guard', evidence: `${inner.evidence} (through ${name}())` } : undefined;
  }

  private classifyValue(value: Value, at: ts.Node): Verdict {
    switch (value.kind) {
      case 'external':
        return this.classifyExternal(value.pkg, value.path);
      case 'param':
        return { verdict: 'unknown', reason: `${snippet(at)} is passed in as a parameter` };
      case 'unknown':
        return this.unreadable(at, value.reason);
      case 'module':
        return { verdict: 'unknown', reason: `${snippet(at)} is a module, not a function` };
      case 'instance':
        return { verdict: 'unknown', reason: `${snippet(at)} is an object, not a function` };
      case 'node': {
        const node = unwrap(value.node);
        if (isFunctionNode(node)) return this.classifyFunction(node);
        if (ts.isCallExpression(node)) return this.classifyCall(node);
        if (ts.isArrayLiteralExpression(node)) {
          const parts = node.elements.map((el) => this.classify(el as ts.Expression));
          return parts.find((p) => p.verdict === 'guard') ?? parts.find((p) => p.verdict === 'unknown') ?? { verdict: 'none', why: 'no guard in the array' };
        }
        return { verdict: 'unknown', reason: `cannot tell what ${snippet(at)} is` };
      }
    }
  }

  private classifyExternal(pkg: string, path: string[], call?: ts.CallExpression): Verdict {
    const known = knownExpressMiddleware(pkg, path, call, this.ctx.resolver);
    if (known?.guard === true) return { verdict: 'guard', evidence: known.evidence, ...(known.signIn ? { signIn: known.signIn } : {}) };
    if (known?.guard === 'maybe') return { verdict: 'unknown', reason: known.reason };
    if (known) return { verdict: 'none', why: known.why };
    const name = [pkg, ...path].join('.');
    if (AUTH_SOUNDING.test(name)) {
      return { verdict: 'unknown', reason: `${name} comes from a package the scan cannot read; name it in the config's guards or notGuards` };
    }
    return { verdict: 'none', why: `${name} is not an authentication library` };
  }

  /**
   * Middleware the scan cannot read. Unknown when its name could be authentication; otherwise (`cache('5
   * minutes')`, `upload.single('file')`, `metrics()`) it is taken for what its name says, so one opaque helper
   * does not leave every route behind it undecided.
   */
  private unreadable(at: ts.Node, reason: string): Verdict {
    const name = snippet(at).split('(')[0]!;
    if (!AUTH_SOUNDING.test(name)) return { verdict: 'none', why: `${snippet(at)} cannot be read (${reason}); nothing in its name says authentication` };
    return { verdict: 'unknown', reason: `${snippet(at)}: ${reason}` };
  }

  /** `given`: how many leading parameters a `.bind(this, ...)` filled, before the request's. */
  classifyFunction(fn: FunctionNode, depth = 0, given = 0): Verdict {
    const key = given ? `${fn.getSourceFile().fileName}:${fn.pos}:${given}` : fn;
    const cached = this.byFunction.get(key);
    if (cached) return cached;
    const verdict = this.evidenceIn(fn, depth, 2 + given);
    this.byFunction.set(key, verdict);
    return verdict;
  }

  private boundFunction(call: ts.CallExpression): { fn: FunctionNode; given: number } | undefined {
    const callee = call.expression;
    if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'bind' || call.arguments.length === 0) return undefined;
    const fn = this.ctx.resolver.value(callee.expression);
    return fn.kind === 'node' && isFunctionNode(fn.node) ? { fn: fn.node, given: call.arguments.length - 1 } : undefined;
  }

  private evidenceIn(fn: FunctionNode, depth: number, nextIndex: number): Verdict {
    const next = continuesWith(fn, nextIndex);
    const refusal =
      findRefusal(fn.body ?? fn) ??
      findCredentialRefusal(fn.body ?? fn) ??
      findHelperStatusRefusal(fn.body ?? fn, this.ctx.resolver);
    const optional = next ? passesWithoutCredentials(fn, nextIndex) : undefined;
    if (optional) return { verdict: 'none', why: `lets requests without credentials through (\`if (${optional}) ... next()\`): optional authentication` };
    if (refusal && next) {
      const gate = deploymentSwitch(fn, nextIndex, refusal.evidence, this.ctx.resolver);
      if (gate && 'unknown' in gate) return { verdict: 'unknown', reason: gate.unknown };
      const offNote = gate ? `; ${gate.off}` : '';
      const other = refusesOnlyForOtherReasons(fn);
      if (other) return { verdict: 'none', why: `${other}: a check of something other than who the caller is` };
      const { skips } = findHookSkips(fn, 2, this.ctx.resolver);
      const signIn = this.signsIn(fn);
      // `if (!(await connection.verifyWebhook(request))) return res.status(401)`: a webhook's sender, not a user.
      const sender = senderCheckIn(fn);
      const verifiesSender = sender ? snippet(sender, 50) : undefined;
      return { verdict: 'guard', evidence: `${refusal.evidence}, otherwise ${next}${offNote}`, ...(skips.length ? { skips } : {}), ...(signIn ? { signIn } : {}), ...(verifiesSender ? { verifiesSender } : {}) };
    }
    // Delegation to a known guard library or to a project function that refuses (one call deep).
    for (const call of callsIn(fn)) {
      const callee = this.ctx.resolver.value(call.expression);
      if (callee.kind === 'external') {
        const known = knownExpressMiddleware(callee.pkg, callee.path, call, this.ctx.resolver);
        if (known?.guard === true) return { verdict: 'guard', evidence: `delegates to ${known.evidence}` };
      } else if (callee.kind === 'node' && isFunctionNode(callee.node) && callee.node !== fn && depth < 2 && forwardsTo(call, fn, nextIndex)) {
        // `authMiddleware(req, res, next) { this.auth.isAuthenticated(req, res, next) }`: the request handed on whole.
        const whole = this.classifyFunction(callee.node, depth + 1);
        if (whole.verdict === 'guard') return { ...whole, evidence: `${snippet(call.expression)}() ${whole.evidence}` };
      }
      if (callee.kind === 'node' && isFunctionNode(callee.node) && callee.node !== fn && depth < 1) {
        const inner = findRefusal(callee.node.body ?? callee.node);
        const innerNext = next ?? continuesWith(callee.node, 2);
        if (inner && innerNext) return { verdict: 'guard', evidence: `${snippet(call.expression)}() ${inner.evidence}` };
        // A helper returning the refusing callback (verifyCallback(req, resolve, reject) in passport set-ups).
        for (const ret of returnedExpressions(callee.node)) {
          const retFn = unwrap(ret);
          const innerRefusal = isFunctionNode(retFn) ? findRefusal(retFn.body ?? retFn) : undefined;
          if (innerRefusal && next) return { verdict: 'guard', evidence: `${snippet(call.expression)}() ${innerRefusal.evidence}` };
        }
      }
    }
    if (refusal) return { verdict: 'none', why: `${refusal.evidence} but never passes the request on` };
    return neverRefuses(fn, this.ctx.resolver);
  }
}
