import { ts } from 'ts-morph';
import { neverRefuses, testsAbsence } from '../../analysis/optional-auth.js';
import { refusesOnlyForOtherReasons } from '../../analysis/non-identity-refusal.js';
import { findRefusal, isRefusalStatus, refusalAt } from '../../analysis/guard-evidence.js';
import { attachedVerifiers } from '../../analysis/lazy-auth.js';
import { isFunctionNode, returnedExpressions, type FunctionNode } from '../../syntax/functions.js';
import { snippet } from '../../syntax/loc.js';
import { unwrap, type Value } from '../../syntax/resolve.js';
import type { AdapterContext } from '../adapter.js';
import { matchesGuardSpec } from '../configured-guards.js';
import { AUTH_SOUNDING } from '../express/known-middleware.js';
import type { FastifyContext } from './contexts.js';
import type { FastifyInstances } from './instances.js';
import { findHookSkips, type HookSkip } from '../../analysis/hook-skips.js';
import { KNOWN_DECORATOR_GUARDS } from './known-plugins.js';

export type Verdict =
  /** `skips`: conditions under which the guard lets a request through unchecked, decided per route. */
  | { verdict: 'guard'; evidence: string; skips?: HookSkip[] }
  /** `lazy`: verifiers the hook attaches to the request (`request.getCurrentUserId`), which refuse when a handler calls them. */
  | { verdict: 'none'; why: string; lazy?: string[] }
  | { verdict: 'unknown'; reason: string };

/**
 * Decides whether a Fastify hook refuses unauthenticated requests, in order of strength: configured
 * guards, known libraries and decorators, then evidence in its body. A Fastify hook continues by
 * returning (or calling `done()`), so a hook that refuses on some path is a guard. `request.jwtVerify()`
 * refuses with 401 unless the hook swallows its error.
 */
export class FastifyGuardClassifier {
  private readonly byFunction = new Map<ts.Node, Verdict>();

  constructor(
    private readonly ctx: AdapterContext,
    private readonly instances: FastifyInstances,
  ) {}

  /** `scope` is the context the expression is evaluated in: decorators resolve through it and its parents. */
  classify(expr: ts.Expression, scope: FastifyContext, depth = 0): Verdict {
    if (depth > 6) return { verdict: 'unknown', reason: `${snippet(expr)} is nested too deeply to follow` };
    const { config } = this.ctx.project;
    if (matchesGuardSpec(this.ctx, expr, config.guards)) return { verdict: 'guard', evidence: 'named as a guard in the config' };
    if (matchesGuardSpec(this.ctx, expr, config.notGuards)) return { verdict: 'none', why: 'named in the config as not a guard' };
    const e = unwrap(expr);
    if (ts.isArrayLiteralExpression(e)) {
      // `[...requireTenant]` with `requireTenant = [requireAuth, resolveTenant]`: the hooks the constants list.
      const listed = this.listed(e, 0);
      if (listed) return this.all(listed, scope, depth, undefined);
      return this.all(e.elements.filter((x): x is ts.Expression => !ts.isSpreadElement(x)), scope, depth, e);
    }
    if (ts.isCallExpression(e)) return this.classifyCall(e, scope, depth);
    const decorated = this.decoratorOf(e, scope, depth);
    if (decorated) return decorated;
    return this.classifyValue(this.ctx.resolver.value(e), e, scope, depth);
  }

  /** The elements of a hook list, spreads of constant lists expanded; undefined when a spread cannot be read. */
  private listed(list: ts.ArrayLiteralExpression, depth: number): ts.Expression[] | undefined {
    const out: ts.Expression[] = [];
    for (const el of list.elements) {
      if (!ts.isSpreadElement(el)) {
        out.push(el);
        continue;
      }
      const v = this.ctx.resolver.value(el.expression);
      const inner = v.kind === 'node' ? unwrap(v.node) : undefined;
      const expanded = inner && ts.isArrayLiteralExpression(inner) && depth < 4 ? this.listed(inner, depth + 1) : undefined;
      if (!expanded) return undefined;
      out.push(...expanded);
    }
    return out;
  }

