import type { Severity } from './types.js';

export type OutputFormat = 'stylish' | 'json' | 'sarif' | 'github' | 'markdown';
export type AuthStrategy = 'jwt' | 'session';

/** What scan() needs. The CLI builds this from argv; tests build it directly. */
export interface ScanOptions {
  /** Paths to scan, absolute or relative to cwd. Default: [cwd]. */
  paths: string[];
  cwd: string;
  /** Explicit config file; otherwise auth-enforcer.config.json or package.json "auth-enforcer" is looked up from the root. */
  configPath?: string;
  /** Overrides the config's `missingAuth`: `strict` reports every open route not declared public as an error. */
  missingAuth?: 'evidence' | 'strict';
}

export interface FixOptions extends ScanOptions {
  dryRun: boolean;
  force: boolean;
  authStrategy?: AuthStrategy;
  /** Nest: protect through one APP_GUARD in the root module (public routes get @Public()) instead of @UseGuards per route. */
  nestGlobalGuard?: boolean;
  /** Restrict fixes to these rules (default: all fixable). */
  rules?: string[];
}

export interface ReportOptions {
  format: OutputFormat;
  color: boolean;
  /** Used to print code frames and to make paths relative. */
  root: string;
  /** Severity threshold that counts as failing (default warning+error both counted, error fails). */
  maxWarnings?: number;
}

export type { Severity };
