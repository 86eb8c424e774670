import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import type { ReportOptions } from '../model/options.js';
import type { Diagnostic, Finding, ScanResult, Severity } from '../model/types.js';
import { defaultReportMeta, ruleHelpUri, type ReportMeta, type RuleInfo } from './meta.js';
import { relativeFile } from './paths.js';
import { sortFindings } from './summary.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const SRCROOT = '%SRCROOT%';

/**
 * SARIF 2.1.0 for code-scanning uploads. Rules come from `meta` (registry + rules/<id>.md); a finding
 * whose rule is not in it still gets a minimal descriptor so every result has a valid ruleIndex.
 * Suppressed findings are included with an in-source suppression, so code scanning shows them as dismissed.
 */
export function formatSarif(result: ScanResult, opts: ReportOptions, meta: ReportMeta = defaultReportMeta()): string {
  return `${JSON.stringify(toSarif(result, opts, meta), null, 2)}\n`;
}

export function toSarif(result: ScanResult, opts: ReportOptions, meta: ReportMeta = defaultReportMeta()): Sarif.Log {
  const infos = new Map<string, RuleInfo>(meta.rules.map((r) => [r.id, r]));
  for (const f of [...result.findings, ...result.suppressed]) {
    if (!infos.has(f.ruleId)) {
      infos.set(f.ruleId, {
        id: f.ruleId,
        description: f.ruleId,
        defaultSeverity: f.severity,
        helpUri: ruleHelpUri(f.ruleId, meta.tool),
      });
    }
  }
  const ids = [...infos.keys()];
  const index = new Map(ids.map((id, i) => [id, i]));

  const results: Sarif.Result[] = [
    ...sortFindings(result.findings).map((f) => toResult(f, index.get(f.ruleId)!, opts.root)),
    ...sortFindings(result.suppressed).map((f) => ({
      ...toResult(f, index.get(f.ruleId)!, opts.root),
      suppressions: [{ kind: 'inSource' as const }],
    })),
  ];

  const run: Sarif.Run = {
    tool: {
      driver: {
        name: meta.tool.name,
        version: meta.tool.version,
        semanticVersion: meta.tool.version,
        informationUri: meta.tool.informationUri,
        rules: [...infos.values()].map(toDescriptor),
      },
    },
    // Lets a viewer turn the relative artifact URIs back into files on disk.
    originalUriBaseIds: { [SRCROOT]: { uri: dirUri(opts.root) } },
    invocations: [
      {
        executionSuccessful: true,
        toolExecutionNotifications: result.diagnostics.map(toNotification(opts.root)),
      },
    ],
    columnKind: 'utf16CodeUnits',
    results,
  };
  return { $schema: SARIF_SCHEMA, version: '2.1.0', runs: [run] };
}

function toDescriptor(r: RuleInfo): Sarif.ReportingDescriptor {
  const d: Sarif.ReportingDescriptor = {
    id: r.id,
    name: pascal(r.id),
    shortDescription: { text: r.description },
    fullDescription: { text: r.helpText ?? r.description },
    defaultConfiguration: { level: level(r.defaultSeverity) },
    help: r.helpMarkdown !== undefined ? { text: r.helpText ?? r.description, markdown: r.helpMarkdown } : { text: r.description },
  };
  if (r.helpUri) d.helpUri = r.helpUri;
  return d;
}

function toResult(f: Finding, ruleIndex: number, root: string): Sarif.Result {
  const res: Sarif.Result = {
    ruleId: f.ruleId,
    ruleIndex,
    level: level(f.severity),
    message: { text: f.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: fileUri(relativeFile(f.loc.file, root)), uriBaseId: SRCROOT },
          region: {
            startLine: f.loc.line,
            startColumn: f.loc.column,
            endLine: f.loc.endLine,
            endColumn: f.loc.endColumn,
          },
        },
      },
    ],
    partialFingerprints: { 'authEnforcer/v1': f.fingerprint },
  };
  if (f.route) res.properties = { route: `${f.route.method} ${f.route.path}` };
  if (f.evidence?.length) {
    // Code scanning shows related locations beside the alert and sorts by rank: a claim with evidence first.
    res.relatedLocations = f.evidence.map((e, i) => ({
      id: i + 1,
      message: { text: e.message },
      physicalLocation: { artifactLocation: { uri: fileUri(relativeFile(e.file, root)), uriBaseId: SRCROOT }, region: { startLine: e.line } },
    }));
    res.properties = { ...res.properties, evidence: f.evidence.map((e) => ({ kind: e.kind, message: e.message, file: relativeFile(e.file, root), line: e.line })) };
  }
  res.rank = f.severity === 'error' ? (f.evidence?.length ? 90 : 70) : f.evidence?.length ? 50 : 30;
  return res;
}

function toNotification(root: string) {
  return (d: Diagnostic): Sarif.Notification => {
    const n: Sarif.Notification = {
      descriptor: { id: d.code },
      level: d.level === 'info' ? 'note' : d.level,
      message: { text: d.message },
    };
    if (d.file) {
      n.locations = [
        {
          physicalLocation: {
            artifactLocation: { uri: fileUri(relativeFile(d.file, root)), uriBaseId: SRCROOT },
            ...(d.line ? { region: { startLine: d.line } } : {}),
          },
        },
      ];
    }
    return n;
  };
}

function level(s: Severity): Sarif.ReportingConfiguration.level {
  return s === 'error' ? 'error' : 'warning';
}

/** A relative URI reference: each segment percent-encoded, slashes kept. */
function fileUri(rel: string): string {
  return rel.split('/').map(encodeURIComponent).join('/');
}

function dirUri(dir: string): string {
  const uri = pathToFileURL(dir).href;
  return uri.endsWith('/') ? uri : `${uri}/`;
}

/** `missing-auth` → `MissingAuth`: SARIF's rule `name` is an identifier-like label. */
function pascal(id: string): string {
  return id.replace(/(^|-)([a-z0-9])/g, (_m, _d, ch: string) => ch.toUpperCase());
}
