import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { FrameworkName, Route } from '../model/types.js';
import { writeNew, type FileAction } from './files.js';
import { detectHookManagers, wireHook, type HookManager } from './hooks.js';
import { suggestPublicRoutes, type PublicSuggestion } from './public-suggestions.js';

export const CONFIG_FILE = 'auth-enforcer.config.json';
const BASELINE_FILE = 'auth-enforcer.baseline.json';

export interface InitOptions {
  dir: string;
  force: boolean;
  /** Write the suggested public routes into the config (otherwise they are only printed). */
  acceptPublic: boolean;
  hook?: HookManager;
}

export interface InitOutcome {
  frameworks: FrameworkName[];
  routes: Route[];
  suggestions: PublicSuggestion[];
  /** Hook managers the project already uses. */
  managers: HookManager[];
  actions: FileAction[];
}

/**
 * Writes the config from what a scan found, and wires the pre-commit hook when asked. The loader
 * takes strict JSON, so the config holds data only; the explanations are printed instead.
 */
export function runInit(opts: InitOptions, scanned: { frameworks: FrameworkName[]; routes: Route[] }): InitOutcome {
  const suggestions = suggestPublicRoutes(scanned.routes);
  const config = {
    publicRoutes: opts.acceptPublic
      ? suggestions.map((s) => ({ route: s.route, reason: `${s.why} (suggested by auth-enforcer init)` }))
      : [],
  };
  const actions: FileAction[] = [
    writeNew(opts.dir, CONFIG_FILE, `${JSON.stringify(config, null, 2)}\n`, opts.force, opts.acceptPublic && suggestions.length ? `${suggestions.length} public route(s) declared` : 'no public routes declared'),
  ];
  if (opts.hook) {
    actions.push(
      wireHook(opts.hook, {
        dir: opts.dir,
        fromTop: fromGitTop(opts.dir),
        ...(existsSync(path.join(opts.dir, BASELINE_FILE)) ? { baseline: BASELINE_FILE } : {}),
        force: opts.force,
      }),
    );
  }
  return { frameworks: scanned.frameworks, routes: scanned.routes, suggestions, managers: detectHookManagers(opts.dir), actions };
}

/** The project directory relative to the git top-level, where hooks run; '' outside git or at the top. */
function fromGitTop(dir: string): string {
  try {
    const top = execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return path.relative(realpathSync(top), realpathSync(dir)).split(path.sep).join('/');
  } catch {
    return '';
  }
}
