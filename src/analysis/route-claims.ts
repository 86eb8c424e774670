import type { DataAccess, HandlerFacts } from '../model/facts.js';
import type { Config } from '../model/config.js';
import type { Evidence, EvidenceKind, Route } from '../model/types.js';
import { readsArePublic } from './identity-fields.js';
import { ATTACHES_CALLER } from './optional-auth.js';

/**
 * Whether a route that no guard protects is a hole, decided from evidence both ways (see
 * rules/missing-auth.md): what its handler does, its path and name, and the routes around it.
 * - needs authentication: it reads the caller's identity, writes user-owned records or accounts, is
 *   administrative, is the one open route among guarded siblings, or changes data beside routes that
 *   authenticate: `route.auth.evidence` lists why, and missing-auth reports an error;
 * - public by design: it signs people in, probes health, serves docs, well-known files or pages, takes
 *   signed webhooks, reads only unowned data, or runs behind optional authentication: the status becomes
 *   `public` with the reason, and nothing is reported;
 * - neither: `evidence` is empty, and missing-auth says so in a warning.
 *
 * The routes around a route are its neighbours: those registered in the same file (a router, a controller, a
 * plugin), written and guarded together. Only they are compared, so a claim depends on one file's routes, and
 * an open route's chain files take in its neighbours' (an edit that unguards a neighbour re-judges it).
 */
export function settleClaims(routes: { route: Route; facts?: HandlerFacts }[], opts: { inferPublic: boolean; config: Config }): void {
  const byFile = new Map<string, Route[]>();
  const fileOf = (route: Route) => `${route.framework} ${route.loc.file}`;
  for (const { route } of routes) {
    const list = byFile.get(fileOf(route));
    if (list) list.push(route);
    else byFile.set(fileOf(route), [route]);
  }
  const neighbourhoods = new Map([...byFile].map(([key, list]) => [key, neighbourhood(list)]));
  const app = neighbourhood(routes.map((r) => r.route));
  const namespaces = appNamespaces(routes.map((r) => r.route));

  for (const { route, facts } of routes) {
    if (route.auth.status !== 'unprotected') continue;
    const near = neighbourhoods.get(fileOf(route))!;
    if (near.chainFiles.length) route.chainFiles = [...new Set([...(route.chainFiles ?? []), ...near.chainFiles])].sort();
    const { needs, appWide } = needsEvidence(route, facts, near, app.writes, opts.config, namespaces);
    // Judged against the whole app's writes: a change to any of them re-judges this route.
    if (appWide) route.chainFiles = [...new Set([...(route.chainFiles ?? []), ...app.writeFiles])].sort();
    const open = publicEvidence(route, facts, near);
    const verdict = decide(needs, open, route.path);
    if (verdict === 'public' && opts.inferPublic) {
      route.auth = { ...route.auth, status: 'public', reason: `public by design: ${open[0].message}`, evidence: open };
    } else if (needs.length) {
      route.auth = { ...route.auth, evidence: needs };
    }
  }
}