  /** Every hook in a list runs in order: one guard protects; otherwise any unknown makes the list unknown. */
  private all(items: ts.Expression[], scope: FastifyContext, depth: number, at: ts.Node | undefined): Verdict {
    if (at && ts.isArrayLiteralExpression(at) && at.elements.some(ts.isSpreadElement)) {
      const rest = items.map((i) => this.classify(i, scope, depth + 1));
      return rest.find((v) => v.verdict === 'guard') ?? { verdict: 'unknown', reason: `${snippet(at)} spreads a list the scan cannot read` };
    }
    const parts = items.map((i) => this.classify(i, scope, depth + 1));
    const guards = parts.filter((p): p is Extract<Verdict, { verdict: 'guard' }> => p.verdict === 'guard');
    return guards.find((g) => !g.skips?.length) ?? guards[0] ?? parts.find((p) => p.verdict === 'unknown') ?? { verdict: 'none', why: 'no guard in the list' };
  }

  /** `fastify.authenticate`: the function decorated under that name in this context or an enclosing one. */
  private decoratorOf(e: ts.Node, scope: FastifyContext, depth: number): Verdict | undefined {
    if (!ts.isPropertyAccessExpression(e)) return undefined;
    if (!this.instances.instanceOf(e.expression)) return undefined;
    const name = e.name.text;
    for (let c: FastifyContext | undefined = scope; c; c = c.parent) {
      const d = c.decorations.get(name);
      if (!d) continue;
      if (d.external) {
        const evidence = KNOWN_DECORATOR_GUARDS[d.external]?.[name];
        return evidence ? { verdict: 'guard', evidence } : { verdict: 'unknown', reason: `${snippet(e)} is decorated by ${d.external}` };
      }
      const v = this.classify(d.value, c, depth + 1);
      return v.verdict === 'guard' ? { ...v, evidence: `decorated as '${name}': ${v.evidence}` } : v;
    }
    return { verdict: 'unknown', reason: `${snippet(e)} is not decorated in this plugin context or an enclosing one the scan can see` };
  }

