// The library surface: the CLI and tests call these; nothing here prints or exits.
import path from 'node:path';
import { applyFixes, type ApplyResult } from './fix/apply.js';
import { isWorkTreeDirty } from './fix/git.js';
import { resolveRoot } from './discover/files.js';
import { importGraph } from './discover/import-graph.js';
import { contentDigest } from './cache/libraries.js';
import { UsageError } from './model/errors.js';
import type { FixOptions, ScanOptions } from './model/options.js';
import type { SliceInput } from './discover/project.js';
import type { Diagnostic, Route, ScanResult } from './model/types.js';
import { runScan } from './pipeline/scan.js';
import { collapseAppWithoutAuth } from './pipeline/app-claims.js';

export type { ScanResult, Route, Finding, Diagnostic } from './model/types.js';
export type { ScanOptions, FixOptions } from './model/options.js';

export async function scan(opts: ScanOptions): Promise<ScanResult> {
  return collapseAppWithoutAuth(runScan(opts).result);
}

/**
 * For the scan cache: a full scan with what a later slice needs (the files discovered and the import
 * graph, relative to the root), or a slice scan (see src/cache/slice.ts). Not part of the documented API.
 */
export async function scanForCache(
  opts: ScanOptions,
  slice?: SliceInput,
): Promise<{ result: ScanResult; discovered?: string[]; imports?: Record<string, string[]>; scope?: string[]; libraries: Record<string, string> }> {
  const run = runScan({ ...opts, slice });
  const rel = (f: string) => path.relative(run.result.root, f).split(path.sep).join('/');
  const libraries = Object.fromEntries([...run.project.files.libraries()].map(([file, text]) => [file, contentDigest(text)]));
  if (slice) return { result: run.result, scope: run.project.files.scopeFiles()?.map(rel), libraries };
  const imports: Record<string, string[]> = {};
  for (const [file, targets] of importGraph(run.project.files, run.project.modules)) imports[rel(file)] = targets.map(rel);
  return { result: run.result, discovered: run.project.files.discovered().map(rel), imports, libraries };
}

export async function listRoutes(opts: ScanOptions): Promise<{ routes: Route[]; diagnostics: Diagnostic[] }> {
  const { result } = runScan(opts);
  return { routes: result.routes, diagnostics: result.diagnostics };
}

export interface FixOutcome extends ApplyResult {
  /** The scan the fixes came from. */
  before: ScanResult;
  /** A fresh scan after writing (the same as `before` with dryRun). */
  result: ScanResult;
}

/**
 * Applies every available fix. Refuses a dirty git work tree unless `force`, so the user can always
 * review and revert with git; a dry run writes nothing and returns the diff.
 */
export async function fix(opts: FixOptions): Promise<FixOutcome> {
  const { root } = resolveRoot(opts.paths, opts.cwd);
  if (!opts.dryRun && !opts.force && isWorkTreeDirty(root)) {
    throw new UsageError('the git work tree has uncommitted changes; commit or stash them first, or pass --force');
  }
  const before = runScan({ ...opts, authStrategy: opts.authStrategy }).result;
  const fixes = before.findings
    .filter((f) => f.fix && (!opts.rules || opts.rules.includes(f.ruleId)))
    .map((f) => f.fix!);
  const applied = applyFixes(root, fixes, { dryRun: opts.dryRun });
  const result = collapseAppWithoutAuth(opts.dryRun ? before : runScan(opts).result);
  return { ...applied, before, result };
}
