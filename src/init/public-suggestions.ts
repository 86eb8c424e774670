import type { Route } from '../model/types.js';

/**
 * Unauthenticated routes whose path says they are meant to be reachable by anyone: probes, auth
 * endpoints, webhooks (verified by signature, not by a user token), API docs. Only suggestions: init
 * writes them into the config when asked (--accept-public), never on its own.
 */
const INTENTIONAL: { test: RegExp; why: string }[] = [
  { test: /^\/(api\/)?(health|healthz|healthcheck|livez?|liveness|readyz?|readiness|ping|status)\/?$/i, why: 'health or readiness probe' },
  { test: /^\/(api\/)?(auth|oauth|sso)(\/|$)/i, why: 'authentication endpoint' },
  { test: /\/(login|logout|signin|signout|sign-in|sign-out|signup|sign-up|register|callback|forgot-password|reset-password|verify-email)\/?$/i, why: 'authentication endpoint' },
  { test: /(^|\/)webhooks?(\/|$)/i, why: 'webhook (verify its signature in the handler)' },
  { test: /^\/(api\/)?(docs|swagger|openapi|api-docs)(\/|\.json$|\.ya?ml$|$)/i, why: 'API documentation' },
  { test: /^\/(robots\.txt|favicon\.ico|sitemap\.xml|\.well-known\/.*)$/i, why: 'well-known public file' },
  { test: /^\/(api\/)?(version|metrics)\/?$/i, why: 'version or metrics endpoint (check that it leaks nothing)' },
];

export interface PublicSuggestion {
  /** `GET /health`, in the config's `publicRoutes[].route` form. */
  route: string;
  why: string;
}

export function suggestPublicRoutes(routes: readonly Route[]): PublicSuggestion[] {
  const out = new Map<string, PublicSuggestion>();
  for (const r of routes) {
    if (r.auth.status !== 'unprotected' && r.auth.status !== 'unknown') continue;
    const hit = INTENTIONAL.find((p) => p.test.test(r.path));
    if (!hit) continue;
    const route = `${r.method.toUpperCase() === 'ALL' ? '*' : r.method.toUpperCase()} ${r.path}`;
    out.set(route, { route, why: hit.why });
  }
  return [...out.values()];
}
