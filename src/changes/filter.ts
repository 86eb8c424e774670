import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { Finding, ScanResult } from '../model/types.js';

/**
 * Findings that touch a changed file: the finding itself (a query, an identity read), or its route's
 * registration or handler lies there. The scan still analysed the whole project, so a guard in an
 * unchanged file still protects a changed route; this only decides what is reported.
 *
 * Not covered: an edit that only changes how an unchanged route is reached (a guard's body, a mount
 * in app.ts) leaves its findings out. A full scan with a baseline catches those; see README.
 */
export function touchesChanged(result: ScanResult, changed: ReadonlySet<string>): (f: Finding) => boolean {
  const root = realpathSync(result.root);
  const isChanged = (file: string) => changed.has(path.resolve(root, file));
  const routeFiles = new Map<string, string[]>();
  for (const r of result.routes) {
    const key = `${r.method.toUpperCase()} ${r.path}`;
    routeFiles.set(key, [...(routeFiles.get(key) ?? []), r.loc.file, r.handler.loc.file]);
  }
  return (f) => {
    if (isChanged(f.loc.file)) return true;
    const files = f.route ? routeFiles.get(`${f.route.method.toUpperCase()} ${f.route.path}`) : undefined;
    return files?.some(isChanged) ?? false;
  };
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
