import type { ReportOptions } from '../model/options.js';
import type { Diagnostic, Evidence, ScanResult, ScanSummary } from '../model/types.js';
import { relativeFile } from './paths.js';
import { isFixable, sortFindings } from './summary.js';

/** The `scan --format json` contract (architecture.md, "Output contracts"). Bump schemaVersion on any breaking change. */
export interface JsonReport {
  schemaVersion: 1;
  findings: JsonFinding[];
  summary: ScanSummary;
  diagnostics: Diagnostic[];
}

export interface JsonFinding {
  ruleId: string;
  severity: 'error' | 'warning';
  message: string;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  route: { method: string; path: string } | null;
  fingerprint: string;
  fixable: boolean;
  /** What the claim rests on, each with file:line (present when the rule gives evidence). */
  evidence?: Evidence[];
}

export function toJsonReport(result: ScanResult, opts: Pick<ReportOptions, 'root'>): JsonReport {
  return {
    schemaVersion: 1,
    findings: sortFindings(result.findings).map((f) => ({
      ruleId: f.ruleId,
      severity: f.severity,
      message: f.message,
      file: relativeFile(f.loc.file, opts.root),
      line: f.loc.line,
      column: f.loc.column,
      endLine: f.loc.endLine,
      endColumn: f.loc.endColumn,
      route: f.route ? { method: f.route.method, path: f.route.path } : null,
      fingerprint: f.fingerprint,
      fixable: isFixable(f),
      ...(f.evidence?.length ? { evidence: f.evidence.map((e) => ({ ...e, file: relativeFile(e.file, opts.root) })) } : {}),
    })),
    summary: {
      files: result.summary.files,
      routes: result.summary.routes,
      errors: result.summary.errors,
      warnings: result.summary.warnings,
      durationMs: result.summary.durationMs,
    },
    diagnostics: result.diagnostics.map((d) => ({ ...d, ...(d.file ? { file: relativeFile(d.file, opts.root) } : {}) })),
  };
}

export function formatJson(result: ScanResult, opts: ReportOptions): string {
  return `${JSON.stringify(toJsonReport(result, opts), null, 2)}\n`;
}
