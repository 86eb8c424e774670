import { ts } from 'ts-morph';
import { refusesOnlyForOtherReasons, testsIdentity } from '../../analysis/non-identity-refusal.js';
import { withInitializers } from '../../analysis/refusal-sites.js';
import { callsIn, findRefusal } from '../../analysis/guard-evidence.js';
import { testsAbsence } from '../../analysis/optional-auth.js';
import { signInStrategy } from '../../analysis/sign-in-strategies.js';
import { isFunctionNode, returnedExpressions, type FunctionNode } from '../../syntax/functions.js';
import { snippet } from '../../syntax/loc.js';
import { staticString } from '../../syntax/strings.js';
import { propertyNameText, unwrap, unwrapAwait, type Resolver } from '../../syntax/resolve.js';
import type { AdapterContext } from '../adapter.js';
import { matchesGuardSpec } from '../configured-guards.js';
import { classChain, className, isPackageExport } from './decorators.js';
import { keyOf, type MetadataTarget, type OptOutKey } from './opt-outs.js';

/** A metadata key a guard reads through Reflector, and where it looks for it. */
export interface KeyRead {
  key: OptOutKey;
  targets: MetadataTarget[];
  /**
   * skip-when-set: `if (isPublic) return true` (an opt-out); only-when-set: `if (!roles) return true` (the
   * guard only acts on routes carrying the key); skip-when-includes: `if (roles?.includes('public')) return true`
   * (an opt-out by one value of a list, `includes`); unclear: read, but not in any of these shapes.
   */
  mode: 'skip-when-set' | 'only-when-set' | 'skip-when-includes' | 'unclear';
  /** skip-when-includes: the value whose presence opts out. */
  includes?: string;
}

export type GuardVerdict =
  | { verdict: 'guard'; name: string; evidence: string; reads: KeyRead[]; signIn?: string }
  | { verdict: 'none'; why: string }
  /** `reads`: the opt-outs the guard honours before the part the scan cannot judge (`if (isPublic) return true`). */
  | { verdict: 'unknown'; reason: string; reads?: KeyRead[] };

/** Guards named for rate limits, throttling, caching, logging or feature switches: never authentication. */
const NOT_IDENTITY_GUARD = /throttl|rate-?limit|ratelimit|cache|logging|logger|metrics|feature|maintenance|debounce/i;

/** Packages whose guards never authenticate. */
// nest-access-control's ACGuard checks the roles of the user an earlier guard established (it refuses an anonymous
// caller only on handlers marked @UseRoles, and only because that guard let one through): authorization, not
// authentication.
const NOT_AUTH_GUARD_PACKAGES = new Set(['@nestjs/throttler', '@nestjs/terminus', 'nestjs-throttler-storage-redis', 'nest-access-control']);
export const BETTER_AUTH_NEST = '@thallesp/nestjs-better-auth';
/** Keys the better-auth global guard honours: @AllowAnonymous(), @OptionalAuth() and the deprecated @Public(). */
export const BETTER_AUTH_OPT_OUT: OptOutKey = 'pkg:@thallesp/nestjs-better-auth#public';

/**
 * Decides whether a Nest guard (a class, an instance, or a mixin call such as `AuthGuard('jwt')`) can
 * refuse a request: configured guards first, then known packages, then evidence in `canActivate`.
 */
export class NestGuardClassifier {
  private readonly byClass = new Map<ts.ClassDeclaration, GuardVerdict>();

  constructor(private readonly ctx: AdapterContext) {}

  private get resolver(): Resolver {
    return this.ctx.resolver;
  }

