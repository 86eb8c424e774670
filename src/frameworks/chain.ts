import { ts } from 'ts-morph';
import { unwrap } from '../syntax/resolve.js';
import type { Guard, RouteAuth } from '../model/types.js';
import { AUTH_SOUNDING } from './express/known-middleware.js';
import { isSignatureCheckName } from '../analysis/handler-signals.js';

/** One step that runs before a handler, already classified by its framework adapter. */
export type ChainLink =
  | { verdict: 'guard'; guard: Guard }
  /**
   * `note`: why an auth-sounding step is not a guard, so the route's reason can say it. `skippedBy`: a guard that
   * lets this route's requests through on a condition the project wrote (a skip list of public paths).
   */
  | { verdict: 'none'; note?: string; skippedBy?: string; bypass?: string }
  | { verdict: 'unknown'; reason: string };

/**
 * Three-valued status of a chain: protected with any guard (the guards are the evidence), unknown
 * when something could not be resolved (with every reason), unprotected only when fully resolved.
 */
export function statusOfChain(links: ChainLink[], unresolved: string[] = []): RouteAuth {
  const guards = links.flatMap((l) => (l.verdict === 'guard' ? [l.guard] : []));
  // Only sign-in steps (a password form, an OAuth redirect or callback): the route signs people in.
  if (guards.length && guards.every((g) => g.signIn) && !links.some((l) => l.verdict === 'unknown')) {
    return { status: 'public', guards: [], reason: `sign-in step: ${guards[0].name} (${guards[0].signIn})` };
  }
  // Only checks of a webhook's sender: the route takes events from a service, not requests from users.
  if (guards.length && guards.every((g) => g.verifiesSender) && !links.some((l) => l.verdict === 'unknown')) {
    return { status: 'public', guards: [], reason: `webhook: ${guards[0].name} checks the sender (${guards[0].verifiesSender})` };
  }
  if (guards.length) return { status: 'protected', guards };
  const reasons = [...unresolved, ...links.flatMap((l) => (l.verdict === 'unknown' ? [l.reason] : []))];
  if (reasons.length) return { status: 'unknown', guards: [], reason: [...new Set(reasons)].join('; ') };
  const notes = [...new Set(links.flatMap((l) => (l.verdict === 'none' && l.note ? [l.note] : [])))];
  const bypass = [...new Set(links.flatMap((l) => (l.verdict === 'none' && l.bypass ? [l.bypass] : [])))];
  if (bypass.length) return { status: 'unprotected', guards: [], reason: bypass.join('; '), bypass };
  const skipped = [...new Set(links.flatMap((l) => (l.verdict === 'none' && l.skippedBy ? [l.skippedBy] : [])))];
  if (skipped.length) return { status: 'unprotected', guards: [], reason: skipped.join('; '), skipped };
  const reason = 'no middleware that authenticates runs before the handler';
  if (!notes.length) return { status: 'unprotected', guards: [], reason };
  const optional = notes.filter((n) => ADMITS_ANONYMOUS.test(n));
  return { status: 'unprotected', guards: [], reason: `${reason} (${notes.join('; ')})`, ...(optional.length ? { optional } : {}) };
}

/** Verdicts of authentication that admits anonymous callers on purpose (optional authentication). */
const ADMITS_ANONYMOUS = /optional|credentialsRequired|authRequired|lets requests/;
/** The verdict of a wrapper that hands some requests to a guard and lets the others through. */
const WRAPS_GUARD = /^lets requests through without /;
/** Verdicts worth telling: the step authenticates in some way, yet lets anonymous requests through. */
const LOOKS_LIKE_AUTH_BUT = new RegExp(`${ADMITS_ANONYMOUS.source}|only attaches|never refuses a request`);

/**
 * A step that is not a guard, with a note when it looks like authentication but lets anonymous requests
 * through (`auth: optional authentication`): otherwise a reader sees `auth` before the handler and
 * takes the finding for a false alarm. Not for rate limiters, validators or passport.initialize().
 */
export function notAGuard(name: string, why: string | undefined): ChainLink {
  const callee = name.split('(')[0];
  // A wrapper that runs a guard for some requests only says so in its verdict, whatever it is called.
  const wrapsGuard = !!why && WRAPS_GUARD.test(why);
  return why && (AUTH_SOUNDING.test(callee) || wrapsGuard) && LOOKS_LIKE_AUTH_BUT.test(why) ? { verdict: 'none', note: `${name}: ${why}` } : { verdict: 'none' };
}

/** The verdict for input validation, whatever the scan could read of it. */
export const VALIDATION_NOT_GUARD = { verdict: 'none', why: 'validates input; does not authenticate' } as const;

/**
 * `validateParams(schema)`, `validateJsonBody(x)`, `zValidator('json', s)`: a project's input validation, which
 * refuses bad input, never an anonymous caller. When the scan cannot follow one, it is still no guard, and it
 * does not make the chain unknown. Names about credentials (`validateToken`, `validateSession`) are not this.
 */
export function isInputValidation(call: ts.CallExpression): boolean {
  const callee = call.expression;
  const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
  return /^(validate|validate[A-Z]\w*|\w*Validator|validator|celebrate|checkSchema)$/.test(name) && !/token|session|auth|jwt|user|key|signature|request|credential|permission|role|access/i.test(name);
}

/** Joins route path parts the way routers do: one slash between parts, no trailing slash. */
export function joinPaths(...parts: string[]): string {
  const joined = ('/' + parts.filter(Boolean).join('/')).replace(/\/+/g, '/');
  return joined.length > 1 ? joined.replace(/\/$/, '') : joined;
}

/** Whether middleware mounted at `scope` runs for a route at `path` (segment-wise; `:param` and `*` match any). */
export function scopeCovers(scope: string, path: string): boolean {
  if (scope === '' || scope === '/') return true;
  const s = scope.split('/').filter(Boolean);
  const p = path.split('/').filter(Boolean);
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '*' || s[i].startsWith('*')) return true;
    if (i >= p.length) return false;
    if (s[i].startsWith(':')) continue;
    if (s[i] !== p[i]) return false;
  }
  return true;
}

/** Stable route id: never line numbers, so it survives edits above the route. */
export function routeId(framework: string, method: string, path: string, handlerFile: string, handlerName?: string): string {
  return `${framework} ${method} ${path} ${handlerFile}#${handlerName ?? ''}`;
}

/**
 * What makes a guard a check of a webhook's sender (Guard.verifiesSender): the signature check its body makes
 * (`found`), or its name when it is named for one (`verifySlackSignature`, `auth.verifyWebhook(...)`).
 */
export function senderCheck(expr: ts.Expression, found: string | undefined): string | undefined {
  if (found) return found;
  const e = unwrap(expr);
  const target = ts.isCallExpression(e) ? unwrap(e.expression) : e;
  const name = ts.isPropertyAccessExpression(target) ? target.name.text : ts.isIdentifier(target) ? target.text : '';
  return isSignatureCheckName(name) ? `named for it: ${name}` : undefined;
}
