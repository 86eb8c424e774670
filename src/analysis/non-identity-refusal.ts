import type { FunctionNode } from '../syntax/functions.js';
import { refusalSites, withInitializers } from './refusal-sites.js';
import { ts } from 'ts-morph';
import { unwrap } from '../syntax/resolve.js';

/**
 * Checks that refuse for reasons other than who the caller is: a feature flag (`if (!hasFeature) 403`), a
 * read-only or maintenance switch, a first-run setup guard (`if (workspaceCount > 0) throw Forbidden`), a plan
 * or licence. They answer 403 like an authorisation check, so a refusal alone does not make a guard: a 401
 * (or a login redirect) is about identity by definition; any other refusal is when what it tests mentions the
 * caller, a credential or a permission, and no switch of the deployment or the product gates it.
 */

/** What a test of the caller's identity, credentials or rights mentions (a header or cookie the caller sends is a credential). */
const IDENTITY = /(?<!o)auth|token|jwt|bearer|session|cookie|header|credential|principal|login|user|payload|api[-_]?key|secret|signature|password|account|member|identity|verif|claim|passport|role|admin|permission|scope|grant|rights|owner|privilege|acl|abilit|\bcan\b/i;
/** Switches of the product or the deployment that gate a refusal for everyone; so does a count of records (`hasAnyUsers`). */
const SWITCH = /feature|flag|\bplan\b|quota|maintenance|read_?only|readOnly|settings?\b|license|licence|subscription|isCloud|multi_?tenant|setup|install(ed|ation)?|billing|process\.env|Mode\b|\bhasAny|\bcount\w*\(|resultSize\(|countDocuments\(/i;
/** A switch that names a credential (`authMode`, `token !== process.env.API_KEY`) is part of the authentication. */
const CREDENTIAL_WORD = /auth|token|jwt|bearer|session|cookie|header|credential|password|secret|signature|api[-_]?key/i;
/** What the request carries that is no credential: the browser, the address, a captcha, a CSRF token, the rate. */
const NOT_CREDENTIAL = /user-?agent|isbot|\bbots?\b|captcha|csrf|xsrf|rate-?limit|throttl|referr?er|\borigin\b|x-forwarded-for|remoteAddress|\.ip\b|\bips?\b|allowedIp|country|geo/i;
/** What reads the request: a switch that does (`req.user.plan === 'free'`) is about the caller, not the deployment. */
const CALLER = /\b(req|request|ctx|c)\.|\bgetRequest\(/;
/** A refusal that says "not authenticated" whatever its condition. */
const ABOUT_IDENTITY = /401|unauthori[sz]ed|unauthenticated|login|signin|sign-in|AuthenticationError|NotAuthenticated|AuthError/i;

/**
 * The condition of the first refusal, when the function refuses and no refusal of it is about identity; else
 * undefined. `returnsFalse`: a `return false` refuses too (a Nest guard's 403).
 */
export function refusesOnlyForOtherReasons(fn: FunctionNode, opts: { returnsFalse?: boolean } = {}): string | undefined {
  const sites = refusalSites(fn, opts);
  if (!sites.length) return undefined;
  let first: string | undefined;
  for (const site of sites) {
    if (ABOUT_IDENTITY.test(site.evidence)) return undefined;
    const { conjuncts } = site;
    if (!conjuncts.length) return undefined; // refuses unconditionally: whoever calls
    // `if (req.session.user && req.session.user.is_block) return 403`: only a signed-in caller can be refused, so
    // an anonymous one always passes; a check of the account (blocked, unverified), not of who the caller is.
    const signedIn = conjuncts.find(requiresCaller);
    if (signedIn) {
      first ??= `${site.evidence} only when there is a caller (\`${signedIn.text}\`)`;
      continue;
    }
    // A switch as written (`if (isCloud)`) or as read (`const restrict = adminSettings.get(...)`; `if (restrict && ...)`).
    const isSwitch = (text: string) => SWITCH.test(text) && !CALLER.test(text) && !CREDENTIAL_WORD.test(text);
    const gated = conjuncts.some((c) => isSwitch(c.written) || isSwitch(c.context) || NOT_CREDENTIAL.test(c.context));
    if (!gated && conjuncts.some((c) => IDENTITY.test(c.context))) return undefined;
    first ??= `${site.evidence} when ${conjuncts.map((c) => `\`${c.text}\``).join(' and ')}`;
  }
  return first;
}

/**
 * Whether a test a guard decides by (`return roles.includes(user.role)`, `return platforms.includes(provider) &&
 * config.get(...)`) is about the caller: it mentions the caller, a credential or a permission.
 */
export function testsIdentity(test: ts.Expression, fn: FunctionNode): boolean {
  return IDENTITY.test(withInitializers(test, fn));
}

/** A test that holds only when the caller is present: `req.session.user && ...`, not negated. */
function requiresCaller(c: { expr?: ts.Expression; negated?: boolean }): boolean {
  if (!c.expr || c.negated) return false;
  const operands = (e: ts.Expression): ts.Expression[] => {
    const u = unwrap(e) as ts.Expression;
    return ts.isBinaryExpression(u) && u.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken ? [...operands(u.left), ...operands(u.right)] : [u];
  };
  // The request's own slot (`req.user`, `req.session.user`, `res.locals.user`); a local `user` may be a record looked up.
  return operands(c.expr).some((o) => ts.isPropertyAccessExpression(o) && CALLER_SLOT.test(o.name.text) && REQUEST_BASE.test(o.expression.getText()));
}

const REQUEST_BASE = /^(req|request|ctx|context)(\.session)?$|^res\.locals$/;

/** Where a request holds its signed-in caller. */
const CALLER_SLOT = /^(user|currentUser|principal|sessionUser|loggedInUser)$/;
