import { existsSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Baseline, baselineChanges, baselineOf, readBaseline, splitByBaseline, writeBaseline } from '../baseline/baseline.js';
import { cachedScan, type CacheScanner } from '../cache/scan-cache.js';
import { collapseAppWithoutAuth } from '../pipeline/app-claims.js';
import { changedFiles, type ChangeSelector } from '../changes/git-changes.js';
import { type ChangedSelection, configTouched, selectChanged } from '../changes/filter.js';
import { resolveRoot, SOURCE_EXTENSIONS } from '../discover/files.js';
import { UsageError } from '../model/errors.js';
import type { AuthStrategy, OutputFormat } from '../model/options.js';
import type { Finding, ScanResult } from '../model/types.js';
import { countFindings, formatReport, loadReportMeta, summaryText } from '../report/index.js';
import { plural } from '../report/summary.js';
import { type Api, loadApi } from './api-port.js';
import { EXIT_FINDINGS, EXIT_OK } from './errors.js';
import { useColor, type CliIo } from './io.js';
import { scanOptions } from './paths.js';

export interface ScanFlags {
  format: OutputFormat;
  output?: string;
  maxWarnings?: number;
  config?: string;
  color: boolean;
  fix?: boolean;
  dryRun?: boolean;
  force?: boolean;
  authStrategy?: AuthStrategy;
  nestGlobalGuard?: boolean;
  quiet?: boolean;
  baseline?: string;
  updateBaseline?: boolean;
  /** `--changed` alone is `true` (since HEAD); `--changed <ref>` the ref. */
  changed?: string | boolean;
  staged?: boolean;
  /** Report only on these files (lint-staged appends the staged files to the command). */
  onlyFiles?: string[];
  /** false with --no-cache. */
  cache?: boolean;
  missingAuth?: 'evidence' | 'strict';
}