  private classifyCall(call: ts.CallExpression, scope: FastifyContext, depth: number): Verdict {
    const callee = call.expression;
    // fastify.auth([a, b], { relation: 'and' }) from @fastify/auth.
    if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'auth' && this.instances.instanceOf(callee.expression)) {
      return this.authComposition(call, scope, depth);
    }
    const value = this.ctx.resolver.value(callee);
    if (value.kind === 'external') return this.classifyExternal(value.pkg, value.path);
    if (value.kind === 'node' && isFunctionNode(value.node)) {
      // A factory: requireRole('admin') returns the hook.
      const verdicts = returnedExpressions(value.node).map((r) => this.classifyValue(this.ctx.resolver.value(r), r, scope, depth + 1));
      return (
        verdicts.find((v) => v.verdict === 'guard') ??
        verdicts.find((v) => v.verdict === 'unknown') ??
        verdicts[0] ?? { verdict: 'unknown', reason: `cannot see what ${snippet(callee)}() returns` }
      );
    }
    if (value.kind === 'unknown') return { verdict: 'unknown', reason: `${snippet(call)}: ${value.reason}` };
    return { verdict: 'unknown', reason: `cannot follow ${snippet(call)}` };
  }

  /** `or` (the default) protects only when every alternative is a guard; `and` when any is. */
  private authComposition(call: ts.CallExpression, scope: FastifyContext, depth: number): Verdict {
    const list = call.arguments[0] && unwrap(call.arguments[0]);
    if (!list || !ts.isArrayLiteralExpression(list) || list.elements.some(ts.isSpreadElement)) {
      return { verdict: 'unknown', reason: `${snippet(call)}: the list of strategies cannot be read` };
    }
    let relation = 'or';
    const opts = call.arguments[1] && unwrap(call.arguments[1]);
    if (opts && ts.isObjectLiteralExpression(opts)) {
      for (const p of opts.properties) {
        if (ts.isPropertyAssignment(p) && p.name.getText() === 'relation') {
          const u = unwrap(p.initializer);
          if (!ts.isStringLiteralLike(u)) return { verdict: 'unknown', reason: `${snippet(call)}: the relation is computed` };
          relation = u.text;
        }
      }
    } else if (opts) return { verdict: 'unknown', reason: `${snippet(call)}: the options cannot be read` };
    const parts = list.elements.map((el) => this.classify(el as ts.Expression, scope, depth + 1));
    const name = `fastify.auth(${relation})`;
    if (relation === 'and') {
      const guard = parts.find((p) => p.verdict === 'guard');
      if (guard) return { ...guard, evidence: `${name}: ${(guard as { evidence: string }).evidence}` };
      return parts.find((p) => p.verdict === 'unknown') ?? { verdict: 'none', why: `${name}: no strategy authenticates` };
    }
    // `verifyRoute` that passes GETs and listed routes and throws otherwise: a gate in front of the other
    // alternatives, not one that opens every route. Where it passes, the composition lets the request through.
    // A strategy that throws unless its credential check passes refuses: @fastify/auth answers 401 when all fail.
    parts.forEach((p, i) => {
      const check = p.verdict === 'none' ? this.failsUnlessChecked(list.elements[i] as ts.Expression) : undefined;
      if (check) parts[i] = { verdict: 'guard', evidence: check };
    });
    const gates = parts.map((p, i) => (p.verdict === 'none' ? this.passesOnlyWhere(list.elements[i] as ts.Expression) : undefined));
    const open = parts.findIndex((p, i) => p.verdict === 'none' && !gates[i]);
    if (open >= 0) return { verdict: 'none', why: `${name}: the alternative ${snippet(list.elements[open])} lets requests through` };
    if (parts.every((p, i) => p.verdict === 'none' && gates[i])) return { verdict: 'none', why: `${name}: no alternative establishes who the caller is` };
    const unknown = parts.find((p) => p.verdict === 'unknown');
    if (unknown) return unknown;
    if (!parts.length) return { verdict: 'none', why: `${name} with no strategies` };
    // Any alternative that lets some route's requests through unchecked lets them through the composition.
    const skips = parts.flatMap((p, i) => (p.verdict === 'guard' ? (p.skips ?? []) : (gates[i] ?? [])));
    const evidence = parts.map((p, i) => (p.verdict === 'guard' ? p.evidence : `${snippet(list.elements[i]!)} refuses where it does not let the request through`));
    return { verdict: 'guard', evidence: `${name}: every alternative refuses (${evidence.join('; ')})`, ...(skips.length ? { skips } : {}) };
  }

  /**
   * A strategy whose last statement throws and that returns only inside tests of what it verified (`if (cookies.token)
   * { if (verifyToken(token)) return }`), none of them the absence of a credential: it fails every request whose
   * credential does not check out. Its evidence, or undefined.
   */
  private failsUnlessChecked(expr: ts.Expression): string | undefined {
    const strategy = this.throwingStrategy(expr);
    if (!strategy || !CREDENTIAL.test(strategy.body.getText())) return undefined;
    const { fn, last } = strategy;
    const exits = returnsIn(fn);
    if (!exits.length) return undefined;
    for (const exit of exits) {
      const tests = enclosingIfs(exit, fn);
      if (!tests.length || tests.some((t) => !t.inThen || testsAbsence(t.test.expression))) return undefined;
    }
    const { skips } = findHookSkips(fn);
    if (skips.length) return undefined;
    return `${snippet(expr)} throws unless its credential check passes (\`${snippet(last, 40)}\`)`;
  }

  /** A strategy function whose body's last statement throws (it fails unless it returned before). */
  private throwingStrategy(expr: ts.Expression): { fn: FunctionNode; body: ts.Block; last: ts.ThrowStatement } | undefined {
    const value = this.ctx.resolver.value(expr);
    const fn = value.kind === 'node' && isFunctionNode(value.node) ? value.node : undefined;
    const body = fn?.body;
    if (!fn || !body || !ts.isBlock(body)) return undefined;
    const last = body.statements[body.statements.length - 1];
    return last && ts.isThrowStatement(last) ? { fn, body, last } : undefined;
  }

  /**
   * The skips of a strategy that lets a request through only on route conditions and throws otherwise (its last
   * statement): every `return` sits in one of those conditions. Undefined for any other shape.
   */
  private passesOnlyWhere(expr: ts.Expression): HookSkip[] | undefined {
    const fn = this.throwingStrategy(expr)?.fn;
    if (!fn) return undefined;
    const { skips, optional } = findHookSkips(fn);
    if (optional || !skips.length || skips.some((s) => s.negated)) return undefined;
    const exits = returnsIn(fn);
    const inSkip = (n: ts.Node) => skips.some((s) => ts.isIfStatement(s.when.parent) && n.getStart() >= s.when.parent.thenStatement.getStart() && n.getEnd() <= s.when.parent.thenStatement.getEnd());
    return exits.every(inSkip) ? skips : undefined;
  }

  private classifyValue(value: Value, at: ts.Node, scope: FastifyContext, depth: number): Verdict {
    switch (value.kind) {
      case 'external':
        return this.classifyExternal(value.pkg, value.path);
      case 'param':
        return { verdict: 'unknown', reason: `${snippet(at)} is passed in as a parameter` };
      case 'unknown':
        return { verdict: 'unknown', reason: `${snippet(at)}: ${value.reason}` };
      case 'module':
      case 'instance':
        return { verdict: 'unknown', reason: `${snippet(at)} is not a function` };
      case 'node': {
        const node = unwrap(value.node);
        if (isFunctionNode(node)) return this.classifyFunction(node, scope);
        if (ts.isCallExpression(node) || ts.isArrayLiteralExpression(node)) return this.classify(node as ts.Expression, scope, depth + 1);
        if (ts.isPropertyAccessExpression(node)) return this.decoratorOf(node, scope, depth + 1) ?? { verdict: 'unknown', reason: `cannot tell what ${snippet(at)} is` };
        return { verdict: 'unknown', reason: `cannot tell what ${snippet(at)} is` };
      }
    }
  }

  private classifyExternal(pkg: string, path: string[]): Verdict {
    const name = [pkg, ...path].join('.');
    if (AUTH_SOUNDING.test(name)) {
      return { verdict: 'unknown', reason: `${name} comes from a package the scan cannot read; name it in the config's guards or notGuards` };
    }
    return { verdict: 'none', why: `${name} is not an authentication library` };
  }

  classifyFunction(fn: FunctionNode, scope: FastifyContext, depth = 0): Verdict {
    const cached = this.byFunction.get(fn);
    if (cached) return cached;
    this.byFunction.set(fn, { verdict: 'none', why: 'recursive' });
    const verdict = this.evidenceIn(fn, scope, depth);
    this.byFunction.set(fn, verdict);
    return verdict;
  }

  private evidenceIn(fn: FunctionNode, scope: FastifyContext, depth: number): Verdict {
    const lazy = lazyVerifiers(fn);
    if (lazy) return lazy;
    const { skips, optional } = findHookSkips(fn);
    if (optional) return { verdict: 'none', why: `lets requests without credentials through (\`if (${optional}) return\`): optional authentication` };
    const withSkips = (v: Verdict): Verdict => (v.verdict === 'guard' && skips.length ? { ...v, skips: [...skips, ...(v.skips ?? [])] } : v);
    const jwt = jwtVerifyIn(fn);
    if (jwt?.refuses) return withSkips({ verdict: 'guard', evidence: jwt.evidence });
    const refusal = findRefusal(fn.body ?? fn) ?? findStatusErrorThrow(fn.body ?? fn);
    const other = refusal && refusesOnlyForOtherReasons(fn);
    if (other) return { verdict: 'none', why: `${other}: a check of something other than who the caller is` };
    if (refusal) return withSkips({ verdict: 'guard', evidence: refusal.evidence });
    // Delegation, one call deep: a decorated guard or a project function that refuses.
    if (depth < 1 && fn.body) {
      for (const call of callsOf(fn.body)) {
        const callee = unwrap(call.expression);
        const decorated = this.decoratorOf(callee, scope, depth + 1);
        if (decorated?.verdict === 'guard') return withSkips({ ...decorated, evidence: `calls ${snippet(callee)}: ${decorated.evidence}` });
        const v = this.ctx.resolver.value(callee);
        if (v.kind === 'node' && isFunctionNode(v.node) && v.node !== fn) {
          const inner = this.classifyFunction(v.node, scope, depth + 1);
          if (inner.verdict === 'guard') return withSkips({ ...inner, evidence: `${snippet(callee)}() ${inner.evidence}` });
        }
      }
    }
    if (jwt) return { verdict: 'none', why: jwt.evidence };
    return neverRefuses(fn, this.ctx.resolver);
  }
}