  classify(expr: ts.Expression): GuardVerdict {
    const { config } = this.ctx.project;
    const name = snippet(expr);
    if (matchesGuardSpec(this.ctx, expr, config.guards)) return { verdict: 'guard', name, evidence: 'named as a guard in the config', reads: [] };
    if (matchesGuardSpec(this.ctx, expr, config.notGuards)) return { verdict: 'none', why: 'named in the config as not a guard' };
    const e = unwrap(expr);
    if (ts.isNewExpression(e)) return this.classifyTarget(e.expression, name);
    if (ts.isCallExpression(e)) {
      const callee = this.resolver.value(e.expression);
      if (callee.kind === 'external') return this.external(callee.pkg, callee.path, name, e);
      if (callee.kind === 'node' && isFunctionNode(callee.node)) {
        // A mixin: createGuard('admin') returns a class.
        for (const r of returnedExpressions(callee.node)) {
          const inner = unwrap(r);
          if (ts.isClassExpression(inner) || ts.isClassDeclaration(inner)) return this.classifyClass(inner as ts.ClassDeclaration, name);
          const v = this.classifyTarget(r, name);
          if (v.verdict !== 'unknown') return v;
        }
      }
      return { verdict: 'unknown', reason: `cannot tell what guard ${name} returns` };
    }
    return this.classifyTarget(e as ts.Expression, name);
  }

  private classifyTarget(expr: ts.Node, name: string): GuardVerdict {
    const v = this.resolver.value(expr);
    if (v.kind === 'external') return this.external(v.pkg, v.path, name);
    if (v.kind === 'node' && (ts.isClassDeclaration(v.node) || ts.isClassExpression(v.node))) return this.classifyClass(v.node as ts.ClassDeclaration, name);
    if (v.kind === 'instance') return this.classifyClass(v.cls as ts.ClassDeclaration, name);
    if (v.kind === 'unknown') {
      // ThrottlerBehindProxyGuard from a library outside the scan: a guard named for something other than identity.
      if (NOT_IDENTITY_GUARD.test(name)) return { verdict: 'none', why: `${name} cannot be read (${v.reason}); its name says it limits or records requests, not who makes them` };
      return { verdict: 'unknown', reason: `guard ${name}: ${v.reason}` };
    }
    return { verdict: 'unknown', reason: `cannot tell what guard ${name} is` };
  }

  private external(pkg: string, path: string[], name: string, call?: ts.CallExpression): GuardVerdict {
    const member = path[path.length - 1];
    if (pkg === '@nestjs/passport' && member === 'AuthGuard') {
      const strategy = call?.arguments[0];
      if (strategy && ts.isStringLiteralLike(strategy) && strategy.text === 'anonymous') {
        return { verdict: 'none', why: "passport's anonymous strategy lets everyone through" };
      }
      const signIn = strategy && ts.isStringLiteralLike(strategy) ? signInStrategy(strategy.text) : undefined;
      return { verdict: 'guard', name, evidence: `@nestjs/passport AuthGuard(${strategy ? strategy.getText() : ''}) refuses without valid credentials`, reads: [], ...(signIn ? { signIn } : {}) };
    }
    if (pkg === BETTER_AUTH_NEST && member === 'AuthGuard') {
      return { verdict: 'guard', name, evidence: `${BETTER_AUTH_NEST} AuthGuard requires a Better Auth session`, reads: [{ key: BETTER_AUTH_OPT_OUT, targets: ['handler', 'class'], mode: 'skip-when-set' }] };
    }
    if (NOT_AUTH_GUARD_PACKAGES.has(pkg)) return { verdict: 'none', why: `${pkg} guards do not authenticate` };
    return { verdict: 'unknown', reason: `guard ${name} comes from ${pkg}, which the scan cannot read; name it in the config's guards or notGuards` };
  }

  classifyClass(cls: ts.ClassDeclaration, name = className(cls)): GuardVerdict {
    const cached = this.byClass.get(cls);
    if (cached) return cached.verdict === 'guard' ? { ...cached, name } : cached;
    this.byClass.set(cls, { verdict: 'unknown', reason: `guard ${name} refers to itself` });
    const verdict = this.evidence(cls, name);
    this.byClass.set(cls, verdict);
    return verdict;
  }