function decide(needs: Evidence[], open: Evidence[], path: string): 'public' | 'needs' {
  if (!open.length) return 'needs';
  // The project's own guard names this path in its skip list: a declaration, as `publicRoutes` is, unless the
  // route administers the app or changes accounts.
  if (open.some((e) => e.kind === 'skip-listed') && !needs.some((e) => DECLARATION_OVERRIDDEN_BY.has(e.kind))) return 'public';
  // What the handler does outweighs where the route stands: an open sign-in next to guarded account routes.
  if (!needs.some((e) => STRONG.has(e.kind))) return 'public';
  const kinds = new Set(open.map((e) => e.kind));
  // Sign-in, sign-out, refresh and reset flows read the session they end or renew and write the account they
  // sign in and its records; a hole in one of them changes an account picked by the client without checking a credential.
  const authFlow = kinds.has('auth-flow') || kinds.has('issues-credentials') || kinds.has('checks-credentials');
  if (authFlow && needs.every((e) => FLOW_TOLERATES.has(e.kind) || (e.kind === 'administrative' && inSignInArea(path)))) return 'public';
  // A signed webhook reads and writes the records its sender's event names.
  if (kinds.has('verifies-signature') && needs.every((e) => SIGNED_TOLERATES.has(e.kind))) return 'public';
  // Optional authentication on purpose: the handler reads the caller when there is one.
  // Middleware that only attaches whoever the request names runs for guarded and open routes alike: it says the
  // handler may read the caller, not that the route was meant to be open beside guarded siblings.
  const attachOnly = open.filter((e) => e.kind === 'optional-auth').every((e) => e.message.includes(ATTACHES_CALLER));
  if (kinds.has('optional-auth') && needs.every((e) => e.kind === 'reads-principal' || (e.kind === 'guarded-siblings' && !attachOnly))) return 'public';
  // A handler written for anonymous callers (it reads the caller only when there is one) also reads what it serves
  // them: `where: viewer ? { ownerId: viewer } : { visibility: 'public' }`. Optional middleware in front of a handler
  // that reads private data is the maintainer's call instead (a warning naming both).
  const handlerOptional = open.some((e) => e.kind === 'optional-auth' && !e.message.startsWith(OPTIONAL_MIDDLEWARE));
  if (handlerOptional && needs.every((e) => e.kind === 'reads-principal' || e.kind === 'reads-owned-data' || e.kind === 'lists-accounts' || e.kind === 'guarded-siblings')) return 'public';
  return 'needs';
}

/**
 * An administrator signs in too: `/admin/auth/login`, `/auth/admin/otp/:email` are the sign-in of the admin area, not
 * part of it. Only under a sign-in segment: `/admin/users/register` is an administrator creating accounts.
 */
function inSignInArea(path: string): boolean {
  return path.split('/').some((s) => SIGN_IN_AREA.test(s));
}
const SIGN_IN_AREA = /^(auth|oauth|oauth2|sso|login|logout|log-in|log-out|signin|signout|sign-in|sign-out|session|sessions)$/i;

const DECLARATION_OVERRIDDEN_BY = new Set<EvidenceKind>(['administrative', 'writes-account', 'skip-bypass']);
// Signing up creates the account's first records (an organisation, a profile); signing in looks the account up, and
// with a passkey updates its counter: the caller's own records, picked by the credential. Changing an account the
// client names is not this.
const FLOW_TOLERATES = new Set<EvidenceKind>(['reads-principal', 'changes-state', 'guarded-siblings', 'reads-owned-data', 'lists-accounts', 'writes-owned-data']);
const SIGNED_TOLERATES = new Set<EvidenceKind>(['reads-owned-data', 'lists-accounts', 'writes-owned-data', 'writes-account', 'changes-state', 'guarded-siblings']);
/** What the handler itself does or is: outweighs public-looking evidence. The rest is about its neighbours. */
const STRONG = new Set<EvidenceKind>(['skip-bypass', 'reads-principal', 'reads-owned-data', 'lists-accounts', 'writes-owned-data', 'writes-account', 'administrative', 'unverified-webhook', 'exposes-environment']);

// ---------------------------------------------------------------------------------------------------
// Needs authentication

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const READS = new Set(['GET', 'HEAD', 'ALL']);
const WEBHOOK_SEGMENT = /^(webhook|webhooks|web-hooks|ipn)$/i;
const ADMIN_SEGMENT = /^(admin|admins|administrator|administration|superadmin|super-admin|backoffice|back-office|internal|debug|_debug|__debug__)$/i;
/** Segments that also name the API a project's own front end calls (`/internal/api/v1/...`), as opposed to its public one. */
const NAMESPACE_CAPABLE = /^internal$/i;

/**
 * `internal` heading most of an app's routes (at least ten), sign-in and public ones among them: the app's own API,
 * not an area kept for operators, so it is no evidence that a route under it needs authentication.
 */
function appNamespaces(routes: Route[]): Set<string> {
  if (routes.length < 10) return new Set();
  const counts = new Map<string, number>();
  for (const r of routes) {
    for (const seg of new Set(r.path.split('/').map((x) => x.toLowerCase()))) if (NAMESPACE_CAPABLE.test(seg)) counts.set(seg, (counts.get(seg) ?? 0) + 1);
  }
  return new Set([...counts].filter(([, n]) => n * 2 > routes.length).map(([seg]) => seg));
}

