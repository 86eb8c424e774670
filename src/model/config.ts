import type { Severity } from './types.js';

/** A guard named in config: `{ "module": "./src/auth", "export": "requireAuth" }` or `{ "name": "requireAuth" }`. */
export interface GuardSpec {
  /** Import specifier as written in the project (relative to the config file, or a package name). */
  module?: string;
  export?: string;
  /** Fallback: match by the name used at the call site. */
  name?: string;
}

export interface PublicRouteSpec {
  /** `GET /health`, `* /api/auth/*`, `POST /webhooks/**`. */
  route: string;
  reason: string;
}

export interface Config {
  /** Absolute path of the file the config came from, for error messages. */
  source?: string;
  guards: GuardSpec[];
  /** Middleware known not to authenticate (silences `unknown` for unanalysable imports). */
  notGuards: GuardSpec[];
  publicRoutes: PublicRouteSpec[];
  /** Identity field names beyond the built-in ones (userId, ownerId, authorId, tenantId, ...). */
  ownerFields: string[];
  /**
   * Guards (by the name `routes` shows) that admit only privileged users, such as an admin role guard: on a
   * route they guard, looking records up by id is legitimate and `unscoped-query` stays silent.
   */
  privilegedGuards: string[];
  /** Models whose reads are private even though their owner is an author (`authorId`): reads must be scoped too. */
  privateModels: string[];
  /** Expressions that hold the verified principal, beyond the built-in ones: `req.currentUser`, `res.locals.account`. */
  principals: string[];
  /**
   * How missing-auth decides: `evidence` (default) reports an open route as an error only with evidence that
   * it needs authentication and infers routes public by design; `strict` reports every open route not
   * declared public as an error.
   */
  missingAuth: 'evidence' | 'strict';
  /** Per-rule severity, or 'off'. */
  rules: Record<string, Severity | 'off'>;
  include: string[];
  exclude: string[];
}

export const defaultConfig = (): Config => ({
  guards: [],
  notGuards: [],
  publicRoutes: [],
  ownerFields: [],
  privilegedGuards: [],
  privateModels: [],
  principals: [],
  missingAuth: 'evidence',
  rules: {},
  include: [],
  exclude: [],
});
