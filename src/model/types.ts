// The plain, serialisable data every stage shares. No ts-morph node leaves src/frameworks or
// src/analysis: everything here can be JSON.stringify'd and compared in tests.

export type FrameworkName = 'express' | 'fastify' | 'nest' | 'hono';

/** Posix path relative to the scan root; line and column are 1-based. */
export interface SourceLoc {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export type AuthStatus = 'protected' | 'public' | 'unprotected' | 'unknown';

export interface Guard {
  /** What the code calls it: `requireAuth`, `passport.authenticate('jwt')`, `AuthGuard`. */
  name: string;
  kind: 'middleware' | 'hook' | 'guard' | 'decorator' | 'inline';
  scope: 'global' | 'plugin' | 'router' | 'controller' | 'route';
  loc: SourceLoc;
  /** Why we believe it refuses unauthenticated requests, in a few words. */
  evidence: string;
  /**
   * Path parameters the guard refuses unless they hold the caller's own id, for every caller its role or rights
   * check does not admit (`if (!granted && req.params.userId !== user.id) return 403`): behind it, `:userId` is
   * the caller's account or the caller is privileged.
   */
  bindsParams?: string[];
  /**
   * Set when the guard signs the caller in rather than checks who they are (`passport.authenticate('local')`,
   * `AuthGuard('google')`): a route guarded only by such steps is a sign-in endpoint, public by design.
   */
  signIn?: string;
  /**
   * Set when the guard checks a webhook's sender (its signature) rather than a user (`verifyWebhookRequest` calling
   * `connection.verifyWebhook(request)`): a route guarded only by such checks is a webhook, public by design.
   */
  verifiesSender?: string;
}

/**
 * One piece of evidence for a claim about a route: what the code does, where. `needs-auth` kinds say the
 * route needs authentication; the others say it is public by design.
 */
export interface Evidence {
  kind: EvidenceKind;
  /** One line: what was seen (`reads the caller's identity: req.user.id`). */
  message: string;
  file: string;
  line: number;
}

export type EvidenceKind =
  // The route needs authentication:
  | 'reads-principal'
  | 'reads-owned-data'
  | 'lists-accounts'
  | 'writes-owned-data'
  | 'writes-account'
  | 'guarded-siblings'
  | 'administrative'
  | 'changes-state'
  | 'unverified-webhook'
  | 'skip-bypass'
  | 'exposes-environment'
  // The route is public by design:
  | 'auth-flow'
  | 'issues-credentials'
  | 'checks-credentials'
  | 'verifies-signature'
  | 'probe'
  | 'client-config'
  | 'static-answer'
  | 'api-docs'
  | 'well-known-file'
  | 'renders-page'
  | 'serves-file'
  | 'fallback'
  | 'preflight'
  | 'public-content'
  | 'open-reads'
  | 'optional-auth'
  | 'skip-listed';

export interface RouteAuth {
  status: AuthStatus;
  guards: Guard[];
  /** Why the status is unknown, unprotected or public. */
  reason?: string;
  /**
   * For an unprotected route, what says it needs authentication (empty: nothing either way); for a route
   * public by design (inferred, not declared), what says it is meant to be open.
   */
  evidence?: Evidence[];
  /** Auth-looking steps in the chain that let anonymous requests through on purpose (optional authentication). */
  optional?: string[];
  /** Guards that skip their check for this route on a condition the project wrote (`if (PUBLIC.includes(url)) return next()`). */
  skipped?: string[];
  /** Guards whose skip a crafted request takes (`GET /api/users?x=/public`): a bypass, reported as a hole. */
  bypass?: string[];
}

export interface Route {
  /** Stable id: framework, method, full path and handler identity (never line numbers). */
  id: string;
  framework: FrameworkName;
  method: string;
  /** Every prefix composed: mounts, register prefixes, controller paths, global prefix. */
  path: string;
  loc: SourceLoc;
  handler: { name?: string; loc: SourceLoc };
  auth: RouteAuth;
  /**
   * Files the route's place and protection run through (relative, posix, sorted): its registration and
   * handler, the mounts and plugins above it, every middleware registration on the routers it runs
   * through, modules and main.ts, and where each guard or middleware in its chain is defined. An edit
   * to any of them may change whether the route is protected; `scan --changed/--staged` reads it.
   * Not part of the JSON outputs.
   */
  chainFiles?: string[];
}

/** A replacement of [start, end) in a file (absolute path while in memory, offsets in UTF-16 units). */
export interface TextEdit {
  file: string;
  start: number;
  end: number;
  text: string;
}

export interface Fix {
  description: string;
  edits: TextEdit[];
  /** Whole files the fix creates (generated auth modules). Created only if absent. */
  newFiles?: { file: string; text: string }[];
  /** Dependencies the fix needs in the project's package.json. */
  dependencies?: Record<string, string>;
}

export type Severity = 'error' | 'warning';

export interface Finding {
  ruleId: string;
  messageId: string;
  message: string;
  severity: Severity;
  loc: SourceLoc;
  route?: { method: string; path: string };
  fingerprint: string;
  fix?: Fix;
  /** Why no automatic fix is offered, when it is not. */
  notFixableReason?: string;
  /** What the claim rests on (file:line each), for every output format. */
  evidence?: Evidence[];
}

export interface Diagnostic {
  level: 'error' | 'warning' | 'info';
  /** Short machine id: parse-error, no-framework, unresolved-import, ... */
  code: string;
  message: string;
  file?: string;
  line?: number;
}

export interface ScanSummary {
  files: number;
  routes: number;
  errors: number;
  warnings: number;
  durationMs: number;
}

export interface ScanResult {
  root: string;
  routes: Route[];
  findings: Finding[];
  /** Findings silenced by a suppression comment with a reason (kept for reporting and counts). */
  suppressed: Finding[];
  diagnostics: Diagnostic[];
  summary: ScanSummary;
  frameworks: FrameworkName[];
}