/**
 * A hook that refuses nobody itself but attaches verifiers that refuse when called (lazy authentication): not
 * a guard; the verifiers' names go with the verdict so a handler that calls one counts as protected inline.
 */
function lazyVerifiers(fn: FunctionNode): Verdict | undefined {
  const attached = attachedVerifiers(fn);
  if (!attached.size || !fn.body) return undefined;
  const inside = new Set<ts.Node>(attached.values());
  let direct = false;
  const visit = (n: ts.Node): void => {
    if (direct || inside.has(n)) return;
    if (refusalAt(n) || (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'jwtVerify')) direct = true;
    else ts.forEachChild(n, visit);
  };
  visit(fn.body);
  if (direct) return undefined;
  const refusing = [...attached].filter(([, f]) => jwtVerifyIn(f)?.refuses || findRefusal(f.body ?? f) || findStatusErrorThrow(f.body ?? f)).map(([name]) => name);
  if (!refusing.length) return undefined;
  const calls = refusing.map((name) => `request.${name}()`).join(', ');
  return { verdict: 'none', why: `only attaches ${calls}, which refuse${refusing.length > 1 ? '' : 's'} when a handler calls ${refusing.length > 1 ? 'them' : 'it'}: lazy authentication`, lazy: refusing };
}

/**
 * `request.jwtVerify()` (from @fastify/jwt) throws a 401 error for a missing or bad token. It refuses
 * unless the function catches that error and carries on.
 */
