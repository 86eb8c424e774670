// `auth-enforcer init` on fixture copies, and each hook manager's real pre-commit hook driven by a
// real `git commit`: blocked on a new finding, let through when clean. The hook runs the built CLI
// through `npx --no -- auth-enforcer` as a user's project would (node_modules/.bin links stand in
// for `npm install`, so this works offline).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempProject, repoRoot } from '../helpers/temp-project.js';
import { run } from '../cli/fake.js';
import { APP_TS, ensureBuilt, expressProject, git, initRepo, linkBins, read, write } from './project.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeTempProject));

beforeAll(ensureBuilt, 600_000);

/** A project with no findings: /health declared public, both routers behind requireAuth. */
const CLEAN_APP_TS = APP_TS.replace("app.get('/health'", "// auth-enforcer-public: load balancer probe\napp.get('/health'").replace(
  "app.use('/api', users);",
  "app.use('/api', requireAuth, users);",
);

const BINS: Record<string, string> = {
  'auth-enforcer': 'bin/auth-enforcer.js',
  husky: 'node_modules/husky/bin.js',
  'lint-staged': 'node_modules/lint-staged/bin/lint-staged.js',
  'simple-git-hooks': 'node_modules/simple-git-hooks/cli.js',
};

function hookProject(prefix: string, pkg: Record<string, unknown> = {}, files: Record<string, string> = {}): string {
  const dir = expressProject(prefix, {
    'src/app.ts': CLEAN_APP_TS,
    '.gitignore': 'node_modules/\n',
    'package.json': `${JSON.stringify({ name: prefix, private: true, type: 'module', dependencies: { express: '^5.0.0' }, ...pkg }, null, 2)}\n`,
    ...files,
  });
  dirs.push(dir);
  linkBins(dir, BINS);
  initRepo(dir);
  return dir;
}

function commit(dir: string, message: string) {
  const r = spawnSync('git', ['commit', '-m', message], { cwd: dir, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } });
  return { code: r.status, output: `${r.stdout}${r.stderr}`, head: git(dir, 'log', '-1', '--format=%s').trim() };
}

/** The same two commits for every manager: a new unprotected route is refused, a protected one goes in. */
function expectBlocksThenAllows(dir: string) {
  write(dir, 'src/app.ts', read(dir, 'src/app.ts').replace('app.listen(3000);', "app.get('/debug', (_req, res) => res.json(process.env));\napp.listen(3000);"));
  git(dir, 'add', 'src/app.ts');
  const blocked = commit(dir, 'add debug route');
  expect(blocked.code).not.toBe(0);
  expect(blocked.output).toContain("GET /debug needs authentication but no guard runs: answers the server's whole environment (`process.env`)");
  expect(blocked.head).not.toBe('add debug route');

  git(dir, 'checkout', '--', '.');
  git(dir, 'reset', '-q', '--hard');
  write(dir, 'src/orders.ts', `${read(dir, 'src/orders.ts')}orders.delete('/:id', (_req, res) => res.status(204).end());\n`);
  git(dir, 'add', 'src/orders.ts');
  const allowed = commit(dir, 'add protected route');
  expect(allowed.output).not.toContain('reachable without authentication');
  expect(allowed.code).toBe(0);
  expect(allowed.head).toBe('add protected route');
}