  private evidence(cls: ts.ClassDeclaration, name: string): GuardVerdict {
    const chain = classChain(cls, this.resolver);
    const reads = chain.flatMap((c) => this.keyReads(c));
    const canActivate = chain.map((c) => method(c, 'canActivate')).find(Boolean);
    // The nearest base outside the project: AuthGuard('jwt') from @nestjs/passport, or the better-auth guard.
    const last = chain[chain.length - 1];
    const externalBase = baseExpression(last);
    const baseVerdict = externalBase ? this.baseVerdict(externalBase, name) : undefined;

    // A passport guard's handleRequest that returns without refusing admits anonymous callers (only passport calls it).
    const admits = externalBase ? admitsWithoutUser(chain) : undefined;
    if (admits) return { verdict: 'none', why: `handleRequest ${admits}: optional authentication` };
    if (!canActivate || !canActivate.body) {
      if (baseVerdict) return baseVerdict.verdict === 'guard' ? { ...baseVerdict, reads: [...baseVerdict.reads, ...reads] } : baseVerdict;
      return { verdict: 'unknown', reason: `guard ${name} has no canActivate the scan can read` };
    }
    const callsSuper = callsSuperCanActivate(canActivate);
    if (callsSuper && baseVerdict?.verdict === 'guard') {
      return { ...baseVerdict, name, evidence: `canActivate defers to ${baseVerdict.evidence}`, reads: [...baseVerdict.reads, ...reads] };
    }
    const anonymousPass = passesAnonymous(canActivate);
    if (anonymousPass) return { verdict: 'none', why: `lets requests through when \`${anonymousPass}\`, which holds for a request without credentials` };
    const other = refusesOnlyForOtherReasons(canActivate, { returnsFalse: true });
    if (other) return { verdict: 'none', why: `${other}: a check of something other than who the caller is` };
    const refusal = findRefusal(canActivate.body);
    if (refusal) return { verdict: 'guard', name, evidence: `canActivate ${refusal.evidence}`, reads };
    const delegated = this.delegatedVerdict(returnedExpressions(canActivate).filter((r) => !isTrue(r)), cls, name, reads);
    if (delegated) return delegated;
    // `await this.apiKeys.validate(request); return true`: a project helper that throws 401/403 refuses for it.
    for (const call of callsIn(canActivate)) {
      const callee = this.resolver.value(call.expression);
      if (callee.kind !== 'node' || !isFunctionNode(callee.node) || !callee.node.body || callee.node === canActivate) continue;
      const inner = findRefusal(callee.node.body);
      if (inner) return { verdict: 'guard', name, evidence: `canActivate calls ${snippet(call.expression)}(), which ${inner.evidence}`, reads };
    }
    const returns = returnedExpressions(canActivate);
    if (returns.some((r) => unwrap(r).kind === ts.SyntaxKind.FalseKeyword)) return { verdict: 'guard', name, evidence: 'canActivate returns false', reads };
    const open = returns.filter((r) => !isTrue(r));
    if (!open.length) return { verdict: 'none', why: `${name}.canActivate always returns true` };
    for (const r of open) {
      const verdict = this.returnedVerdict(r, cls, name, baseVerdict);
      if (verdict) return verdict.verdict === 'guard' ? { ...verdict, reads } : verdict;
    }
    if (callsSuper && baseVerdict) return baseVerdict;
    return { verdict: 'unknown', reason: `${name}.canActivate returns ${snippet(open[0])}; cannot tell whether it refuses`, reads };
  }