export function jwtVerifyIn(fn: FunctionNode): { refuses: boolean; evidence: string } | undefined {
  let result: { refuses: boolean; evidence: string } | undefined;
  const visit = (n: ts.Node): void => {
    if (result?.refuses) return;
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'jwtVerify') {
      const swallowed = swallowedBy(n, fn);
      result = swallowed
        ? { refuses: false, evidence: `${snippet(n)} errors are caught and the request continues` }
        : { refuses: true, evidence: `${snippet(n)} rejects a missing or invalid token with 401` };
      if (!swallowed) return;
    }
    ts.forEachChild(n, visit);
  };
  if (fn.body) visit(fn.body);
  return result;
}

/** Whether an error thrown by `call` is caught and not turned into a refusal. */
function swallowedBy(call: ts.CallExpression, fn: FunctionNode): boolean {
  // request.jwtVerify().catch(() => ...)
  const parent = call.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name.text === 'catch' && ts.isCallExpression(parent.parent)) {
    const handler = parent.parent.arguments[0];
    return !(handler && isFunctionNode(unwrap(handler)) && handlerRefuses(unwrap(handler) as FunctionNode));
  }
  for (let n: ts.Node = call; n !== fn && n.parent; n = n.parent) {
    const p = n.parent;
    if (ts.isTryStatement(p) && p.tryBlock === n && p.catchClause) return !catchRefuses(p.catchClause);
  }
  return false;
}

