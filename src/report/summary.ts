import type { Finding, ScanResult } from '../model/types.js';

export interface Counts {
  errors: number;
  warnings: number;
  fixable: number;
  suppressed: number;
}

/** Counts over the findings being shown (the CLI may have dropped warnings for --quiet). */
export function countFindings(result: Pick<ScanResult, 'findings' | 'suppressed'>): Counts {
  let errors = 0;
  let warnings = 0;
  let fixable = 0;
  for (const f of result.findings) {
    if (f.severity === 'error') errors++;
    else warnings++;
    if (isFixable(f)) fixable++;
  }
  return { errors, warnings, fixable, suppressed: result.suppressed.length };
}

export function isFixable(f: Finding): boolean {
  return f.fix !== undefined && (f.fix.edits.length > 0 || (f.fix.newFiles?.length ?? 0) > 0);
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `3 problems (2 errors, 1 warning)` or `No problems found in 12 routes`, without the mark. */
export function summaryText(result: Pick<ScanResult, 'findings' | 'suppressed' | 'summary'>): string {
  const c = countFindings(result);
  const suppressed = c.suppressed > 0 ? ` (${c.suppressed} suppressed)` : '';
  if (c.errors + c.warnings === 0) return `No problems found in ${plural(result.summary.routes, 'route')}${suppressed}`;
  return `${plural(c.errors + c.warnings, 'problem')} (${plural(c.errors, 'error')}, ${plural(c.warnings, 'warning')})${suppressed}`;
}

/** `src/a.ts:12:3` */
export function locText(loc: { file: string; line: number; column?: number }): string {
  return loc.column !== undefined ? `${loc.file}:${loc.line}:${loc.column}` : `${loc.file}:${loc.line}`;
}

/** Findings in a stable order: file, line, column, rule. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      cmp(a.loc.file, b.loc.file) ||
      a.loc.line - b.loc.line ||
      a.loc.column - b.loc.column ||
      cmp(a.ruleId, b.ruleId) ||
      cmp(a.message, b.message),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
