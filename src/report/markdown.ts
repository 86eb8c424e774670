import type { ReportOptions } from '../model/options.js';
import type { ScanResult } from '../model/types.js';
import { defaultReportMeta, type ReportMeta } from './meta.js';
import { relativeFile } from './paths.js';
import { countFindings, plural, sortFindings, summaryText } from './summary.js';

/** Cell content: no pipe or line break may leak into the table structure (GFM unescapes `\|` even in code). */
export function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/**
 * Plain text as Markdown: messages quote user code, and a PR comment must not render it as
 * emphasis, links or HTML.
 */
export function text(s: string): string {
  return s
    .replace(/\r?\n/g, ' ')
    .replace(/[\\`*_[\]#~]/g, '\\$&')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** Inline code that survives backticks inside it (CommonMark: a longer fence than any run inside). */
export function code(s: string): string {
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${s}${pad}${fence}`;
}

/** A PR comment / job summary: heading, summary, a table of findings, diagnostics folded away. */
export function formatMarkdown(result: ScanResult, opts: ReportOptions, meta: ReportMeta = defaultReportMeta()): string {
  const helpUris = new Map(meta.rules.map((r) => [r.id, r.helpUri]));
  const counts = countFindings(result);
  const total = counts.errors + counts.warnings;
  const out: string[] = ['## auth-enforcer', ''];
  const scope = `${plural(result.summary.routes, 'route')} in ${plural(result.summary.files, 'file')}`;
  out.push(total === 0 ? `✅ ${summaryText(result)}.` : `❌ **${summaryText(result)}** across ${scope}.`);

  if (total > 0) {
    out.push('', '| Severity | Rule | Route | Location | Message |', '| --- | --- | --- | --- | --- |');
    for (const f of sortFindings(result.findings)) {
      const uri = helpUris.get(f.ruleId);
      const rule = uri ? `[${code(f.ruleId)}](${uri})` : code(f.ruleId);
      const route = f.route ? code(`${f.route.method} ${f.route.path}`) : '';
      const where = code(`${relativeFile(f.loc.file, opts.root)}:${f.loc.line}:${f.loc.column}`);
      const sev = f.severity === 'error' ? '🔴 error' : '🟡 warning';
      out.push(`| ${sev} | ${cell(rule)} | ${cell(route)} | ${cell(where)} | ${cell(text(f.message))} |`);
    }
    if (counts.fixable > 0) {
      out.push('', `${plural(counts.fixable, 'problem')} can be fixed automatically with \`auth-enforcer scan --fix\`.`);
    }
  }

  if (result.diagnostics.length > 0) {
    out.push('', `<details><summary>${plural(result.diagnostics.length, 'diagnostic')}</summary>`, '');
    for (const d of result.diagnostics) {
      const where = d.file ? ` ${code(`${relativeFile(d.file, opts.root)}${d.line ? `:${d.line}` : ''}`)}` : '';
      out.push(`- **${d.level}** ${code(d.code)}${where}: ${text(d.message)}`);
    }
    out.push('', '</details>');
  }
  return `${out.join('\n')}\n`;
}
