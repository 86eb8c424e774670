import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { changedFiles } from '../../src/changes/git-changes.js';
import { makeTempProject, removeTempProject } from '../helpers/temp-project.js';
import { run } from '../cli/fake.js';
import { expressProject, git, initRepo, read, write } from './project.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeTempProject));

function repo(): string {
  const dir = expressProject('changed');
  dirs.push(dir);
  initRepo(dir);
  return dir;
}

async function reported(dir: string, ...args: string[]) {
  const r = await run(['scan', '--format', 'json', ...args], { cwd: dir });
  const json = JSON.parse(r.stdout) as { findings: { message: string; route: { method: string; path: string } }[] };
  return { code: r.code, stderr: r.stderr, routes: json.findings.map((f) => `${f.route.method} ${f.route.path}`) };
}

describe('--changed', () => {
  let dir: string;
  beforeEach(() => {
    dir = repo();
  });

  it('skips the analysis when no source file under the root changed', async () => {
    expect(await reported(dir)).toMatchObject({ code: 1, routes: ['GET /health', 'GET /api/users', 'DELETE /api/users/:id'] });
    const nothing = { code: 0, stderr: 'auth-enforcer: no source files among the changed files; nothing to scan\n', routes: [] };
    expect(await reported(dir, '--changed')).toEqual(nothing);
    write(dir, 'README.md', '# docs\n');
    write(dir, 'package.json', read(dir, 'package.json').replace('"private": true', '"private": false'));
    expect(await reported(dir, '--changed')).toEqual(nothing);
  });

  it('a changed source file without findings reports nothing, and says how many were left out', async () => {
    write(dir, 'src/auth.ts', `${read(dir, 'src/auth.ts')}\n`);
    expect(await reported(dir, '--changed')).toEqual({
      code: 0,
      stderr: 'auth-enforcer: 3 findings outside the changed files not shown\n',
      routes: [],
    });
  });

  it('a change to the file registering routes reports those routes only', async () => {
    write(dir, 'src/users.ts', `// users\n${read(dir, 'src/users.ts')}`);
    expect(await reported(dir, '--changed')).toEqual({
      code: 1,
      stderr: 'auth-enforcer: 1 finding outside the changed files not shown\n',
      routes: ['GET /api/users', 'DELETE /api/users/:id'],
    });
  });

  it('a change to the handler\'s file alone reports the routes it handles', async () => {
    write(dir, 'src/handlers/user-handlers.ts', `${read(dir, 'src/handlers/user-handlers.ts')}\nexport const unrelated = 1;\n`);
    expect((await reported(dir, '--changed')).routes).toEqual(['GET /api/users', 'DELETE /api/users/:id']);
  });

  it('a guard in an unchanged file still protects a changed route', async () => {
    write(dir, 'src/orders.ts', `${read(dir, 'src/orders.ts')}orders.delete('/:id', (_req, res) => res.status(204).end());\n`);
    const r = await reported(dir, '--changed');
    expect(r).toEqual({ code: 0, stderr: 'auth-enforcer: 3 findings outside the changed files not shown\n', routes: [] });
    // The new route is there, protected by requireAuth mounted in app.ts.
    const routes = JSON.parse((await run(['routes', '--format', 'json'], { cwd: dir })).stdout) as { routes: { method: string; path: string; auth: { status: string } }[] };
    expect(routes.routes.find((x) => x.method === 'DELETE' && x.path === '/api/orders/:id')?.auth.status).toBe('protected');
  });

  it('--changed <ref> covers the branch\'s commits since the merge base, and the work tree', async () => {
    git(dir, 'checkout', '-q', '-b', 'feature');
    write(dir, 'src/app.ts', read(dir, 'src/app.ts').replace("app.listen(3000);", "app.get('/debug', (_req, res) => res.json(process.env));\napp.listen(3000);"));
    git(dir, 'commit', '-qam', 'debug route');
    // main moves on meanwhile: its change is not the branch's.
    git(dir, 'checkout', '-q', 'main');
    write(dir, 'src/users.ts', `// on main\n${read(dir, 'src/users.ts')}`);
    git(dir, 'commit', '-qam', 'main change');
    git(dir, 'checkout', '-q', 'feature');
    // app.ts mounts the users router too, so its routes are reported: the branch may have changed their protection.
    expect(await reported(dir, '--changed=main')).toEqual({
      code: 1,
      stderr: 'auth-enforcer: src/app.ts is on the way to 2 routes; their findings are reported\n',
      routes: ['GET /health', 'GET /debug', 'GET /api/users', 'DELETE /api/users/:id'],
    });
    expect((await reported(dir, '--changed')).routes).toEqual([]);
    // Uncommitted edits on top count too.
    write(dir, 'src/handlers/user-handlers.ts', `${read(dir, 'src/handlers/user-handlers.ts')}\n`);
    expect(await reported(dir, '--changed', 'main')).toEqual({
      code: 1,
      stderr: '',
      routes: ['GET /health', 'GET /debug', 'GET /api/users', 'DELETE /api/users/:id'],
    });
  });

  it('a config change reports every finding', async () => {
    write(dir, 'auth-enforcer.config.json', '{ "publicRoutes": [{ "route": "GET /health", "reason": "probe" }] }\n');
    const r = await reported(dir, '--changed');
    expect(r.routes).toEqual(['GET /api/users', 'DELETE /api/users/:id']);
    expect(r.stderr).toBe('auth-enforcer: the config changed, so every finding is reported\n');
  });

  it('unknown refs and non-repositories are usage errors', async () => {
    let r = await run(['scan', '--changed', 'no-such-branch'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('auth-enforcer: unknown git ref "no-such-branch"');
    // Outside any repository (test/.tmp itself lies inside this project's).
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'ae-norepo-'));
    fs.cpSync(path.join(dir, 'src'), path.join(outside, 'src'), { recursive: true });
    r = await run(['scan', '--staged'], { cwd: outside });
    fs.rmSync(outside, { recursive: true, force: true });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(/^auth-enforcer: --staged needs a git repository: fatal: not a git repository/);
  });
});