export async function runScan(paths: string[], flags: ScanFlags, io: CliIo): Promise<number> {
  const fixing = flags.fix === true || flags.dryRun === true;
  if (!fixing && (flags.force || flags.authStrategy || flags.nestGlobalGuard)) {
    const flag = flags.force ? '--force' : flags.authStrategy ? '--auth-strategy' : '--nest-global-guard';
    throw new UsageError(`${flag} only applies with --fix or --dry-run`);
  }
  const selector = checkCiFlags(flags, fixing);
  const opts = { ...scanOptions(paths, flags.config, io), ...(flags.missingAuth ? { missingAuth: flags.missingAuth } : {}) };
  // Loaded only when analysis runs (ts-morph takes half a second): not for a cache hit or a skipped scan.
  const api = async () => io.api ?? (await loadApi());
  const root = resolveRoot(opts.paths, opts.cwd).root;
  // Asked before the scan, so "not a git repository" fails fast.
  const changed = selector
    ? changedFiles(root, selector)
    : flags.onlyFiles
      ? new Set(flags.onlyFiles.map((f) => realFile(path.resolve(io.cwd, f))))
      : undefined;
  const configChanged = changed !== undefined && configTouched(changed, root, opts.configPath);
  const baseline = flags.baseline && !flags.updateBaseline ? readBaseline(path.resolve(io.cwd, flags.baseline), flags.baseline) : undefined;
  const which = flags.staged ? 'staged' : flags.onlyFiles ? 'given' : 'changed';

  let result: ScanResult;
  if (changed && !configChanged && ![...changed].some((f) => isSourceFile(f) && isInside(f, root))) {
    // Every finding lies in a source file, so none can be reported: skip the whole-project analysis
    // (a commit of docs or assets costs nothing).
    io.stderr(`auth-enforcer: no source files among the ${which} files; nothing to scan\n`);
    result = emptyResult(root);
  } else if (fixing) {
    const outcome = await (await api()).fix({
      ...opts,
      dryRun: flags.dryRun === true,
      force: flags.force === true,
      ...(flags.authStrategy ? { authStrategy: flags.authStrategy } : {}),
      ...(flags.nestGlobalGuard ? { nestGlobalGuard: true } : {}),
    });
    result = outcome.result;
    const changed = outcome.written.length + outcome.created.length;
    if (flags.dryRun) {
      // A dry run's stdout is the diff alone, so it can be piped to `git apply` or a file.
      if (outcome.diff) io.stdout(outcome.diff.endsWith('\n') ? outcome.diff : `${outcome.diff}\n`);
      io.stderr(`auth-enforcer: dry run: ${plural(changed, 'file')} would change; nothing was written\n`);
    } else if (changed === 0) {
      io.stderr('auth-enforcer: nothing to fix\n');
    } else {
      io.stderr(`auth-enforcer: fixed ${plural(changed, 'file')} (${outcome.written.length} changed, ${outcome.created.length} created)\n`);
    }
    for (const s of outcome.skipped) io.stderr(`  skipped: ${s.description}: ${s.reason}\n`);
    for (const w of outcome.warnings) io.stderr(`  warning: ${w}\n`);
  } else {
    const cached = flags.cache === false ? undefined : await cachedScan(opts, cacheScanner(api), configChanged ? undefined : changed);
    // A cached result is stored as scanned (a slice merges into it route by route); the app-wide claim comes after.
    result = cached ? collapseAppWithoutAuth(cached.result) : await (await api()).scan(opts);
    if (cached && io.env.AUTH_ENFORCER_DEBUG) io.stderr(`auth-enforcer: cache ${cached.status}${cached.detail ? ` (${cached.detail})` : ''}\n`);
  }

  if (flags.updateBaseline) return updateBaseline(result, flags.baseline!, io);
  if (configChanged) io.stderr('auth-enforcer: the config changed, so every finding is reported\n');
  result = narrow(result, { changed: configChanged ? undefined : changed, baseline, which }, io);

  const shown = flags.quiet ? errorsOnly(result) : result;
  const toFile = flags.output !== undefined;
  const meta = flags.format === 'sarif' || flags.format === 'markdown' ? await loadReportMeta() : undefined;
  const report = formatReport(
    shown,
    {
      format: flags.format,
      color: useColor(flags.color, io, toFile),
      root: result.root,
      ...(flags.maxWarnings !== undefined ? { maxWarnings: flags.maxWarnings } : {}),
    },
    meta,
  );

  if (toFile) {
    const file = path.resolve(io.cwd, flags.output!);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, report);
    io.stderr(`auth-enforcer: ${summaryText(shown)}; report written to ${flags.output}\n`);
  } else if (!flags.dryRun) {
    io.stdout(report);
  }
  const { warnings } = countFindings(result);
  const stylishSaidSo = flags.format === 'stylish' && !flags.quiet && !toFile && !flags.dryRun;
  if (flags.maxWarnings !== undefined && warnings > flags.maxWarnings && !stylishSaidSo) {
    // Otherwise a --quiet or machine-format run would exit 1 with nothing on screen saying why.
    io.stderr(`auth-enforcer: too many warnings (${warnings}, maximum: ${flags.maxWarnings})\n`);
  }
  return exitCode(result, flags.maxWarnings);
}

/** 1 when any error-severity finding remains, or more warnings than --max-warnings allows; else 0. */
export function exitCode(result: ScanResult, maxWarnings: number | undefined): number {
  const { errors, warnings } = countFindings(result);
  if (errors > 0) return EXIT_FINDINGS;
  if (maxWarnings !== undefined && warnings > maxWarnings) return EXIT_FINDINGS;
  return EXIT_OK;
}

