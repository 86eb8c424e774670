import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Rule } from '../model/rule.js';
import type { Severity } from '../model/types.js';

/** What reporters know about a rule: registry data plus its documentation page. */
export interface RuleInfo {
  id: string;
  description: string;
  defaultSeverity: Severity;
  /** First paragraph of rules/<id>.md. */
  helpText?: string;
  /** The whole rules/<id>.md. */
  helpMarkdown?: string;
  helpUri?: string;
}

export interface ToolInfo {
  name: string;
  version: string;
  informationUri: string;
  /** Repository web URL from package.json, when it names one. */
  repository?: string;
}

export interface ReportMeta {
  tool: ToolInfo;
  rules: RuleInfo[];
}

/** The package root (holds package.json and rules/), found from this file in src/ or dist/src/. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = readJson(path.join(dir, 'package.json'));
    if (pkg && pkg.name === 'auth-enforcer') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('auth-enforcer: cannot find its own package.json');
    dir = parent;
  }
}

let toolInfoCache: ToolInfo | undefined;

export function toolInfo(): ToolInfo {
  if (toolInfoCache) return toolInfoCache;
  const pkg = readJson(path.join(packageRoot(), 'package.json')) ?? {};
  const repo = repositoryUrl(pkg);
  toolInfoCache = {
    name: 'auth-enforcer',
    version: typeof pkg.version === 'string' ? pkg.version : '0.0.0',
    informationUri:
      (typeof pkg.homepage === 'string' && pkg.homepage) || repo || 'https://www.npmjs.com/package/auth-enforcer',
    ...(repo ? { repository: repo } : {}),
  };
  return toolInfoCache;
}

/** Where a rule's page can be read online: the repository if package.json names one, else the published package. */
export function ruleHelpUri(id: string, tool: ToolInfo = toolInfo()): string {
  if (tool.repository && /github\.com/.test(tool.repository)) return `${tool.repository}/blob/main/rules/${id}.md`;
  // rules/*.md ship in the npm package ("files"), so a versioned CDN path always resolves once published.
  return `https://unpkg.com/auth-enforcer@${tool.version}/rules/${id}.md`;
}

/** Rule metadata from registry entries (or anything shaped like them) and the rules/<id>.md pages. */
export function ruleInfos(
  rules: readonly Pick<Rule, 'id' | 'description' | 'defaultSeverity'>[],
  pagesDir: string = path.join(packageRoot(), 'rules'),
): RuleInfo[] {
  const tool = toolInfo();
  return rules.map((r) => {
    const info: RuleInfo = {
      id: r.id,
      description: r.description,
      defaultSeverity: r.defaultSeverity,
      helpUri: ruleHelpUri(r.id, tool),
    };
    const page = readRulePage(r.id, pagesDir);
    if (page !== undefined) {
      info.helpMarkdown = page;
      info.helpText = firstParagraph(page) || r.description;
    }
    return info;
  });
}

/**
 * Metadata for the rules registry in rules/index.ts, imported lazily so a reporter can run (and be
 * tested) before or without the rules. A missing or broken registry yields no rules, not an error.
 */
export async function loadReportMeta(): Promise<ReportMeta> {
  let rules: Rule[] = [];
  try {
    const registry = (await import('../../rules/index.js')) as { allRules?: Rule[] };
    rules = Array.isArray(registry.allRules) ? registry.allRules : [];
  } catch {
    rules = [];
  }
  return { tool: toolInfo(), rules: ruleInfos(rules) };
}

/** Meta without the registry: used when a caller passes none. */
export function defaultReportMeta(): ReportMeta {
  return { tool: toolInfo(), rules: [] };
}

export function readRulePage(id: string, pagesDir: string = path.join(packageRoot(), 'rules')): string | undefined {
  if (!/^[a-z0-9-]+$/.test(id)) return undefined;
  try {
    return readFileSync(path.join(pagesDir, `${id}.md`), 'utf8');
  } catch {
    return undefined;
  }
}

/** The first paragraph of a Markdown page that is not a heading, joined onto one line. */
export function firstParagraph(markdown: string): string {
  const lines = markdown.replace(/\r\n/g, '\n').split('\n');
  const out: string[] = [];
  for (const line of lines) {
    const t = line.trim();
    if (out.length === 0 && (t === '' || t.startsWith('#'))) continue;
    if (t === '' || t.startsWith('#') || t.startsWith('```')) break;
    out.push(t);
  }
  return out.join(' ');
}

function repositoryUrl(pkg: Record<string, unknown>): string | undefined {
  const repo = pkg.repository;
  const url = typeof repo === 'string' ? repo : typeof repo === 'object' && repo ? (repo as { url?: unknown }).url : undefined;
  if (typeof url !== 'string') return undefined;
  return url.replace(/^git\+/, '').replace(/\.git$/, '').replace(/^github:/, 'https://github.com/');
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
