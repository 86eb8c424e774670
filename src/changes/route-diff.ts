import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UsageError } from '../model/errors.js';
import type { AuthStatus } from '../model/types.js';
import type { RouteJson, RoutesJson } from '../report/routes.js';
import { chalkFor } from '../report/stylish.js';
import { plural } from '../report/summary.js';

/** How exposed a status leaves a route; a change to a higher rank is what a reviewer must see. */
const EXPOSURE: Record<AuthStatus, number> = { protected: 0, unknown: 1, public: 2, unprotected: 3 };

export interface RouteChange {
  method: string;
  path: string;
  from: AuthStatus;
  to: AuthStatus;
  /** Reachable with less authentication than before. */
  exposed: boolean;
  route: RouteJson;
}

export interface RouteDiff {
  schemaVersion: 1;
  /** Appeared routes, each flagged `exposed` unless protected. */
  appeared: (RouteJson & { exposed: boolean })[];
  disappeared: RouteJson[];
  changed: RouteChange[];
  /** Appeared-and-not-protected plus changed-to-more-exposed. */
  exposed: number;
}

const previousSchema = z.object({
  schemaVersion: z.literal(1),
  routes: z.array(
    z.looseObject({
      method: z.string(),
      path: z.string(),
      auth: z.looseObject({ status: z.enum(['protected', 'public', 'unprotected', 'unknown']) }),
    }),
  ),
});

/** A previous `routes --format json` output; anything else is a usage error. */
export function readRoutesJson(file: string, shown = file): RoutesJson {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`routes file not found: ${shown}`);
    if (code) throw err;
    throw new UsageError(`${shown} is not valid JSON (${(err as Error).message}); write it with "auth-enforcer routes --format json"`);
  }
  const parsed = previousSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(
      `${shown} is not "auth-enforcer routes --format json" output (at ${issue.path.join('.') || 'top level'}: ${issue.message})`,
    );
  }
  return data as RoutesJson;
}

/**
 * Routes are matched by method and full path with parameter names left out (`/articles/:article`
 * renamed `/articles/:slug` is the same route: seen on the RealWorld example app, where the rename
 * otherwise showed every article route as gone and new). The n-th registration of the same method and
 * path matches the n-th one before (a path registered twice is rare, and usually worth its own diff).
 */
function keyed(routes: readonly RouteJson[]): Map<string, RouteJson> {
  const out = new Map<string, RouteJson>();
  const seen = new Map<string, number>();
  for (const r of routes) {
    const base = `${r.method.toUpperCase()} ${r.path.replace(/:[^/]+/g, ':')}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    out.set(n === 1 ? base : `${base} #${n}`, r);
  }
  return out;
}

export function diffRoutes(before: RoutesJson, after: RoutesJson): RouteDiff {
  const old = keyed(before.routes);
  const now = keyed(after.routes);
  const appeared: RouteDiff['appeared'] = [];
  const changed: RouteChange[] = [];
  for (const [key, r] of now) {
    const prev = old.get(key);
    if (!prev) {
      appeared.push({ ...r, exposed: r.auth.status !== 'protected' });
    } else if (prev.auth.status !== r.auth.status) {
      changed.push({
        method: r.method,
        path: r.path,
        from: prev.auth.status,
        to: r.auth.status,
        exposed: EXPOSURE[r.auth.status] > EXPOSURE[prev.auth.status],
        route: r,
      });
    }
  }
  // The newly exposed first: they are what a reviewer has to look at.
  appeared.sort((a, b) => Number(b.exposed) - Number(a.exposed));
  changed.sort((a, b) => Number(b.exposed) - Number(a.exposed));
  const disappeared = [...old].filter(([key]) => !now.has(key)).map(([, r]) => r);
  const exposed = appeared.filter((r) => r.exposed).length + changed.filter((c) => c.exposed).length;
  return { schemaVersion: 1, appeared, disappeared, changed, exposed };
}

export function renderRouteDiffJson(diff: RouteDiff): string {
  return `${JSON.stringify(diff, null, 2)}\n`;
}

/**
 * `+` appeared, `-` disappeared, `~` status changed; a `!` and red mark every route that is now
 * reachable with less authentication than before (new and not protected, or weakened).
 */
export function renderRouteDiffTable(diff: RouteDiff, color: boolean): string {
  const c = chalkFor(color);
  const rows: { mark: string; route: string; status: string; where: string; exposed: boolean }[] = [];
  const where = (r: RouteJson) => `${r.file}:${r.line}`;
  const name = (r: { method: string; path: string }) => `${r.method.toUpperCase()} ${r.path}`;
  for (const r of diff.appeared) rows.push({ mark: '+', route: name(r), status: r.auth.status, where: where(r), exposed: r.exposed });
  for (const x of diff.changed) rows.push({ mark: '~', route: name(x), status: `${x.from} → ${x.to}`, where: where(x.route), exposed: x.exposed });
  for (const r of diff.disappeared) rows.push({ mark: '-', route: name(r), status: `was ${r.auth.status}`, where: where(r), exposed: false });
  if (rows.length === 0) return 'No route changes.\n';
  const w1 = Math.max(...rows.map((r) => r.route.length));
  const w2 = Math.max(...rows.map((r) => r.status.length));
  const out = rows.map((r) => {
    const text = `${r.exposed ? '!' : ' '} ${r.mark} ${r.route.padEnd(w1)}  ${r.status.padEnd(w2)}  `;
    return `${r.exposed ? c.red.bold(text) : text}${c.dim(r.where)}`.trimEnd();
  });
  const counts = [
    `${diff.appeared.length} appeared`,
    `${diff.disappeared.length} disappeared`,
    `${diff.changed.length} changed status`,
  ].join(', ');
  const exposed = diff.exposed > 0 ? c.red.bold(`; ${plural(diff.exposed, 'route')} newly reachable with less authentication (!)`) : '';
  out.push('', `${counts}${exposed}`);
  return `${out.join('\n')}\n`;
}
