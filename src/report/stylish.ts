import { readFileSync } from 'node:fs';
import { Chalk, type ChalkInstance } from 'chalk';
import type { ReportOptions } from '../model/options.js';
import type { Diagnostic, Finding, ScanResult } from '../model/types.js';
import { codeFrame } from './code-frame.js';
import { absoluteFile, relativeFile } from './paths.js';
import { countFindings, plural, sortFindings, summaryText } from './summary.js';

/** A chalk that colours exactly when asked to, whatever the terminal detection says. */
export function chalkFor(color: boolean): ChalkInstance {
  return new Chalk({ level: color ? 1 : 0 });
}

/**
 * The default, human format: findings grouped by file, each with a code frame, then a summary line
 * and the diagnostics. Files that cannot be read get no frame.
 */
export function formatStylish(result: ScanResult, opts: ReportOptions): string {
  const c = chalkFor(opts.color);
  const out: string[] = [];
  const byFile = new Map<string, Finding[]>();
  for (const f of sortFindings(result.findings)) {
    const file = relativeFile(f.loc.file, opts.root);
    byFile.set(file, [...(byFile.get(file) ?? []), f]);
  }

  for (const [file, findings] of byFile) {
    out.push('', c.underline(file));
    const text = readSource(absoluteFile(file, opts.root));
    const posWidth = Math.max(...findings.map((f) => `${f.loc.line}:${f.loc.column}`.length));
    for (const f of findings) {
      const pos = `${f.loc.line}:${f.loc.column}`.padEnd(posWidth);
      const sev = f.severity === 'error' ? c.red('error  ') : c.yellow('warning');
      out.push(`  ${c.dim(pos)}  ${sev}  ${f.message}  ${c.dim(f.ruleId)}`);
      if (text !== undefined) {
        const frame = codeFrame(text, f.loc, c);
        if (frame) out.push('', indent(frame, 4), '');
      }
    }
  }

  const counts = countFindings(result);
  const total = counts.errors + counts.warnings;
  out.push('');
  if (total === 0) out.push(c.green(`✔ ${summaryText(result)}`));
  else out.push(c.bold[counts.errors > 0 ? 'red' : 'yellow'](`✖ ${summaryText(result)}`));
  if (counts.fixable > 0) {
    out.push(c.dim(`  ${plural(counts.fixable, 'problem')} can be fixed with --fix (preview with --fix --dry-run)`));
  }
  if (opts.maxWarnings !== undefined && counts.warnings > opts.maxWarnings) {
    out.push(c.red(`auth-enforcer found too many warnings (maximum: ${opts.maxWarnings}).`));
  }

  if (result.diagnostics.length > 0) {
    out.push('', c.bold('Diagnostics:'));
    for (const d of result.diagnostics) out.push(`  ${diagnosticLine(d, opts.root, c)}`);
  }
  // Frames end with a blank line and sections start with one: keep a single blank line between them.
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').replace(/^\n/, '')}\n`;
}

function diagnosticLine(d: Diagnostic, root: string, c: ChalkInstance): string {
  const level = d.level === 'error' ? c.red('error  ') : d.level === 'warning' ? c.yellow('warning') : c.blue('info   ');
  const where = d.file ? `${relativeFile(d.file, root)}${d.line ? `:${d.line}` : ''}  ` : '';
  return `${level}  ${where}${d.message}  ${c.dim(d.code)}`;
}

function readSource(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function indent(text: string, n: number): string {
  const pad = ' '.repeat(n);
  return text
    .split('\n')
    .map((l) => pad + l)
    .join('\n');
}