  /**
   * `return this.jwtGuard.canActivate(context)` on every open path, the guards injected by their class
   * (`constructor(private jwtGuard: JwtAuthGuard)`) or made in a field (`inner = new JwtAuthGuard()`): the guard
   * refuses when every one it hands on to does, and honours their opt-outs.
   */
  private delegatedVerdict(open: ts.Expression[], cls: ts.ClassDeclaration, name: string, reads: KeyRead[]): GuardVerdict | undefined {
    if (!open.length) return undefined;
    const verdicts: GuardVerdict[] = [];
    for (const r of open) {
      const e = unwrapAwait(r);
      if (!ts.isCallExpression(e) || !ts.isPropertyAccessExpression(e.expression) || e.expression.name.text !== 'canActivate') return undefined;
      const targets = delegateClasses(e.expression.expression, cls, this.ctx);
      if (!targets?.length || targets.includes(cls)) return undefined;
      verdicts.push(...targets.map((t) => this.classifyClass(t)));
    }
    const names = [...new Set(open.map((r) => snippet((unwrapAwait(r) as ts.CallExpression).expression)))].join(', ');
    if (verdicts.every((v) => v.verdict === 'guard')) {
      const evidence = verdicts.map((v) => (v.verdict === 'guard' ? `${v.name}: ${v.evidence}` : '')).join('; ');
      return { verdict: 'guard', name, evidence: `canActivate hands on to ${names} (${evidence})`, reads: [...reads, ...verdicts.flatMap((v) => (v.verdict === 'guard' ? v.reads : []))] };
    }
    if (verdicts.every((v) => v.verdict === 'none')) return { verdict: 'none', why: `canActivate hands on to ${names}, which never refuses` };
    const unknown = verdicts.find((v) => v.verdict === 'unknown');
    return { verdict: 'unknown', reason: `${name}.canActivate hands on to ${names}: ${unknown?.verdict === 'unknown' ? unknown.reason : 'some of them never refuse'}`, reads };
  }

  /** A returned value that can be false refuses: `!!user`, `roles.includes(x)`, a helper that refuses or returns false. */
  private returnedVerdict(r: ts.Expression, cls: ts.ClassDeclaration, name: string, base?: GuardVerdict): GuardVerdict | undefined {
    const e = unwrapAwait(r);
    if (isBooleanTest(e)) {
      // return platforms.includes(provider) && config.get(...): decided by something other than the caller.
      const canActivate = method(cls, 'canActivate');
      if (canActivate && !testsIdentity(e, canActivate)) return { verdict: 'none', why: `canActivate returns \`${snippet(e, 50)}\`, which does not depend on who the caller is` };
      return { verdict: 'guard', name, evidence: `canActivate returns ${snippet(e, 40)}, false refuses with 403`, reads: [] };
    }
    if (ts.isCallExpression(e)) {
      const callee = this.resolver.value(e.expression);
      if (callee.kind === 'node' && isFunctionNode(callee.node) && callee.node.body) {
        const helper = callee.node;
        // `return this.validate(context)` where validate() returns super.canActivate(context).
        if (base?.verdict === 'guard' && callsSuperCanActivate(helper)) return { ...base, evidence: `canActivate calls ${snippet(e.expression)}(), which defers to ${base.evidence}` };
        const refusal = findRefusal(helper.body!);
        if (refusal) return { verdict: 'guard', name, evidence: `canActivate calls ${snippet(e.expression)}(), which ${refusal.evidence}`, reads: [] };
        const rets = returnedExpressions(helper);
        if (rets.some((x) => unwrap(x).kind === ts.SyntaxKind.FalseKeyword || isBooleanTest(unwrapAwait(x)))) {
          return { verdict: 'guard', name, evidence: `canActivate returns ${snippet(e.expression)}(), which can be false`, reads: [] };
        }
        if (rets.length && rets.every(isTrue)) return { verdict: 'none', why: `${name}.canActivate always returns true` };
      }
    }
    return undefined;
  }

  private baseVerdict(base: ts.Expression, name: string): GuardVerdict | undefined {
    const e = unwrap(base);
    const callee = ts.isCallExpression(e) ? this.resolver.value(e.expression) : this.resolver.value(e);
    if (callee.kind !== 'external') return undefined;
    return this.external(callee.pkg, callee.path, name, ts.isCallExpression(e) ? e : undefined);
  }