describe('init: config', () => {
  it('detects the framework, prints public-looking routes as suggestions and writes no allowance', async () => {
    const dir = expressProject('init-config');
    dirs.push(dir);
    const r = await run(['init'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Found express: 4 routes.\n\nThese unauthenticated routes look public on purpose:\n  GET /health  (health or readiness probe)\n');
    expect(r.stdout).toContain('created     auth-enforcer.config.json: no public routes declared\n');
    expect(r.stdout).toContain('Pre-commit: wire a hook with --hook husky|lint-staged|simple-git-hooks|pre-commit.');
    expect(JSON.parse(read(dir, 'auth-enforcer.config.json'))).toEqual({ publicRoutes: [] });
    // The config it wrote is one the loader accepts.
    expect((await run(['scan', '--format', 'json'], { cwd: dir })).code).toBe(1);
  });

  it('never overwrites without --force; --accept-public declares the suggestions with a reason', async () => {
    const dir = expressProject('init-force');
    dirs.push(dir);
    write(dir, 'auth-enforcer.config.json', '{ "rules": {} }\n');
    let r = await run(['init', '--accept-public'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('refused     auth-enforcer.config.json: already exists; left unchanged (--force overwrites it)');
    expect(read(dir, 'auth-enforcer.config.json')).toBe('{ "rules": {} }\n');
    r = await run(['init', '--accept-public', '--force'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(read(dir, 'auth-enforcer.config.json'))).toEqual({
      publicRoutes: [{ route: 'GET /health', reason: 'health or readiness probe (suggested by auth-enforcer init)' }],
    });
    const scan = JSON.parse((await run(['scan', '--format', 'json'], { cwd: dir })).stdout) as { findings: { message: string }[] };
    expect(scan.findings.map((f) => f.message)).toEqual([
      'GET /api/users is reachable without authentication',
      'DELETE /api/users/:id is reachable without authentication',
    ]);
  });

  it('names the hook manager the project already uses', async () => {
    const dir = expressProject('init-detect', { '.husky/pre-commit': 'npm test\n' });
    dirs.push(dir);
    const r = await run(['init'], { cwd: dir });
    expect(r.stdout).toContain('Pre-commit: this project uses husky; wire auth-enforcer with --hook husky.');
  });
});

describe('init --hook, then real git commits', () => {
  it('husky', async () => {
    const dir = hookProject('hook-husky', { devDependencies: { husky: '^9.1.7' }, scripts: { prepare: 'husky' } });
    execFileSync('npx', ['--no', '--', 'husky'], { cwd: dir, stdio: 'pipe' }); // what `npm install` runs via prepare
    const r = await run(['init', '--hook', 'husky'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('created     .husky/pre-commit: runs `npx --no -- auth-enforcer scan --quiet --staged`');
    expect(read(dir, '.husky/pre-commit')).toBe('npx --no -- auth-enforcer scan --quiet --staged\n');
    git(dir, 'add', '-A');
    expect(commit(dir, 'auth-enforcer config and hook').code).toBe(0);
    expectBlocksThenAllows(dir);
    // A second init leaves the hook as it is.
    expect((await run(['init', '--hook', 'husky'], { cwd: dir })).stdout).toContain('unchanged   .husky/pre-commit: already runs auth-enforcer');
  });

  it('lint-staged under husky', async () => {
    const dir = hookProject(
      'hook-lint-staged',
      { devDependencies: { husky: '^9.1.7', 'lint-staged': '^16.0.0' }, 'lint-staged': { '*.md': 'echo' } },
      { '.husky/pre-commit': 'npx --no -- lint-staged\n' },
    );
    execFileSync('npx', ['--no', '--', 'husky'], { cwd: dir, stdio: 'pipe' });
    const r = await run(['init', '--hook', 'lint-staged'], { cwd: dir });
    expect(r.code).toBe(0);
    expect((JSON.parse(read(dir, 'package.json')) as Record<string, unknown>)['lint-staged']).toEqual({
      '*.md': 'echo',
      '*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}': 'auth-enforcer scan --quiet --only-files',
    });
    git(dir, 'add', '-A');
    expect(commit(dir, 'auth-enforcer via lint-staged').code).toBe(0);
    expectBlocksThenAllows(dir);
  });

  it('simple-git-hooks', async () => {
    const dir = hookProject('hook-simple', { devDependencies: { 'simple-git-hooks': '^2.14.0' } });
    const r = await run(['init', '--hook', 'simple-git-hooks'], { cwd: dir });
    expect(r.code).toBe(0);
    expect((JSON.parse(read(dir, 'package.json')) as Record<string, unknown>)['simple-git-hooks']).toEqual({
      'pre-commit': 'npx --no -- auth-enforcer scan --quiet --staged',
    });
    execFileSync('npx', ['--no', '--', 'simple-git-hooks'], { cwd: dir, stdio: 'pipe' }); // installs .git/hooks/pre-commit
    git(dir, 'add', '-A');
    expect(commit(dir, 'auth-enforcer via simple-git-hooks').code).toBe(0);
    expectBlocksThenAllows(dir);
  });

  const hasPreCommit = spawnSync('pre-commit', ['--version']).status === 0;
  it.skipIf(!hasPreCommit)('the pre-commit framework', async () => {
    const dir = hookProject('hook-pre-commit', {}, { '.pre-commit-config.yaml': 'repos:\n  - repo: meta\n    hooks:\n      - id: identity\n' });
    const r = await run(['init', '--hook', 'pre-commit'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(read(dir, '.pre-commit-config.yaml')).toBe(
      [
        'repos:',
        '  - repo: meta',
        '    hooks:',
        '      - id: identity',
        '  - repo: local',
        '    hooks:',
        '      - id: auth-enforcer',
        '        name: auth-enforcer',
        '        entry: npx --no -- auth-enforcer scan --quiet --staged',
        '        language: system',
        '        pass_filenames: false',
        "        files: '\\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$|(^|/)(auth-enforcer\\.config\\.json|package\\.json)$'",
        '',
      ].join('\n'),
    );
    execFileSync('pre-commit', ['install'], { cwd: dir, stdio: 'pipe' });
    git(dir, 'add', '-A');
    expect(commit(dir, 'auth-enforcer via pre-commit').code).toBe(0);
    expectBlocksThenAllows(dir);
  });
});

describe('.pre-commit-hooks.yaml (this repository as a pre-commit hook repo)', () => {
  const hasPreCommit = spawnSync('pre-commit', ['--version']).status === 0;
  it.skipIf(!hasPreCommit)('pre-commit try-repo blocks a staged new finding and passes a clean change', () => {
    const dir = hookProject('hook-try-repo');
    const tryRepo = () => spawnSync('pre-commit', ['try-repo', repoRoot, 'auth-enforcer'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    write(dir, 'src/app.ts', read(dir, 'src/app.ts').replace('app.listen(3000);', "app.get('/debug', (_req, res) => res.json({}));\napp.listen(3000);"));
    git(dir, 'add', 'src/app.ts');
    let r = tryRepo();
    expect(r.status).toBe(1);
    expect(`${r.stdout}${r.stderr}`).toContain('GET /debug needs authentication but no guard runs: administrative path `/debug`');
    git(dir, 'reset', '-q', '--hard');
    write(dir, 'src/orders.ts', `${read(dir, 'src/orders.ts')}orders.delete('/:id', (_req, res) => res.status(204).end());\n`);
    git(dir, 'add', 'src/orders.ts');
    r = tryRepo();
    expect(`${r.stdout}${r.stderr}`).toMatch(/auth-enforcer\.+Passed/);
    expect(r.status).toBe(0);
  });
});

describe('hook wiring never replaces what is there', () => {
  it('simple-git-hooks: an existing pre-commit command needs --force, which appends', async () => {
    const dir = expressProject('hook-existing', {
      'package.json': `${JSON.stringify({ name: 'x', 'simple-git-hooks': { 'pre-commit': 'npm run lint' } }, null, 2)}\n`,
    });
    dirs.push(dir);
    initRepo(dir); // its own repository: hooks run from the git top-level
    let r = await run(['init', '--hook', 'simple-git-hooks'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('refused     package.json: "simple-git-hooks" pre-commit is already `npm run lint`; --force appends');
    r = await run(['init', '--hook', 'simple-git-hooks', '--force'], { cwd: dir });
    expect((JSON.parse(read(dir, 'package.json')) as Record<string, Record<string, string>>)['simple-git-hooks']!['pre-commit']).toBe(
      'npm run lint && npx --no -- auth-enforcer scan --quiet --staged',
    );
  });

  it('husky: appends to an existing hook, with the baseline when the project has one', async () => {
    const dir = expressProject('hook-append', { '.husky/pre-commit': 'npm test', 'auth-enforcer.baseline.json': '{"schemaVersion":1,"findings":[]}\n' });
    dirs.push(dir);
    initRepo(dir);
    await run(['init', '--hook', 'husky'], { cwd: dir });
    expect(read(dir, '.husky/pre-commit')).toBe('npm test\nnpx --no -- auth-enforcer scan --quiet --baseline auth-enforcer.baseline.json --staged\n');
  });

  it('a project below the git top-level: the hook passes the project directory and its baseline', async () => {
    const dir = expressProject('hook-sub', { 'auth-enforcer.baseline.json': '{"schemaVersion":1,"findings":[]}\n' });
    dirs.push(dir);
    // Its repository is this one (test/.tmp lies inside it).
    const rel = path.relative(repoRoot, dir);
    await run(['init', '--hook', 'husky'], { cwd: dir });
    expect(read(dir, '.husky/pre-commit')).toBe(`npx --no -- auth-enforcer scan ${rel} --quiet --baseline ${rel}/auth-enforcer.baseline.json --staged\n`);
  });

  it('pre-commit: does not edit YAML it cannot place the hook in safely', async () => {
    const dir = expressProject('hook-yaml', { '.pre-commit-config.yaml': 'repos:\n  - repo: meta\n    hooks: [{ id: identity }]\ndefault_stages: [pre-commit]\n' });
    dirs.push(dir);
    const r = await run(['init', '--hook', 'pre-commit'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('refused     .pre-commit-config.yaml: cannot place the hook safely; add under repos:');
    expect(read(dir, '.pre-commit-config.yaml')).toBe('repos:\n  - repo: meta\n    hooks: [{ id: identity }]\ndefault_stages: [pre-commit]\n');
  });
});