function isInside(file: string, dir: string): boolean {
  const rel = path.relative(realFile(dir), file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

function isSourceFile(file: string): boolean {
  return SOURCE_EXTENSIONS.includes(path.extname(file).slice(1));
}

function emptyResult(root: string): ScanResult {
  return {
    root,
    routes: [],
    findings: [],
    suppressed: [],
    diagnostics: [],
    frameworks: [],
    summary: { files: 0, routes: 0, errors: 0, warnings: 0, durationMs: 0 },
  };
}

function realFile(abs: string): string {
  return existsSync(abs) ? realpathSync(abs) : abs;
}

/** The analysis as the cache drives it: full scans with their import graph, and slice scans. */
function cacheScanner(api: () => Promise<Api>): CacheScanner {
  return {
    async full(o) {
      const a = await api();
      return a.scanForCache ? a.scanForCache(o) : { result: await a.scan(o) };
    },
    async slice(o, slice) {
      const a = await api();
      // Without the slice entry point (a test's fake API), a full scan is a correct, slower answer.
      return a.scanForCache ? a.scanForCache(o, slice) : { result: await a.scan(o) };
    },
  };
}

/** Usage errors for CI flag combinations; the git selector when --changed or --staged is given. */
function checkCiFlags(flags: ScanFlags, fixing: boolean): ChangeSelector | undefined {
  const given = [
    flags.changed !== undefined && flags.changed !== false ? '--changed' : undefined,
    flags.staged ? '--staged' : undefined,
    flags.onlyFiles ? '--only-files' : undefined,
  ].filter((x) => x !== undefined);
  if (given.length > 1) throw new UsageError(`${given.join(' and ')} cannot be combined; pick one`);
  const selecting = given[0];
  if (flags.updateBaseline && !flags.baseline) throw new UsageError('--update-baseline needs --baseline <file>');
  if (flags.updateBaseline && selecting) {
    throw new UsageError(`--update-baseline records every finding; it cannot be combined with ${selecting}`);
  }
  if (fixing && (flags.updateBaseline || selecting)) {
    throw new UsageError(`${flags.updateBaseline ? '--update-baseline' : selecting} cannot be combined with --fix or --dry-run`);
  }
  if (flags.staged) return { kind: 'staged' };
  if (typeof flags.changed === 'string') return { kind: 'changed', ref: flags.changed };
  if (flags.changed === true) return { kind: 'changed', ref: 'HEAD' };
  return undefined;
}

/** Writes the baseline from every current finding; fixed ones drop out. Exit 0: recording is not failing. */
function updateBaseline(result: ScanResult, file: string, io: CliIo): number {
  const abs = path.resolve(io.cwd, file);
  let before;
  try {
    before = existsSync(abs) ? readBaseline(abs, file) : undefined;
  } catch {
    before = undefined; // a malformed baseline is replaced, not merged
  }
  const after = baselineOf(result.findings);
  writeBaseline(abs, after);
  const { added, removed } = baselineChanges(before, after);
  io.stderr(`auth-enforcer: baseline ${file}: ${plural(result.findings.length, 'finding')} recorded (${added} added, ${removed} removed)\n`);
  return EXIT_OK;
}

/** --changed/--staged, then --baseline: what is left is what this run reports and fails on. */
function narrow(
  result: ScanResult,
  { changed, baseline, which }: { changed?: Set<string>; baseline?: Baseline; which: string },
  io: CliIo,
): ScanResult {
  let findings = result.findings;
  const notes: string[] = [];
  let selection: ChangedSelection | undefined;
  if (changed) {
    selection = selectChanged(result, changed);
    const before = findings.length;
    findings = findings.filter(selection.keep);
    const outside = before - findings.length;
    if (outside > 0) notes.push(`${plural(outside, 'finding')} outside the ${which} files not shown`);
  }
  if (baseline) {
    const { fresh, known } = splitByBaseline(findings, baseline);
    findings = fresh;
    if (known.length > 0) notes.push(`${plural(known.length, 'finding')} in the baseline not shown`);
  }
  // An edit to app.ts may change the protection of every route mounted there: say why those are shown.
  for (const { file, routes } of selection?.onTheWay(findings) ?? []) {
    io.stderr(`auth-enforcer: ${file} is on the way to ${plural(routes, 'route')}; ${routes === 1 ? 'its' : 'their'} findings are reported\n`);
  }
  if (notes.length) io.stderr(`auth-enforcer: ${notes.join('; ')}\n`);
  return findings === result.findings ? result : withFindings(result, findings);
}

function withFindings(result: ScanResult, findings: Finding[]): ScanResult {
  const errors = findings.filter((f) => f.severity === 'error').length;
  return { ...result, findings, summary: { ...result.summary, errors, warnings: findings.length - errors } };
}

/** --quiet: warnings are not shown (they still count against --max-warnings). */
function errorsOnly(result: ScanResult): ScanResult {
  const findings = result.findings.filter((f) => f.severity === 'error');
  return { ...result, findings, summary: { ...result.summary, errors: findings.length, warnings: 0 } };
}