  /** `this.reflector.get|getAllAndOverride|getAllAndMerge(KEY, targets)` and `Reflect.getMetadata(KEY, target)` in the class. */
  private keyReads(cls: ts.ClassDeclaration): KeyRead[] {
    const reads: KeyRead[] = [];
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.arguments[0]) {
        const method = n.expression.name.text;
        const receiver = unwrap(n.expression.expression);
        const isReflector = () => isPackageExport(this.resolver.value(receiver), '@nestjs/core', 'Reflector');
        const isReflectApi = ts.isIdentifier(receiver) && receiver.text === 'Reflect' && method === 'getMetadata';
        if (isReflectApi || (/^(get|getAllAndOverride|getAllAndMerge)$/.test(method) && isReflector())) {
          const key = keyOf(n.arguments[0], this.resolver);
          if (key) reads.push({ key, targets: targetsOf(n.arguments[1]), ...modeOfRead(n) });
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(cls);
    return reads;
  }
}

function method(cls: ts.ClassDeclaration, name: string): FunctionNode | undefined {
  return cls.members.find((m): m is ts.MethodDeclaration => ts.isMethodDeclaration(m) && !!m.name && propertyNameText(m.name) === name);
}

/**
 * `handleRequest(err, user) { return user }` on a passport guard: what passport hands it, a user or nothing, goes
 * through, so no request is refused. One that throws or defers to `super.handleRequest` refuses (on the paths
 * where it does; a return before them under a metadata test is an opt-out, read as a key read).
 */
function admitsWithoutUser(chain: ts.ClassDeclaration[]): string | undefined {
  const handle = chain.map((c) => method(c, 'handleRequest')).find(Boolean);
  if (!handle?.body) return undefined;
  let refuses = false;
  const visit = (n: ts.Node): void => {
    if (refuses || (n !== handle && isFunctionNode(n))) return;
    if (ts.isThrowStatement(n)) refuses = true;
    // super.handleRequest, or another guard's (`this.inner.handleRequest(...)`): it may refuse.
    if (ts.isPropertyAccessExpression(n) && n.name.text === 'handleRequest') refuses = true;
    ts.forEachChild(n, visit);
  };
  visit(handle.body);
  if (refuses) return undefined;
  const returned = returnedExpressions(handle)[0];
  return returned ? `returns \`${snippet(returned, 40)}\` and never refuses` : 'never refuses';
}

function baseExpression(cls: ts.ClassDeclaration): ts.Expression | undefined {
  return cls.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
}

function callsSuperCanActivate(fn: FunctionNode): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isPropertyAccessExpression(n) && n.expression.kind === ts.SyntaxKind.SuperKeyword && n.name.text === 'canActivate') found = true;
    ts.forEachChild(n, visit);
  };
  if (fn.body) visit(fn.body);
  return found;
}

