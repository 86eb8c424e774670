/**
 * Hono's path patterns, as its router matches them (checked against hono 4 in
 * test/frameworks/hono-runtime.test.ts): `/api/*` matches `/api`, `/api/` and everything below,
 * `/api` matches only `/api` (unlike Express's prefix mounts), `/s*` matches `/sx` and `/s/y`,
 * `:id` matches one segment.
 */

/**
 * Whether middleware registered at `pattern` runs for every request the route at `path` serves. A
 * pattern that matches only some of them (`/users/me` for `/users/:id`) does not cover the route:
 * the other requests reach the handler without it.
 */
export function honoPatternCovers(pattern: string, path: string): boolean {
  const ps = segments(pattern);
  const rs = segments(path);
  for (let i = 0; i < ps.length; i++) {
    const seg = ps[i];
    const last = i === ps.length - 1;
    if (seg === '*') {
      if (last) return true;
      if (i >= rs.length || isWildcard(rs[i])) return false;
      continue;
    }
    if (i >= rs.length) return false;
    const r = rs[i];
    if (seg.endsWith('*')) {
      // A glob inside a segment: `/s*` — it may also cross segment boundaries.
      const prefix = seg.slice(0, -1);
      if (isParam(r) || isWildcard(r) || !r.startsWith(prefix)) return false;
      if (last) return true;
      continue;
    }
    if (isPlainParam(seg)) {
      if (isWildcard(r) || isOptional(r)) return false;
      continue;
    }
    if (seg !== r) return false;
  }
  return ps.length === rs.length && !rs.some(isOptional);
}

function segments(p: string): string[] {
  return p.split('/').filter(Boolean);
}

function isParam(seg: string): boolean {
  return seg.startsWith(':');
}

/** `:id` without a regular-expression constraint or `?`: it matches any one segment. */
function isPlainParam(seg: string): boolean {
  return /^:[\w$-]+$/.test(seg);
}

function isOptional(seg: string): boolean {
  return seg.startsWith(':') && seg.endsWith('?');
}

function isWildcard(seg: string): boolean {
  return seg.includes('*');
}

/** Whether some request could match both patterns (params and wildcards match anything). */
export function honoPatternsOverlap(a: string, b: string): boolean {
  const as = segments(a);
  const bs = segments(b);
  for (let i = 0; i < Math.max(as.length, bs.length); i++) {
    const x = as[i];
    const y = bs[i];
    if ((x !== undefined && isWildcard(x)) || (y !== undefined && isWildcard(y))) return true;
    if (x === undefined || y === undefined) return (x ?? y)!.endsWith('?');
    if (isParam(x) || isParam(y)) continue;
    if (x !== y) return false;
  }
  return true;
}