function catchRefuses(clause: ts.CatchClause): boolean {
  const errName = clause.variableDeclaration && ts.isIdentifier(clause.variableDeclaration.name) ? clause.variableDeclaration.name.text : undefined;
  return blockRefuses(clause.block, errName);
}

function handlerRefuses(fn: FunctionNode): boolean {
  const p = fn.parameters[0];
  return fn.body ? blockRefuses(fn.body, p && ts.isIdentifier(p.name) ? p.name.text : undefined) : false;
}

/** A catch block refuses when it rethrows, sends the error (it carries statusCode 401), or responds 401/403. */
function blockRefuses(block: ts.Node, errName: string | undefined): boolean {
  if (findRefusal(block)) return true;
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isThrowStatement(n)) found = true;
    if (ts.isCallExpression(n) && errName && n.arguments.some((a) => ts.isIdentifier(unwrap(a)) && (unwrap(a) as ts.Identifier).text === errName)) {
      const name = ts.isPropertyAccessExpression(n.expression) ? n.expression.name.text : ts.isIdentifier(n.expression) ? n.expression.text : '';
      if (/^(send|done|next|reject)$/.test(name)) found = true;
    }
    if (!found && !(isFunctionNode(n) && n !== block)) ts.forEachChild(n, visit);
  };
  visit(block);
  return found;
}

/** `throw Object.assign(new Error('...'), { statusCode: 401 })`: Fastify answers with the error's statusCode. */
function findStatusErrorThrow(root: ts.Node): { evidence: string } | undefined {
  let found: { evidence: string } | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isThrowStatement(n) && n.expression) {
      const e = unwrap(n.expression);
      if (ts.isCallExpression(e) && e.expression.getText().replace(/\s/g, '') === 'Object.assign') {
        for (const arg of e.arguments.slice(1)) {
          const obj = unwrap(arg);
          if (!ts.isObjectLiteralExpression(obj)) continue;
          for (const p of obj.properties) {
            if (ts.isPropertyAssignment(p) && /^(statusCode|status)$/.test(p.name.getText()) && isRefusalStatus(p.initializer)) {
              found = { evidence: `throws an error with statusCode ${p.initializer.getText()}` };
            }
          }
        }
      }
    }
    if (!found && !(isFunctionNode(n) && n !== root && n.parent !== root)) ts.forEachChild(n, visit);
  };
  visit(root);
  return found;
}

function callsOf(body: ts.Node): ts.CallExpression[] {
  const out: ts.CallExpression[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n)) out.push(n);
    ts.forEachChild(n, visit);
  };
  visit(body);
  return out;
}

/** Words of a credential a strategy reads. */
const CREDENTIAL = /token|authorization|cookie|session|api-?key|bearer|jwt/i;

/** The return statements of a function, not of the functions inside it. */
function returnsIn(fn: FunctionNode): ts.ReturnStatement[] {
  const out: ts.ReturnStatement[] = [];
  const visit = (n: ts.Node): void => {
    if (n !== fn && isFunctionNode(n)) return;
    if (ts.isReturnStatement(n)) out.push(n);
    ts.forEachChild(n, visit);
  };
  visit(fn);
  return out;
}

/** The `if`s a node sits in within `fn`, innermost first, and whether it sits in their then-branch. */
function enclosingIfs(node: ts.Node, fn: FunctionNode): { test: ts.IfStatement; inThen: boolean }[] {
  const out: { test: ts.IfStatement; inThen: boolean }[] = [];
  for (let child = node, p = node.parent; p && p !== fn; child = p, p = p.parent) {
    if (ts.isIfStatement(p) && child !== p.expression) out.push({ test: p, inThen: child === p.thenStatement });
  }
  return out;
}
