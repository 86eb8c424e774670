import type { OutputFormat, ReportOptions } from '../model/options.js';
import type { ScanResult } from '../model/types.js';
import { UsageError } from '../model/errors.js';
import { formatGithub } from './github.js';
import { formatJson } from './json.js';
import { formatMarkdown } from './markdown.js';
import { defaultReportMeta, type ReportMeta } from './meta.js';
import { formatSarif } from './sarif.js';
import { formatStylish } from './stylish.js';

export const OUTPUT_FORMATS: readonly OutputFormat[] = ['stylish', 'json', 'sarif', 'github', 'markdown'];

export type Reporter = (result: ScanResult, opts: ReportOptions, meta: ReportMeta) => string;

const REPORTERS: Record<OutputFormat, Reporter> = {
  stylish: formatStylish,
  json: formatJson,
  sarif: formatSarif,
  github: formatGithub,
  markdown: formatMarkdown,
};

/** Renders a scan result in `opts.format`. `meta` (rules + tool) matters for sarif and markdown; see loadReportMeta. */
export function formatReport(result: ScanResult, opts: ReportOptions, meta: ReportMeta = defaultReportMeta()): string {
  const reporter = (REPORTERS as Record<string, Reporter | undefined>)[opts.format];
  if (!reporter) {
    throw new UsageError(`unknown format "${String(opts.format)}" (expected one of: ${OUTPUT_FORMATS.join(', ')})`);
  }
  return reporter(result, opts, meta);
}

export { formatGithub, escapeData, escapeProperty } from './github.js';
export { formatJson, toJsonReport, type JsonReport, type JsonFinding } from './json.js';
export { formatMarkdown } from './markdown.js';
export { formatSarif, toSarif } from './sarif.js';
export { formatStylish } from './stylish.js';
export { renderRoutesJson, renderRoutesTable, toRoutesJson, type RoutesJson, type RoutesRenderOptions } from './routes.js';
export { loadReportMeta, ruleInfos, type ReportMeta, type RuleInfo, type ToolInfo } from './meta.js';
export { summaryText, countFindings } from './summary.js';
