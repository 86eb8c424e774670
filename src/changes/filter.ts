import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { Finding, ScanResult } from '../model/types.js';

/**
 * Findings that touch a changed file: the finding itself (a query, an identity read), its route's
 * registration or handler, or any file its route's chain runs through (`Route.chainFiles`: the mounts
 * and plugins above it, the middleware registrations on its routers, modules and main.ts, guard and
 * middleware definitions). So removing a guard from `app.use('/api', requireAuth, api)` reports the
 * findings of every route under /api although no route file changed. The scan still analysed the
 * whole project, so a guard in an unchanged file still protects a changed route; this only decides
 * what is reported. Whole files, not edited regions: any edit to app.ts reports every route mounted
 * there, since any of their protections may have changed (the CLI says so on stderr).
 *
 * Not covered: a file that, after the edit, adds nothing to the route's chain any more (a registrar
 * function whose only `app.use(requireAuth)` was deleted) cannot be traced to the route. A full scan
 * with a baseline catches those; see README.
 */
export function selectChanged(result: ScanResult, changed: ReadonlySet<string>): ChangedSelection {
  const root = realpathSync(result.root);
  const isChanged = (file: string) => changed.has(path.resolve(root, file));
  const own = new Map<string, string[]>();
  const chain = new Map<string, Set<string>>();
  for (const r of result.routes) {
    const key = routeKey(r);
    own.set(key, [...(own.get(key) ?? []), r.loc.file, r.handler.loc.file]);
    const files = chain.get(key) ?? new Set();
    for (const f of r.chainFiles ?? []) files.add(f);
    chain.set(key, files);
  }
  /** 'own' when the finding, its registration or its handler changed; else the changed files on its route's way. */
  const why = (f: Finding): 'own' | string[] | undefined => {
    if (isChanged(f.loc.file)) return 'own';
    if (!f.route) return undefined;
    const key = routeKey(f.route);
    if (own.get(key)?.some(isChanged)) return 'own';
    const files = [...(chain.get(key) ?? [])].filter(isChanged);
    return files.length ? files : undefined;
  };
  return {
    keep: (f) => why(f) !== undefined,
    onTheWay(reported) {
      const routes = new Map<string, Set<string>>();
      for (const f of reported) {
        const files = why(f);
        if (!Array.isArray(files)) continue;
        for (const file of files) routes.set(file, (routes.get(file) ?? new Set()).add(routeKey(f.route!)));
      }
      return [...routes].map(([file, keys]) => ({ file, routes: keys.size })).sort((a, b) => a.file.localeCompare(b.file));
    },
  };
}

export interface ChangedSelection {
  keep: (f: Finding) => boolean;
  /**
   * Changed files that bring findings in only by lying on the way to their routes (not the finding's own
   * location, registration or handler), each with how many routes it brings in; sorted by file.
   */
  onTheWay: (reported: readonly Finding[]) => { file: string; routes: number }[];
}

function routeKey(r: { method: string; path: string }): string {
  return `${r.method.toUpperCase()} ${r.path}`;
}

/**
 * A config change (guards, public routes, rule severities) can change any finding, so a run limited
 * to changed files must report them all. The config is the explicit file, else
 * auth-enforcer.config.json, else package.json when it holds an "auth-enforcer" key.
 */
export function configTouched(changed: ReadonlySet<string>, root: string, configPath?: string): boolean {
  const real = (p: string) => (existsSync(p) ? realpathSync(p) : p);
  if (configPath) return changed.has(real(configPath));
  const configFile = path.join(root, 'auth-enforcer.config.json');
  if (existsSync(configFile)) return changed.has(real(configFile));
  const pkg = path.join(root, 'package.json');
  if (!changed.has(real(pkg))) return false;
  try {
    return (JSON.parse(readFileSync(pkg, 'utf8')) as Record<string, unknown>)['auth-enforcer'] !== undefined;
  } catch {
    return true; // unreadable package.json: cannot tell, so report everything
  }
}
