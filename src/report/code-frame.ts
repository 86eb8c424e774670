import type { ChalkInstance } from 'chalk';
import type { SourceLoc } from '../model/types.js';

const MAX_WIDTH = 160;

/**
 * A few lines around `loc` with a `>` on its first line and carets under the span (to the end of the
 * line when the span runs onto the next). Tabs are kept under the carets so they line up in a terminal.
 */
export function codeFrame(text: string, loc: SourceLoc, chalk: ChalkInstance, context = 1): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  if (loc.line < 1 || loc.line > lines.length) return '';
  const first = Math.max(1, loc.line - context);
  const last = Math.min(lines.length, loc.line + context);
  const gutterWidth = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const src = clip(lines[n - 1]!);
    const gutter = `${String(n).padStart(gutterWidth)} |`;
    if (n !== loc.line) {
      out.push(chalk.dim(`  ${gutter}`) + (src ? ` ${src}` : ''));
      continue;
    }
    out.push(`${chalk.red.bold('>')} ${chalk.dim(gutter)}${src ? ` ${src}` : ''}`);
    const start = Math.min(Math.max(loc.column - 1, 0), src.length);
    const end = loc.endLine === loc.line ? Math.min(Math.max(loc.endColumn - 1, start + 1), src.length) : src.length;
    const pad = src.slice(0, start).replace(/[^\t]/g, ' ');
    const carets = '^'.repeat(Math.max(1, end - start));
    out.push(`  ${chalk.dim(`${' '.repeat(gutterWidth)} |`)} ${pad}${chalk.red.bold(carets)}`);
  }
  return out.join('\n');
}

function clip(line: string): string {
  return line.length > MAX_WIDTH ? `${line.slice(0, MAX_WIDTH)}…` : line;
}
