import type { Config, PublicRouteSpec } from '../model/config.js';
import { PUBLIC_ROUTE_RE } from './schema.js';

/**
 * The first `publicRoutes` entry, in declaration order, that covers a route; undefined if none.
 *
 * Method: `*` matches any method; otherwise the declared method equals the route's, case-insensitively.
 *
 * Path, compared segment by segment after dropping empty segments (so `//a/` is `/a`), case-sensitively:
 * - `**` as a whole segment matches zero or more segments, anywhere (`/api/**` matches `/api`, `/api/a/b`);
 * - `*` as a whole segment matches exactly one segment (`/users/*` matches `/users/42`, not `/users/42/posts`)
 *   except as the LAST segment, where it matches one or more (`/api/auth/*` matches `/api/auth/callback/github`
 *   but not `/api/auth`);
 * - `*` inside a segment matches any run of characters within that segment (`/v*` matches `/v1`, `/v2beta`);
 * - everything else is literal, so route parameters match only themselves: `GET /users/:id` matches the
 *   route path `/users/:id`, not `/users/:userId` and not `/users/42`.
 */
export function matchPublicRoute(config: Config, method: string, routePath: string): PublicRouteSpec | undefined {
  const target = segments(routePath);
  return config.publicRoutes.find((spec) => {
    const m = PUBLIC_ROUTE_RE.exec(spec.route.trim());
    if (!m) return false;
    const declaredMethod = m[1]!;
    if (declaredMethod !== '*' && declaredMethod.toUpperCase() !== method.toUpperCase()) return false;
    return matchSegments(segments(m[2]!), target);
  });
}

function segments(p: string): string[] {
  return p.split('/').filter((s) => s !== '');
}

function matchSegments(pattern: string[], target: string[]): boolean {
  // Small recursive matcher: patterns are a handful of segments, so backtracking on `**` is cheap.
  const go = (pi: number, ti: number): boolean => {
    if (pi === pattern.length) return ti === target.length;
    const seg = pattern[pi]!;
    if (seg === '**') {
      for (let k = ti; k <= target.length; k++) if (go(pi + 1, k)) return true;
      return false;
    }
    if (seg === '*' && pi === pattern.length - 1) return ti < target.length;
    if (ti === target.length) return false;
    if (!matchSegment(seg, target[ti]!)) return false;
    return go(pi + 1, ti + 1);
  };
  return go(0, 0);
}

function matchSegment(pattern: string, segment: string): boolean {
  if (pattern === '*') return segment.length > 0;
  if (!pattern.includes('*')) return pattern === segment;
  const re = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`);
  return re.test(segment);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
