import type { ReportOptions } from '../model/options.js';
import type { Diagnostic, Finding, ScanResult } from '../model/types.js';
import { relativeFile } from './paths.js';
import { sortFindings, summaryText } from './summary.js';

/** Message data of a workflow command: only `%`, CR and LF are special. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Property values additionally must not contain the `:` and `,` that delimit properties. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function command(name: 'error' | 'warning' | 'notice', props: [string, string | number | undefined][], message: string): string {
  const list = props
    .filter((p): p is [string, string | number] => p[1] !== undefined)
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  return `::${name}${list ? ` ${list}` : ''}::${escapeData(message)}`;
}

/**
 * GitHub Actions annotations: one workflow command per finding and diagnostic, then a plain summary
 * line for the log. Paths are relative to the scan root, which should be the repository root.
 */
export function formatGithub(result: ScanResult, opts: ReportOptions): string {
  const lines = [
    ...sortFindings(result.findings).map((f) => findingCommand(f, opts.root)),
    ...result.diagnostics.map((d) => diagnosticCommand(d, opts.root)),
    `auth-enforcer: ${summaryText(result)}`,
  ];
  return `${lines.join('\n')}\n`;
}

function findingCommand(f: Finding, root: string): string {
  return command(
    f.severity,
    [
      ['file', relativeFile(f.loc.file, root)],
      ['line', f.loc.line],
      ['col', f.loc.column],
      ['endLine', f.loc.endLine],
      ['endColumn', f.loc.endColumn],
      ['title', `auth-enforcer(${f.ruleId})`],
    ],
    f.message,
  );
}

function diagnosticCommand(d: Diagnostic, root: string): string {
  return command(
    d.level === 'info' ? 'notice' : d.level,
    [
      ['file', d.file ? relativeFile(d.file, root) : undefined],
      ['line', d.file ? d.line : undefined],
      ['title', `auth-enforcer(${d.code})`],
    ],
    d.message,
  );
}
