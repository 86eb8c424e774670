import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readJsonObject, writeJsonLike, type FileAction } from './files.js';

export const HOOK_MANAGERS = ['husky', 'lint-staged', 'simple-git-hooks', 'pre-commit'] as const;
export type HookManager = (typeof HOOK_MANAGERS)[number];

export interface HookSetup {
  dir: string;
  /** The scan root relative to the git top-level ('' when they are the same); hooks run from the top. */
  fromTop: string;
  /** Baseline file relative to the project, when the project has one. */
  baseline?: string;
  force: boolean;
}

/** Extensions whose staged change can change a finding; config files report everything (see --staged). */
const SOURCE_GLOB = '*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}';

/**
 * The hook command. `npx --no` runs the project's own install and never downloads one at commit time.
 * The selection comes last: lint-staged appends the staged files after `--only-files`.
 */
export function hookCommand(setup: HookSetup, selection = '--staged'): string {
  const root = setup.fromTop ? ` ${quote(setup.fromTop)}` : '';
  const baseline = setup.baseline ? ` --baseline ${quote(path.posix.join(setup.fromTop, setup.baseline))}` : '';
  return `npx --no -- auth-enforcer scan${root} --quiet${baseline} ${selection}`;
}

function quote(s: string): string {
  return /^[\w./@-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Hook managers the project already uses, most specific first (lint-staged runs under husky or simple-git-hooks). */
export function detectHookManagers(dir: string): HookManager[] {
  const pkg = safeJson(path.join(dir, 'package.json'));
  const deps = { ...(pkg?.dependencies as object), ...(pkg?.devDependencies as object) } as Record<string, unknown>;
  const found: HookManager[] = [];
  if (pkg?.['lint-staged'] !== undefined || existsSync(path.join(dir, '.lintstagedrc.json')) || 'lint-staged' in deps) found.push('lint-staged');
  if (existsSync(path.join(dir, '.husky')) || 'husky' in deps) found.push('husky');
  if (pkg?.['simple-git-hooks'] !== undefined || 'simple-git-hooks' in deps) found.push('simple-git-hooks');
  if (existsSync(path.join(dir, '.pre-commit-config.yaml'))) found.push('pre-commit');
  return found;
}

function safeJson(file: string): Record<string, unknown> | undefined {
  try {
    return readJsonObject(file);
  } catch {
    return undefined;
  }
}

export function wireHook(manager: HookManager, setup: HookSetup): FileAction {
  switch (manager) {
    case 'husky':
      return husky(setup);
    case 'simple-git-hooks':
      return simpleGitHooks(setup);
    case 'lint-staged':
      return lintStaged(setup);
    case 'pre-commit':
      return preCommit(setup);
  }
}

/** husky 9: `.husky/pre-commit` is a plain shell script; our line is appended to an existing one. */
function husky(setup: HookSetup): FileAction {
  const rel = '.husky/pre-commit';
  const abs = path.join(setup.dir, rel);
  const command = hookCommand(setup);
  const note = existsSync(path.join(setup.dir, '.husky/_')) ? '' : '; husky is not installed here yet: add husky and `"prepare": "husky"`, then npm install';
  if (!existsSync(abs)) {
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, `${command}\n`, { mode: 0o755, flag: 'wx' });
    return { file: rel, outcome: 'created', detail: `runs \`${command}\`${note}` };
  }
  const text = readFileSync(abs, 'utf8');
  if (text.includes('auth-enforcer')) return { file: rel, outcome: 'unchanged', detail: 'already runs auth-enforcer' };
  writeFileSync(abs, `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${command}\n`);
  return { file: rel, outcome: 'updated', detail: `appended \`${command}\`${note}` };
}

/** simple-git-hooks reads package.json "simple-git-hooks"; the hook is installed by running `npx simple-git-hooks`. */
function simpleGitHooks(setup: HookSetup): FileAction {
  const rel = 'package.json';
  const abs = path.join(setup.dir, rel);
  const pkg = readJsonObject(abs);
  if (!pkg) return { file: rel, outcome: 'refused', detail: 'no package.json to hold the "simple-git-hooks" config' };
  const command = hookCommand(setup);
  const hooks = (pkg['simple-git-hooks'] ?? {}) as Record<string, unknown>;
  const existing = hooks['pre-commit'];
  if (typeof existing === 'string' && existing.includes('auth-enforcer')) {
    return { file: rel, outcome: 'unchanged', detail: '"simple-git-hooks" pre-commit already runs auth-enforcer' };
  }
  if (typeof existing === 'string' && !setup.force) {
    return { file: rel, outcome: 'refused', detail: `"simple-git-hooks" pre-commit is already \`${existing}\`; --force appends \`&& ${command}\`` };
  }
  hooks['pre-commit'] = typeof existing === 'string' ? `${existing} && ${command}` : command;
  pkg['simple-git-hooks'] = hooks;
  writeJsonLike(abs, pkg);
  return { file: rel, outcome: 'updated', detail: `"simple-git-hooks" pre-commit runs \`${hooks['pre-commit']}\`; run \`npx simple-git-hooks\` to install it` };
}

/**
 * lint-staged appends the staged files to the command, so it runs `scan --only-files`: the files are
 * what it reports on, and the whole project is still analysed.
 */
function lintStaged(setup: HookSetup): FileAction {
  const rcRel = '.lintstagedrc.json';
  const useRc = existsSync(path.join(setup.dir, rcRel));
  const rel = useRc ? rcRel : 'package.json';
  const abs = path.join(setup.dir, rel);
  const other = ['.lintstagedrc', '.lintstagedrc.yaml', '.lintstagedrc.yml', '.lintstagedrc.js', '.lintstagedrc.cjs', '.lintstagedrc.mjs', 'lint-staged.config.js', 'lint-staged.config.mjs', 'lint-staged.config.cjs'].find((f) =>
    existsSync(path.join(setup.dir, f)),
  );
  const command = hookCommand(setup, '--only-files').replace(/^npx --no -- /, '');
  if (other && !useRc) {
    return { file: other, outcome: 'refused', detail: `cannot edit this lint-staged config; add "${SOURCE_GLOB}": "${command}" to it` };
  }
  const data = readJsonObject(abs);
  if (!data) return { file: rel, outcome: 'refused', detail: 'no package.json to hold the "lint-staged" config' };
  const config = (useRc ? data : (data['lint-staged'] ?? {})) as Record<string, unknown>;
  if (JSON.stringify(config).includes('auth-enforcer')) return { file: rel, outcome: 'unchanged', detail: 'lint-staged already runs auth-enforcer' };
  const existing = config[SOURCE_GLOB];
  if (existing !== undefined && !setup.force) {
    return { file: rel, outcome: 'refused', detail: `lint-staged already has tasks for "${SOURCE_GLOB}"; --force adds \`${command}\` to them` };
  }
  config[SOURCE_GLOB] = existing === undefined ? command : [...(Array.isArray(existing) ? existing : [existing]), command];
  if (!useRc) data['lint-staged'] = config;
  writeJsonLike(abs, data);
  const runner = existsSync(path.join(setup.dir, '.husky')) || data['simple-git-hooks'] !== undefined ? '' : '; lint-staged runs from a git hook: wire it with husky or simple-git-hooks';
  return { file: rel, outcome: 'updated', detail: `lint-staged runs \`${command} <staged files>\` for ${SOURCE_GLOB}${runner}` };
}

/** The pre-commit framework: a `repo: local` hook using the project's own install (no download at commit time). */
function preCommit(setup: HookSetup): FileAction {
  const rel = '.pre-commit-config.yaml';
  const abs = path.join(setup.dir, rel);
  const hook = (indent: string) =>
    [
      `${indent}- repo: local`,
      `${indent}  hooks:`,
      `${indent}    - id: auth-enforcer`,
      `${indent}      name: auth-enforcer`,
      `${indent}      entry: ${hookCommand(setup)}`,
      `${indent}      language: system`,
      `${indent}      pass_filenames: false`,
      `${indent}      files: '\\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$|(^|/)(auth-enforcer\\.config\\.json|package\\.json)$'`,
    ].join('\n');
  if (!existsSync(abs)) {
    writeFileSync(abs, `repos:\n${hook('  ')}\n`, { flag: 'wx' });
    return { file: rel, outcome: 'created', detail: 'a local auth-enforcer hook; run `pre-commit install` once' };
  }
  const text = readFileSync(abs, 'utf8');
  if (text.includes('auth-enforcer')) return { file: rel, outcome: 'unchanged', detail: 'already runs auth-enforcer' };
  // Appending is only safe when `repos:` is the last top-level key; we do not rewrite YAML otherwise.
  const lines = text.split(/\r?\n/);
  const reposAt = lines.findIndex((l) => /^repos:\s*$/.test(l));
  const laterTopLevel = lines.slice(reposAt + 1).some((l) => /^[^\s#-]/.test(l));
  const item = lines.slice(reposAt + 1).find((l) => /^\s*- /.test(l));
  if (reposAt < 0 || laterTopLevel || !item) {
    return { file: rel, outcome: 'refused', detail: `cannot place the hook safely; add under repos:\n${hook('  ')}` };
  }
  const indent = /^(\s*)- /.exec(item)![1]!;
  writeFileSync(abs, `${text}${text.endsWith('\n') ? '' : '\n'}${hook(indent)}\n`);
  return { file: rel, outcome: 'updated', detail: 'appended a local auth-enforcer hook; run `pre-commit install` once if not done' };
}
