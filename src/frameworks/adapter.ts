import type { ts } from 'ts-morph';
import type { RequestSpec } from '../analysis/request-spec.js';
import type { ScanProject } from '../discover/project.js';
import type { AuthStrategy } from '../model/options.js';
import type { Fix, FrameworkName, Route } from '../model/types.js';
import type { Resolver } from '../syntax/resolve.js';
import type { FunctionNode } from '../syntax/functions.js';

export interface AdapterContext {
  project: ScanProject;
  resolver: Resolver;
}

/** A route as an adapter found it: the plain Route plus the syntax the later stages need. */
export interface RouteRecord {
  route: Route;
  /** The handler function, when it resolves to one in the project. */
  handler?: FunctionNode;
  /** How the handler reads the request and the principal. */
  requestSpec?: RequestSpec;
  /** The registration (statement, decorator or member) whose leading comments may declare the route public. */
  anchor: ts.Node;
}

export interface AuthFixRequest {
  /** Routes missing-auth flagged as unprotected, by route id. */
  flagged: RouteRecord[];
  /** Every route of the framework, so a fix can tell whether a whole router is flagged. */
  all: RouteRecord[];
  /** Undefined: session when the project hosts Better Auth, jwt otherwise. */
  strategy?: AuthStrategy;
  /** Nest: register one APP_GUARD in the root module (and @Public() on public routes) instead of per-route guards. */
  nestGlobalGuard?: boolean;
}

export interface FrameworkAdapter {
  name: FrameworkName;
  /** Whether the project uses this framework at all (dependency or import). */
  detect(ctx: AdapterContext): boolean;
  routes(ctx: AdapterContext): RouteRecord[];
  /** Auth-insertion fixes keyed by route id; a route missing from the map has no automatic fix. */
  planAuthFixes(ctx: AdapterContext, request: AuthFixRequest): Map<string, { fix?: Fix; notFixableReason?: string }>;
}