describe('--only-files (lint-staged appends the staged files)', () => {
  it('reports findings of the given files, as absolute paths after the other options', async () => {
    const dir = repo();
    expect(await reported(dir, '--quiet', '--only-files', path.join(dir, 'src/handlers/user-handlers.ts'), path.join(dir, 'README.md'))).toEqual({
      code: 1,
      stderr: 'auth-enforcer: 1 finding outside the given files not shown\n',
      routes: ['GET /api/users', 'DELETE /api/users/:id'],
    });
    expect((await run(['scan', '--only-files', 'src/app.ts', '--staged'], { cwd: dir })).stderr.split('\n')[0]).toBe(
      'auth-enforcer: --staged and --only-files cannot be combined; pick one',
    );
  });
});

describe('--staged', () => {
  it('reports findings of staged files only, not unstaged or untracked ones', async () => {
    const dir = repo();
    write(dir, 'src/users.ts', `// staged\n${read(dir, 'src/users.ts')}`);
    git(dir, 'add', 'src/users.ts');
    write(dir, 'src/app.ts', `// not staged\n${read(dir, 'src/app.ts')}`);
    write(dir, 'src/scratch.ts', 'export const x = 1;\n');
    expect(await reported(dir, '--staged')).toEqual({
      code: 1,
      stderr: 'auth-enforcer: 1 finding outside the staged files not shown\n',
      routes: ['GET /api/users', 'DELETE /api/users/:id'],
    });
    expect([...changedFiles(dir, { kind: 'staged' })].map((f) => path.relative(fs.realpathSync(dir), f))).toEqual(['src/users.ts']);
    expect([...changedFiles(dir, { kind: 'changed', ref: 'HEAD' })].map((f) => path.relative(fs.realpathSync(dir), f)).sort()).toEqual([
      'src/app.ts',
      'src/scratch.ts',
      'src/users.ts',
    ]);
  });

  it('maps git paths to a scan root below the repository top', async () => {
    const top = makeTempProject('changed-mono', { 'README.md': '# mono\n' });
    dirs.push(top);
    const app = expressProject('inner');
    fs.mkdirSync(path.join(top, 'services'), { recursive: true });
    fs.renameSync(app, path.join(top, 'services/api'));
    initRepo(top);
    write(top, 'services/api/src/app.ts', `// edited\n${read(top, 'services/api/src/app.ts')}`);
    git(top, 'add', '-A');
    const all = ['GET /health', 'GET /api/users', 'DELETE /api/users/:id'];
    expect((await reported(top, 'services/api', '--staged')).routes).toEqual(all);
    expect((await reported(path.join(top, 'services/api'), '--staged')).routes).toEqual(all);
  });
});