/** `context.getHandler()` → handler; `[getHandler(), getClass()]` → both; unreadable → both. */
function targetsOf(arg: ts.Expression | undefined): MetadataTarget[] {
  if (!arg) return ['handler', 'class'];
  const text = arg.getText();
  const targets: MetadataTarget[] = [];
  if (/getHandler\s*\(/.test(text)) targets.push('handler');
  if (/getClass\s*\(/.test(text)) targets.push('class');
  return targets.length ? targets : ['handler', 'class'];
}

/** The class of a guard held in `this.<field>`: a constructor parameter typed with it, or a field made with `new`. */
function delegateClasses(expr: ts.Expression, cls: ts.ClassDeclaration, ctx: AdapterContext): ts.ClassDeclaration[] | undefined {
  const e = unwrap(expr);
  if (!ts.isPropertyAccessExpression(e) || unwrap(e.expression).kind !== ts.SyntaxKind.ThisKeyword) return undefined;
  const field = e.name.text;
  let classRef: ts.Node | undefined;
  for (const member of cls.members) {
    if (ts.isConstructorDeclaration(member)) {
      const param = member.parameters.find((p) => ts.isIdentifier(p.name) && p.name.text === field && ts.getModifiers(p)?.length);
      // @Inject('TOKEN') names a provider, not the class its type annotation says.
      const token = param && injectToken(param, ctx.resolver);
      if (token !== undefined) return providedClasses(token, ctx);
      if (param?.type && ts.isTypeReferenceNode(param.type) && !ts.getDecorators(param)?.length) classRef = param.type.typeName;
    } else if (ts.isPropertyDeclaration(member) && member.name.getText() === field && member.initializer) {
      const init = unwrap(member.initializer);
      if (ts.isNewExpression(init)) classRef = init.expression;
    }
  }
  const target = classRef && classOf(classRef as ts.Expression, ctx.resolver);
  return target ? [target] : undefined;
}

function classOf(expr: ts.Expression, resolver: Resolver): ts.ClassDeclaration | undefined {
  const v = resolver.value(expr);
  return v.kind === 'node' && ts.isClassDeclaration(v.node) ? v.node : undefined;
}

/** `@Inject('USER_AUTH_GUARD')` (or a constant holding the token) on a constructor parameter. */
function injectToken(param: ts.ParameterDeclaration, resolver: Resolver): string | undefined {
  for (const d of ts.getDecorators(param) ?? []) {
    const call = unwrap(d.expression);
    if (!ts.isCallExpression(call) || !call.arguments[0]) continue;
    const callee = resolver.value(call.expression);
    if (callee.kind !== 'external' || callee.pkg !== '@nestjs/common' || callee.path[callee.path.length - 1] !== 'Inject') continue;
    return staticString(call.arguments[0], resolver);
  }
  return undefined;
}

/**
 * The classes the project provides under a token: `{ provide: 'TOKEN', useClass: X }`, `useExisting: X`,
 * `useValue: new X()`, or a `useFactory` that returns `new X(...)`. Undefined when a provider gives something else.
 */
function providedClasses(token: string, ctx: AdapterContext): ts.ClassDeclaration[] | undefined {
  const out: ts.ClassDeclaration[] = [];
  let unreadable = false;
  // The providers may sit in a workspace library the scan read through an import (`injectAuthProviders()`).
  const { files } = ctx.project;
  const libraries = [...files.libraries()].filter(([, text]) => text.includes(token)).map(([file]) => files.get(file));
  for (const sf of [...files.mentioning(token), ...libraries]) {
    if (!sf) continue;
    const visit = (n: ts.Node): void => {
      if (ts.isObjectLiteralExpression(n)) {
        const provide = n.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && propertyNameText(p.name) === 'provide');
        if (provide && staticString(provide.initializer, ctx.resolver) === token) {
          const found = providerClasses(n, ctx.resolver);
          if (found) out.push(...found);
          else unreadable = true;
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return unreadable || !out.length ? undefined : [...new Set(out)];
}

function providerClasses(provider: ts.ObjectLiteralExpression, resolver: Resolver): ts.ClassDeclaration[] | undefined {
  const prop = (name: string) => provider.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && propertyNameText(p.name) === name)?.initializer;
  const direct = prop('useClass') ?? prop('useExisting');
  if (direct) {
    const c = classOf(direct, resolver);
    return c ? [c] : undefined;
  }
  const made = prop('useValue') ? [prop('useValue')!] : undefined;
  const factory = prop('useFactory');
  const fn = factory && resolver.value(factory);
  const returned = made ?? (fn?.kind === 'node' && isFunctionNode(fn.node) ? returnedExpressions(fn.node) : undefined);
  if (!returned?.length) return undefined;
  const classes = returned.map((r) => {
    const e = unwrapAwait(r);
    return ts.isNewExpression(e) ? classOf(e.expression, resolver) : undefined;
  });
  return classes.every((c): c is ts.ClassDeclaration => !!c) ? classes : undefined;
}

/** What the request carries: `request.headers[...]`, `req.cookies`, a local read from `getRequest()`. */
const FROM_REQUEST = /\b(req|request)\b|\.headers\b|\.cookies\b|getRequest\(/;

/**
 * `if (!request.headers['x-impersonate']) return true` before any refusal: a request that carries nothing passes,
 * so whatever the guard checks after, it is not who the caller is. The text of the condition, or undefined.
 */
function passesAnonymous(canActivate: FunctionNode): string | undefined {
  const body = canActivate.body;
  if (!body || !ts.isBlock(body)) return undefined;
  for (const st of body.statements) {
    if (findRefusal(st) || /\breturn\s+false\b/.test(st.getText())) return undefined;
    if (!ts.isIfStatement(st) || !testsAbsence(st.expression) || !readsRequestValue(st.expression, canActivate)) continue;
    const then = st.thenStatement;
    const returned = ts.isReturnStatement(then) ? then : ts.isBlock(then) && then.statements.length === 1 && ts.isReturnStatement(then.statements[0]!) ? then.statements[0] : undefined;
    if (returned?.expression && isTrue(returned.expression)) return snippet(st.expression, 50);
  }
  return undefined;
}

/** The condition reads the request (directly, or through a local initialised from it). */
function readsRequestValue(cond: ts.Expression, fn: FunctionNode): boolean {
  return FROM_REQUEST.test(withInitializers(cond, fn));
}

function isTrue(e: ts.Expression): boolean {
  return unwrapAwait(e).kind === ts.SyntaxKind.TrueKeyword;
}

/** Expressions that are plainly booleans able to be false. */
function isBooleanTest(e: ts.Expression): boolean {
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) return true;
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    if (op >= ts.SyntaxKind.LessThanToken && op <= ts.SyntaxKind.ExclamationEqualsEqualsToken) return true;
    if (op === ts.SyntaxKind.AmpersandAmpersandToken) return true;
    if (op === ts.SyntaxKind.InstanceOfKeyword || op === ts.SyntaxKind.InKeyword) return true;
  }
  if (ts.isCallExpression(e)) {
    const c = e.expression;
    if (ts.isIdentifier(c) && c.text === 'Boolean') return true;
    if (ts.isPropertyAccessExpression(c) && /^(some|every|includes|has|test|startsWith|endsWith)$/.test(c.name.text)) return true;
  }
  return false;
}

/** How a guard uses the value it read: see KeyRead.mode. */
function modeOfRead(read: ts.CallExpression): Pick<KeyRead, 'mode' | 'includes'> {
  let top: ts.Node = read;
  while (
    ts.isAwaitExpression(top.parent) ||
    ts.isParenthesizedExpression(top.parent) ||
    ts.isAsExpression(top.parent) ||
    (ts.isBinaryExpression(top.parent) && top.parent.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken && top.parent.left === top) ||
    // `const skip = get(KEY, getClass()) || get(KEY, getHandler())`: either one set sets what is tested.
    (ts.isBinaryExpression(top.parent) && top.parent.operatorToken.kind === ts.SyntaxKind.BarBarToken)
  ) {
    top = top.parent;
  }
  const holder = ts.isVariableDeclaration(top.parent) && ts.isIdentifier(top.parent.name) ? top.parent.name.text : undefined;
  const fn = enclosingFunction(read);
  if (!fn?.body) return { mode: 'unclear' };
  const isValue = (e: ts.Node): boolean => {
    const u = unwrap(e);
    return u === top || (holder !== undefined && ts.isIdentifier(u) && u.text === holder);
  };
  // In a passport guard's handleRequest, any return (`return user`) lets the request through unrefused.
  const inHandleRequest = ts.isMethodDeclaration(fn) && !!fn.name && propertyNameText(fn.name) === 'handleRequest';
  let mode: KeyRead['mode'] = 'unclear';
  let includes: string | undefined;
  const visit = (n: ts.Node): void => {
    if (mode !== 'unclear') return;
    if (ts.isIfStatement(n) && (returnsTrue(n.thenStatement) || (inHandleRequest && returnsAnything(n.thenStatement)))) {
      const polarity = conditionPolarity(n.expression, isValue);
      if (polarity === 'set') mode = 'skip-when-set';
      else if (polarity === 'unset') mode = 'only-when-set';
      // if (roles?.includes('public')) return true
      const listed = includedValue(n.expression, isValue);
      if (listed !== undefined) {
        mode = 'skip-when-includes';
        includes = listed;
      }
    }
    // return isPublic || super.canActivate(context)
    if (ts.isReturnStatement(n) && n.expression) {
      const e = unwrap(n.expression);
      if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.BarBarToken && isValue(e.left)) mode = 'skip-when-set';
    }
    ts.forEachChild(n, visit);
  };
  visit(fn.body);
  return includes === undefined ? { mode } : { mode, includes };
}

/** `roles?.includes('public')`, alone or as one side of `||`: the value tested for. */
function includedValue(cond: ts.Expression, isValue: (e: ts.Node) => boolean): string | undefined {
  const e = unwrap(cond);
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.BarBarToken) return includedValue(e.left, isValue) ?? includedValue(e.right, isValue);
  if (!ts.isCallExpression(e) || !ts.isPropertyAccessExpression(e.expression) || e.expression.name.text !== 'includes') return undefined;
  const arg = e.arguments[0] && unwrap(e.arguments[0]);
  return isValue(e.expression.expression) && arg && ts.isStringLiteralLike(arg) ? arg.text : undefined;
}

/** `v`, `v && x`, `v || x`, `v === true` → set; `!v`, `!v || x`, `!v?.length` → unset. */
function conditionPolarity(cond: ts.Expression, isValue: (e: ts.Node) => boolean): 'set' | 'unset' | undefined {
  const e = unwrap(cond);
  if (isValue(e)) return 'set';
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) {
    let inner = unwrap(e.operand);
    if (ts.isPropertyAccessExpression(inner) && inner.name.text === 'length') inner = unwrap(inner.expression);
    return isValue(inner) ? 'unset' : undefined;
  }
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    if (op === ts.SyntaxKind.AmpersandAmpersandToken) return conditionPolarity(e.left, isValue) === 'set' ? 'set' : undefined;
    if (op === ts.SyntaxKind.BarBarToken) {
      // `if (isPublic || isTenantAgnostic) return true`: the value set is enough to pass.
      const [l, r] = [conditionPolarity(e.left, isValue), conditionPolarity(e.right, isValue)];
      return l === 'unset' ? 'unset' : l === 'set' || r === 'set' ? 'set' : undefined;
    }
    if ((op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken) && isValue(e.left) && unwrap(e.right).kind === ts.SyntaxKind.TrueKeyword) return 'set';
    // `roles === undefined`, `roles == null`, `typeof roles === 'undefined'`; `roles !== undefined`, `roles != null`.
    const absent = comparedWithAbsence(e, isValue);
    if (absent) return absent;
  }
  return undefined;
}