/** The evidence that the route needs authentication; `appWide` when it was judged against the whole app's writes. */
function needsEvidence(route: Route, facts: HandlerFacts | undefined, near: Neighbourhood, appWrites: Neighbourhood['writes'], config: Config, namespaces: ReadonlySet<string>): { needs: Evidence[]; appWide: boolean } {
  const out: Evidence[] = [];
  if (route.auth.bypass?.length) out.push(ev('skip-bypass', route.auth.bypass[0], route.loc));
  const principal = facts?.signals?.find((s) => s.kind === 'reads-principal');
  if (principal) out.push(principal);
  // One piece of evidence per kind: the first account change, the first owned write, the first owned read.
  const seen = new Set<EvidenceKind>();
  const add = (e: Evidence) => {
    if (!seen.has(e.kind)) out.push(e);
    seen.add(e.kind);
  };
  for (const a of facts?.dataAccesses ?? []) {
    const call = a.expression.split('(')[0];
    if (a.userRecord) {
      if (a.kind === 'list') add(ev('lists-accounts', `lists user accounts (\`${call}\`)`, a.loc));
      else if ((a.kind === 'update' || a.kind === 'delete') && a.byRequestId && !a.scopedBy) {
        add(ev('writes-account', `${a.kind === 'delete' ? 'deletes' : 'changes'} a user account picked by \`${a.idExpression ?? 'the request'}\``, a.loc));
      }
      continue;
    }
    if (!a.ownerField || CREDENTIAL_MODEL.test(a.model ?? '') || RECORD_KEEPING.test(a.model ?? '')) continue;
    const owned = `${a.model ?? 'records'} owned by users (\`${call}\`, owner \`${a.ownerField}\`)`;
    if ((a.kind === 'read' || a.kind === 'list') && !readsArePublic(a.model, a.ownerField, config)) add(ev('reads-owned-data', `${a.kind === 'list' ? 'lists' : 'reads'} ${owned}`, a.loc));
    else if (a.kind === 'create' || a.kind === 'update' || a.kind === 'delete') add(ev('writes-owned-data', `${verb(a.kind)} ${owned}`, a.loc));
  }
  const webhook = route.path.split('/').find((s) => WEBHOOK_SEGMENT.test(s));
  if (webhook && STATE_CHANGING.has(route.method.toUpperCase()) && !facts?.signals?.some((s) => s.kind === 'verifies-signature')) {
    out.push(ev('unverified-webhook', `webhook \`/${webhook}\` whose handler checks no signature: anyone can post events to it`, route.loc));
  }
  const environment = facts?.signals?.find((s) => s.kind === 'exposes-environment');
  if (environment) out.push(environment);
  const admin = route.path.split('/').find((s) => ADMIN_SEGMENT.test(s) && !namespaces.has(s.toLowerCase()));
  if (admin) out.push(ev('administrative', `administrative path \`/${admin}\``, route.loc));

  // Beside it: a guarded route of the same resource, a write among guarded writes, routes that authenticate.
  const method = route.method.toUpperCase();
  const writing = STATE_CHANGING.has(method);
  const siblings = near.guardedByResource.get(resourceOf(route.path)) ?? [];
  // A change to a record beside a guarded one stands out whatever the method; a create on a collection (`POST /users`
  // beside a guarded `GET /users`) is the usual open write (a sign-up, a contact form): only a guarded create counts.
  const creates = method === 'POST' && !/\/[:{*]/.test(route.path);
  const outlierOf = siblings.find((s) => s.method.toUpperCase() === method || (writing && !creates));
  const write = facts?.dataAccesses.find(changesData);
  const { writes } = near;
  const elsewhere = { guarded: appWrites.guarded - writes.guarded, all: appWrites.all - writes.all };
  if (outlierOf) {
    out.push(ev('guarded-siblings', `${outlierOf.method} ${outlierOf.path} on the same resource is guarded (${outlierOf.auth.guards[0]?.name ?? 'guard'})`, outlierOf.loc));
  } else if (writing && write && near.guardedByResource.size > 0) {
    out.push(ev('changes-state', `changes data (\`${write.expression.split('(')[0]}\`) while routes beside it authenticate`, write.loc));
  } else if (writing && !out.length && writes.all >= 3 && writes.guarded >= GUARDED_SHARE * writes.all) {
    out.push(ev('guarded-siblings', `${writes.guarded} of the ${writes.all} routes beside it that change data are guarded`, route.loc));
  } else if (method !== 'POST' && writing && write && elsewhere.all >= APP_WRITES && elsewhere.guarded >= GUARDED_SHARE * elsewhere.all) {
    // A whole router or controller left open in an app that guards its writes: an update or a delete stands out;
    // a POST may be a contact form, a guest order or a subscription picked by the link (`/lists/:id/subscribe`).
    out.push(ev('changes-state', `changes data (\`${write.expression.split('(')[0]}\`) while ${elsewhere.guarded} of the ${elsewhere.all} routes of the app's other files that change data are guarded`, write.loc));
    return { needs: out, appWide: true };
  }
  return { needs: out, appWide: false };
}

/** Records that are credentials: writing them is signing someone in or out, not changing their data. */
const CREDENTIAL_MODEL = /token|session|verification|otp|passcode|nonce|challenge|magic|reset|recovery|invite|invitation/i;

/** Logs and counters a handler appends to as a side effect: writing them changes nobody's data. */
const RECORD_KEEPING = /log|audit|event|activit|telemetry|metric|analytic|histor|tracking|usage/i;

/** Share of an app's state-changing routes that must be guarded before an open one stands out. */
const GUARDED_SHARE = 0.8;
/** How many guarded state-changing routes (and no guarded read) make a file's open reads public by design. */
const OPEN_READS_WRITES = 3;
/** How many state-changing routes an app needs before its share says anything. */
const APP_WRITES = 5;

/** What the routes of one file say about each other: which resources are guarded, how many writes are. */
interface Neighbourhood {
  guardedByResource: Map<string, Route[]>;
  writes: { guarded: number; all: number };
  /** Some read (GET/HEAD) among these routes is guarded. */
  guardsReads: boolean;
  /** The files that register those state-changing routes. */
  writeFiles: string[];
  chainFiles: string[];
}

function neighbourhood(routes: Route[]): Neighbourhood {
  const guardedByResource = new Map<string, Route[]>();
  const writes = { guarded: 0, all: 0 };
  const writeFiles = new Set<string>();
  const chainFiles = new Set<string>();
  let guardsReads = false;
  for (const r of routes) {
    for (const f of r.chainFiles ?? []) chainFiles.add(f);
    if (r.auth.status === 'protected') {
      if (READS.has(r.method.toUpperCase())) guardsReads = true;
      const key = resourceOf(r.path);
      const list = guardedByResource.get(key);
      if (list) list.push(r);
      else guardedByResource.set(key, [r]);
    }
    if (!STATE_CHANGING.has(r.method.toUpperCase()) || r.auth.status === 'public' || r.auth.status === 'unknown') continue;
    writes.all++;
    writeFiles.add(r.loc.file);
    if (r.auth.status === 'protected') writes.guarded++;
  }
  return { guardedByResource, writes, guardsReads, writeFiles: [...writeFiles], chainFiles: routes.length > 1 ? [...chainFiles] : [] };
}

/** A write that changes data, not a log line or a credential. */
const changesData = (a: DataAccess) => a.kind !== 'read' && a.kind !== 'list' && !RECORD_KEEPING.test(a.model ?? '') && !CREDENTIAL_MODEL.test(a.model ?? '');

const verb = (kind: string) => (kind === 'create' ? 'creates' : kind === 'delete' ? 'deletes' : 'changes');

/**
 * The resource a route acts on: its path up to the first parameter (`/api/orders/:id/items` → `/api/orders`).
 * Routes of one resource are written together and guarded together; an open one among guarded ones stands out.
 */
function resourceOf(path: string): string {
  const segments = path.split('/').filter(Boolean);
  const param = segments.findIndex((s) => s.startsWith(':') || s.startsWith('{') || s.includes('*'));
  return '/' + (param < 0 ? segments : segments.slice(0, param)).join('/');
}

// ---------------------------------------------------------------------------------------------------
// Public by design

/** Path words of kinds of routes that are open on purpose; matched on whole segments. */
const PATH_KINDS: { kind: EvidenceKind; test: RegExp; within?: RegExp; what: string }[] = [
  {
    kind: 'auth-flow',
    test: /^(login|logout|log-in|log-out|signin|signout|sign-in|sign-out|signup|sign-up|register|registration|forgot-password|forgotpassword|forgot_password|reset-password|resetpassword|reset_password|password-reset|passwordreset|recover-password|verify-email|verifyemail|verify_email|confirm-email|resend-verification|resend-verification-email|resend-(verify|confirm|confirmation)(-email)?|magic-link|magiclink|oauth|oauth2|sso|saml|openid|authorize|refresh-token|refresh-tokens|refreshtoken|refresh_token|authenticate|login-with-\w+|token|request-token|access-token|[\w-]*(oauth|sso)[\w-]*(callback|redirect)|(password[-_]?(reset|recovery|recover|forgot)|(reset|forgot|recover)[-_]?password)([-_][a-z]+)+|(verify|validate|check)-(token|code|otp|email)|(verify|validate|check|confirm|send|resend|request)[-_](email|reset|phone|sms|login|signup|password|verification)[-_](code|token|otp|link)|(email|phone|account)[-_]?(verification|confirmation))$/i,
    what: 'sign-in or account-recovery endpoint',
  },
  {
    // Words that name a sign-in step only under an auth-looking segment: `/auth/refresh`, not `/orders/:id/confirm`.
    kind: 'auth-flow',
    test: /^(forgot|reset|recover|recovery|verify|verification|validate|confirm|confirmation|activate|activation|otp|((send|resend|request|verify|confirm|check|validate)[-_]?)(otp|code)|callback|refresh|tokens|session|sessions|google|github|facebook|apple|twitter|discord|microsoft|gitlab|linkedin|password|2fa|mfa|totp)$/i,
    within: /^(auth|oauth|oauth2|sso|identity|account|accounts|login|session|sessions|passport|token|tokens|users?|password|email|mfa|2fa|connect|connect-[\w-]+)$/i,
    what: 'sign-in or account-recovery endpoint',
  },
  {
    // A sign-in step named in two words: `request-login`, `complete-login`, `github-auth`, `login-callback`; not
    // `login-history` or `auth-settings`, which name what the caller's account holds.
    kind: 'auth-flow',
    test: /^(((request|complete|start|begin|finish|init|initiate|verify|confirm|email|sms|phone|code|otp|magic|passwordless|social|external|github|google|apple|facebook|microsoft|gitlab|discord|twitter|slack|oidc|saml|ldap)[-_])+(login|logon|signin|sign-in|signup|sign-up|auth|oauth|sso)|(login|signin|sign-in|signup|sign-up|oauth|sso)[-_](callback|redirect|start|complete|init|verify|confirm|request|code|link|email|otp))$/i,
    what: 'sign-in or account-recovery endpoint',
  },
  {
    kind: 'probe',
    // `serverHealthCheck`, `health_check`, `apiHealth`; not `healthRecords`.
    test: /^(([a-z]+[-_]?)?health([-_]?(check|checks|status|z))?|live|livez|liveness|ready|readyz|readiness|ping|heartbeat|status|version|uptime|alive|ok)$/i,
    what: 'health or readiness probe',
  },
  {
    // What the client reads before anyone signs in: its configuration, the sign-in options, the instance it talks to.
    kind: 'client-config',
    test: /^(config|configs|config\.js|config\.json|client-config|public-config|app-config|runtime-config|site-config|env\.js|env-config|features|feature-flags|providers|auth-providers|login-providers|login-methods|auth-methods|sign-in-methods|instance|branding|can-register|registration-open|needs-bootstrap|setup-status|onboarding-status|setup-complete|is-production|entry-page)$/i,
    what: 'configuration the client reads before signing in',
  },
  {
    kind: 'api-docs',
    // Also the spec as a file under any name: `docs.json`, `openAPI-spec.json`, `swagger-v2.yaml`.
    test: /^(docs|doc|swagger|swagger-ui|openapi|api-docs|redoc|reference|api-reference|scalar|spec|(api[-_]?)?(docs?|swagger|openapi|spec)([-_.]?\w+)*\.(json|ya?ml))$/i,
    what: 'API documentation',
  },
  { kind: 'well-known-file', test: /^(robots\.txt|favicon\.ico|sitemap\.xml|manifest\.json|site\.webmanifest|\.well-known|security\.txt|humans\.txt|ads\.txt)$/i, what: 'well-known public file' },
];

/**
 * A check in the handler that belongs to the flow the route is, not to a signed-in caller: a webhook checking its
 * sender (a shared secret in a header) or a sign-in step checking the credentials it then signs in with. Neither
 * reads the caller's identity; the sign-in issues a session or token. The evidence, when it is one.
 */
export function flowOwnCheck(route: Route, facts: HandlerFacts | undefined): Evidence | undefined {
  const check = facts?.inlineAuth;
  const signals = facts?.signals ?? [];
  if (!check?.ofCredential || signals.some((s) => s.kind === 'reads-principal')) return undefined;
  const segments = route.path.split('/');
  if (STATE_CHANGING.has(route.method.toUpperCase()) && segments.some((s) => WEBHOOK_SEGMENT.test(s))) {
    return ev('verifies-signature', `webhook whose handler checks its sender: \`${check.evidence}\``, check.loc);
  }
  const issues = signals.find((s) => s.kind === 'issues-credentials');
  if (issues && isSignInStep(route.path)) return ev('auth-flow', `sign-in step that checks the credential it is given (\`${check.evidence}\`) and ${issues.message}`, check.loc);
  return undefined;
}

/** Whether a path names a step of signing in (`/login/2fa`, `/auth/google/callback`), by the same words as the evidence. */
export function isSignInStep(path: string): boolean {
  const segments = path.split('/').filter((s) => s && !s.startsWith(':') && !s.startsWith('{') && s !== '*');
  const last = segments[segments.length - 1] ?? '';
  if (CALLER_SEGMENT.test(last) || /^userinfo$/i.test(last)) return false;
  return PATH_KINDS.some((k) => k.kind === 'auth-flow' && segments.slice(-2).some((seg) => k.test.test(seg)) && (!k.within || segments.some((seg) => k.within!.test(seg))));
}

function publicEvidence(route: Route, facts: HandlerFacts | undefined, near: Neighbourhood): Evidence[] {
  const out: Evidence[] = [];
  const segments = route.path.split('/').filter((s) => s && !s.startsWith(':') && !s.startsWith('{') && s !== '*');
  const handlerWords = (route.handler.name ?? '').split(/[.#]/).pop() ?? '';
  const signals = facts?.signals ?? [];
  const has = (kind: EvidenceKind) => signals.find((s) => s.kind === kind);
  const accesses = facts?.dataAccesses ?? [];
  const readsOwnedById = accesses.some((a) => a.byRequestId && (a.ownerField || a.userRecord) && a.kind !== 'create' && !a.scopedBy);
  const touchesOwned = accesses.some((a) => (a.ownerField || a.userRecord) && !CREDENTIAL_MODEL.test(a.model ?? ''));

  const hasParams = segments.length !== route.path.split('/').filter(Boolean).length;
  const kinds = new Set<EvidenceKind>();
  for (const k of PATH_KINDS) {
    if (kinds.has(k.kind)) continue;
    // The last two segments say what a route is (`/auth/google/callback`, `/health/db`), the ones before where it
    // lives; probes, docs and files take no parameters (`/orders/:id/status` is an order's status).
    if (k.kind !== 'auth-flow' && (hasParams || !READS.has(route.method.toUpperCase()))) continue;
    // `/oauth/userinfo`, `/auth/me`: under a sign-in path, but the route answers who the caller is.
    if (k.kind === 'auth-flow' && (CALLER_SEGMENT.test(segments[segments.length - 1] ?? '') || /^userinfo$/i.test(segments[segments.length - 1] ?? ''))) continue;
    const last = k.kind === 'well-known-file' ? segments : segments.slice(-2);
    const hit = last.some((s) => k.test.test(s)) && (!k.within || segments.some((s) => k.within!.test(s)));
    if (!hit && !(k.kind === 'auth-flow' && !k.within && nameMatch(handlerWords))) continue;
    if ((k.kind === 'probe' || k.kind === 'client-config') && (touchesOwned || signals.some((s) => s.kind === 'reads-principal' || s.kind === 'exposes-environment'))) continue;
    kinds.add(k.kind);
    out.push(ev(k.kind, k.what, route.loc));
  }
  // `/api/public/...`, `/object/public/:bucket/*`: the project names the route open.
  if (segments.some((seg) => /^public$/i.test(seg))) out.push(ev('public-content', 'under a `/public` path segment: the project names it open', route.loc));
  // `/reset/:token`, `/verify-email/:code`, `/invite/:token`: the token in the link is the credential.
  if (!kinds.has('auth-flow') && CAPABILITY_LINK.test(route.path)) {
    kinds.add('auth-flow');
    out.push(ev('auth-flow', 'a link that carries its own token (reset, verification or invitation)', route.loc));
  }
  // `/api/auth/*`: every endpoint of an authentication library (Better Auth's handler, Auth.js) under one mount.
  if (!kinds.has('auth-flow') && /(^|\/)(auth|oauth|oauth2|identity)\/(\*\w*|\{\*\w*\}|\*\*|:\w+\*?)$/i.test(route.path)) {
    out.push(ev('auth-flow', 'the authentication library\'s own endpoints (sign-in, sign-up, session)', route.loc));
  }
  for (const kind of ['issues-credentials', 'checks-credentials'] as const) {
    const s = has(kind);
    if (s) out.push(s);
  }
  const signUp = accesses.find((a) => a.userRecord && a.kind === 'create');
  if (signUp) out.push(ev('auth-flow', `creates a user account (\`${signUp.expression.split('(')[0]}\`): a sign-up`, signUp.loc));
  const credential = accesses.find((a) => a.kind !== 'read' && a.kind !== 'list' && CREDENTIAL_MODEL.test(a.model ?? ''));
  if (credential && !has('issues-credentials')) {
    out.push(ev('issues-credentials', `${verb(credential.kind)} a credential record (\`${credential.expression.split('(')[0]}\` on ${credential.model})`, credential.loc));
  }
  const signature = has('verifies-signature');
  if (signature) out.push(signature);
  // A CORS preflight answers which methods and headers the browser may use, before any credential is sent.
  if (route.method.toUpperCase() === 'OPTIONS' && !touchesOwned && !signals.some((s) => s.kind === 'reads-principal')) {
    out.push(ev('preflight', 'CORS preflight (`OPTIONS`): browsers send it without credentials', route.loc));
  }
  if (route.method.toUpperCase() === 'GET' || route.method.toUpperCase() === 'HEAD') {
    if (segments.every((s) => API_BASE.test(s)) && !hasParams && facts && !accesses.length && !signals.some((s) => s.kind === 'reads-principal')) {
      out.push(ev('probe', `root endpoint that touches no data (\`${route.path}\`)`, route.loc));
    }
    if (CATCH_ALL.test(route.path) && !signals.some((s) => s.kind === 'reads-principal')) {
      out.push(ev('fallback', `catch-all fallback (\`${route.method} ${route.path}\`: a not-found page or a single-page app shell)`, route.loc));
    }
    for (const kind of ['renders-page', 'serves-file'] as const) {
      const s = has(kind);
      if (s && !readsOwnedById) out.push(s);
    }
    if (facts && accesses.length && accesses.every((a) => (a.kind === 'read' || a.kind === 'list') && !a.ownerField && !a.userRecord)) {
      const first = accesses[0];
      out.push(ev('public-content', `accesses only data no user owns (\`${first.expression.split('(')[0]}\`)`, first.loc));
    } else if (facts && accesses.length && accesses.every((a) => a.kind === 'read' || a.kind === 'list') && accesses.some((a) => PUBLISHED.test(a.expression))) {
      const first = accesses.find((a) => PUBLISHED.test(a.expression))!;
      out.push(ev('public-content', `accesses records filtered as published (\`${first.expression.split('(')[0]}\`)`, first.loc));
    }
  }
  // `POST /articles/:id/views`, `/likes`: a counter every visitor bumps; it changes no one's data but a tally.
  const last = segments[segments.length - 1] ?? '';
  if (STATE_CHANGING.has(route.method.toUpperCase()) && ENGAGEMENT_COUNTER.test(last) && !touchesOwned) {
    out.push(ev('public-content', `an engagement counter every visitor bumps (\`/${last}\`)`, route.loc));
  }
  // A router or controller that guards every route changing data and no read: its open reads are what it serves
  // everyone (the blog's articles, the shop's products). Reads of data users own still need authentication.
  if (READS.has(route.method.toUpperCase()) && !near.guardsReads && near.writes.all >= OPEN_READS_WRITES && near.writes.guarded === near.writes.all && !signals.some((s) => s.kind === 'reads-principal')) {
    out.push(ev('open-reads', `every route beside it that changes data is guarded (${near.writes.guarded} of ${near.writes.all}) and no read is: reads served to everyone`, route.loc));
  }
  // A handler that answers a constant exposes nothing (`res.json([])`, a `/sentry-test` that throws): weaker than
  // everything above, so said last; a path named for the caller's account (`/api/me`) is a stub of what will need one.
  const constant = has('static-answer');
  if (constant && !out.length && !segments.some((seg) => CALLER_SEGMENT.test(seg))) out.push(constant);
  // The project's own declaration comes first: it is the reason a reader sees.
  if (route.auth.skipped?.length) out.unshift(ev('skip-listed', route.auth.skipped[0], route.loc));
  // Middleware that only attaches the caller is evidence for the handlers that read the caller; for the rest it is
  // app plumbing that runs before guarded and open routes alike.
  const readsCaller = signals.some((s) => s.kind === 'reads-principal' || s.kind === 'optional-auth');
  const optional = route.auth.optional?.filter((o) => readsCaller || !o.includes(ATTACHES_CALLER)) ?? [];
  if (optional.length) out.push(ev('optional-auth', `${OPTIONAL_MIDDLEWARE}${optional[0]}`, route.loc));
  else if (has('optional-auth')) out.push(has('optional-auth')!);
  return out;
}

const OPTIONAL_MIDDLEWARE = 'optional authentication on purpose: ';

/** The last segment of a route that counts visits, views, likes or clicks. */
const ENGAGEMENT_COUNTER = /^(view|views|pageview|pageviews|visit|visits|hit|hits|like|likes|clap|claps|impression|impressions|click|clicks|read-count|view-count)$/i;

/** A sign-in step word followed by a parameter named as a token: `/reset/:token`, `/verify/:code`, `/invitations/:token/accept`. */
const CAPABILITY_LINK = /\/(reset|reset-password|forgot|verify|verify-email|confirm|confirm-email|activate|activation|invite|invites|invitation|invitations|magic-link|unsubscribe)\/:(token|code|key|hash|secret|otp|[a-z]*Token|[a-z]*Code)(\/|$)/i;

/** Path segments that name the caller or user accounts. */
const CALLER_SEGMENT = /^(me|my|mine|self|account|accounts|profile|profiles|user|users|member|members)$/i;

/** The segments an API's root is made of: `/`, `/api`, `/api/v1`. */
const API_BASE = /^(api|rest|v\d+)$/i;

/** `*`, `/*`, `/(.*)`, `/*splat`, `/{*any}`: the route that answers what no other does. */
const CATCH_ALL = /^\/?(\*\w*|\(\.\*\)|\{\*\w*\}|\*\*)$/;

const PUBLISHED = /\b(published|isPublished|isPublic|public|visibility|visible|status\s*:\s*['"`](published|public|active|live)['"`])\b/;

/** `AuthController.login`, `signUp`, `handleGoogleCallback`, `refreshTokens`: handler names of sign-in flows. */
function nameMatch(name: string): string | undefined {
  return /^(handle)?(login|logout|signIn|signOut|signUp|register|forgotPassword|resetPassword|verifyEmail|confirmEmail|refresh|refreshToken|refreshTokens|oauthCallback|callback|\w+Callback|magicLink)$/i.test(name) ? name : undefined;
}

function ev(kind: EvidenceKind, message: string, loc: { file: string; line: number }): Evidence {
  return { kind, message, file: loc.file, line: loc.line };
}
