import type { Guard, RouteAuth } from '../model/types.js';

/** One step that runs before a handler, already classified by its framework adapter. */
export type ChainLink =
  | { verdict: 'guard'; guard: Guard }
  | { verdict: 'none' }
  | { verdict: 'unknown'; reason: string };

/**
 * Three-valued status of a chain: protected with any guard (the guards are the evidence), unknown
 * when something could not be resolved (with every reason), unprotected only when fully resolved.
 */
export function statusOfChain(links: ChainLink[], unresolved: string[] = []): RouteAuth {
  const guards = links.flatMap((l) => (l.verdict === 'guard' ? [l.guard] : []));
  if (guards.length) return { status: 'protected', guards };
  const reasons = [...unresolved, ...links.flatMap((l) => (l.verdict === 'unknown' ? [l.reason] : []))];
  if (reasons.length) return { status: 'unknown', guards: [], reason: [...new Set(reasons)].join('; ') };
  return { status: 'unprotected', guards: [], reason: 'no middleware that authenticates runs before the handler' };
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