function comparedWithAbsence(e: ts.BinaryExpression, isValue: (e: ts.Node) => boolean): 'set' | 'unset' | undefined {
  const op = e.operatorToken.kind;
  const equals = op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken;
  const differs = op === ts.SyntaxKind.ExclamationEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken;
  if (!equals && !differs) return undefined;
  // `x === undefined`, `x == null`, or `typeof x === 'undefined'` (the string only beside a typeof).
  const tested = (side: ts.Expression, other: ts.Expression) => {
    const [u, o] = [unwrap(side), unwrap(other)];
    if (o.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(o) && o.text === 'undefined')) return u;
    return ts.isTypeOfExpression(u) && ts.isStringLiteralLike(o) && o.text === 'undefined' ? u.expression : undefined;
  };
  const value = tested(e.left, e.right) ?? tested(e.right, e.left);
  if (!value || !isValue(value)) return undefined;
  return equals ? 'unset' : 'set';
}

function returnsAnything(st: ts.Statement): boolean {
  if (ts.isReturnStatement(st)) return true;
  return ts.isBlock(st) && st.statements.some((s) => ts.isReturnStatement(s));
}

function returnsTrue(st: ts.Statement): boolean {
  if (ts.isReturnStatement(st)) return !!st.expression && isTrue(st.expression);
  if (ts.isBlock(st)) return st.statements.some((s) => ts.isReturnStatement(s) && !!s.expression && isTrue(s.expression));
  return false;
}

function enclosingFunction(n: ts.Node): FunctionNode | undefined {
  for (let p: ts.Node | undefined = n.parent; p; p = p.parent) if (isFunctionNode(p)) return p;
  return undefined;
}
