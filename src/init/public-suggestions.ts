import type { Route } from '../model/types.js';

/**
 * Routes the scan found public by design (src/analysis/route-claims.ts: sign-in flows, probes, docs, signed
 * webhooks, pages, unowned content, optional authentication), as suggestions for `publicRoutes`. The same
 * classifier decides the scan's statuses, so init suggests exactly what the scan already treats as public.
 * Only suggestions: init writes them into the config when asked (--accept-public), never on its own.
 */
export interface PublicSuggestion {
  /** `GET /health`, in the config's `publicRoutes[].route` form. */
  route: string;
  why: string;
}

export function suggestPublicRoutes(routes: readonly Route[]): PublicSuggestion[] {
  const out = new Map<string, PublicSuggestion>();
  for (const r of routes) {
    if (r.auth.status !== 'public' || !r.auth.evidence?.length) continue;
    const route = `${r.method.toUpperCase() === 'ALL' ? '*' : r.method.toUpperCase()} ${r.path}`;
    out.set(route, { route, why: r.auth.evidence[0].message });
  }
  return [...out.values()];
}
