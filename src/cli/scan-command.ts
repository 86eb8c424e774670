import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../model/errors.js';
import type { AuthStrategy, OutputFormat } from '../model/options.js';
import type { ScanResult } from '../model/types.js';
import { countFindings, formatReport, loadReportMeta, summaryText } from '../report/index.js';
import { plural } from '../report/summary.js';
import { loadApi } from './api-port.js';
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
  quiet?: boolean;
}

export async function runScan(paths: string[], flags: ScanFlags, io: CliIo): Promise<number> {
  const fixing = flags.fix === true || flags.dryRun === true;
  if (!fixing && (flags.force || flags.authStrategy)) {
    throw new UsageError(`${flags.force ? '--force' : '--auth-strategy'} only applies with --fix or --dry-run`);
  }
  const opts = scanOptions(paths, flags.config, io);
  const api = io.api ?? (await loadApi());

  let result: ScanResult;
  if (fixing) {
    const outcome = await api.fix({
      ...opts,
      dryRun: flags.dryRun === true,
      force: flags.force === true,
      ...(flags.authStrategy ? { authStrategy: flags.authStrategy } : {}),
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
    result = await api.scan(opts);
  }

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

/** --quiet: warnings are not shown (they still count against --max-warnings). */
function errorsOnly(result: ScanResult): ScanResult {
  const findings = result.findings.filter((f) => f.severity === 'error');
  return { ...result, findings, summary: { ...result.summary, errors: findings.length, warnings: 0 } };
}
