import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baselineOf, splitByBaseline } from '../../src/baseline/baseline.js';
import type { Finding } from '../../src/model/types.js';
import { removeTempProject } from '../helpers/temp-project.js';
import { run } from '../cli/fake.js';
import { expressProject, read, USER_HANDLERS_TS, USERS_TS, write } from './project.js';

let dir: string;
beforeAll(() => {
  dir = expressProject('baseline');
});
afterAll(() => removeTempProject(dir));

const BASELINE = 'auth-enforcer.baseline.json';

async function fingerprints(): Promise<Record<string, string>> {
  const r = await run(['scan', '--format', 'json'], { cwd: dir });
  const json = JSON.parse(r.stdout) as { findings: { fingerprint: string; route: { method: string; path: string } }[] };
  return Object.fromEntries(json.findings.map((f) => [`${f.route.method} ${f.route.path}`, f.fingerprint]));
}

describe('--baseline / --update-baseline on a real scan', () => {
  let initial: Record<string, string>;

  it('writes a sorted, line-free baseline with one entry per fingerprint', async () => {
    initial = await fingerprints();
    expect(Object.keys(initial).sort()).toEqual(['DELETE /api/users/:id', 'GET /api/users', 'GET /health']);
    const r = await run(['scan', '--baseline', BASELINE, '--update-baseline'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`auth-enforcer: baseline ${BASELINE}: 3 findings recorded (3 added, 0 removed)\n`);
    expect(JSON.parse(read(dir, BASELINE))).toEqual({
      schemaVersion: 1,
      findings: [
        { fingerprint: initial['DELETE /api/users/:id'], ruleId: 'missing-auth', route: 'DELETE /api/users/:id', message: 'DELETE /api/users/:id is reachable without authentication' },
        { fingerprint: initial['GET /api/users'], ruleId: 'missing-auth', route: 'GET /api/users', message: 'GET /api/users is reachable without authentication' },
        { fingerprint: initial['GET /health'], ruleId: 'missing-auth', route: 'GET /health', message: 'GET /health is reachable without authentication' },
      ],
    });
    expect(read(dir, BASELINE)).not.toMatch(/"(line|file)"/);
  });

  it('updating an unchanged project rewrites the same bytes', async () => {
    const before = read(dir, BASELINE);
    const r = await run(['scan', '--baseline', BASELINE, '--update-baseline'], { cwd: dir });
    expect(r.stderr).toContain('(0 added, 0 removed)');
    expect(read(dir, BASELINE)).toBe(before);
  });

  it('hides baselined findings and exits 0', async () => {
    const r = await run(['scan', '--baseline', BASELINE], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('✔ No problems found in 4 routes\n');
    expect(r.stderr).toBe('auth-enforcer: 3 findings in the baseline not shown\n');
  });

  it('fingerprints survive line moves, unrelated edits and a rename of the handlers\' file', async () => {
    // Line moves: comments above the routes and the handlers.
    write(dir, 'src/users.ts', `// Users API.\n// Owned by the accounts team.\n\n${USERS_TS}`);
    write(dir, 'src/handlers/user-handlers.ts', `/* helpers first */\nexport const PAGE_SIZE = 50;\n\n${USER_HANDLERS_TS}`);
    // An unrelated edit elsewhere.
    write(dir, 'src/orders.ts', `${read(dir, 'src/orders.ts')}orders.get('/count', (_req, res) => res.json(0));\n`);
    // The handlers' file renamed (git mv + import update).
    fs.renameSync(path.join(dir, 'src/handlers/user-handlers.ts'), path.join(dir, 'src/handlers/people.ts'));
    write(dir, 'src/users.ts', read(dir, 'src/users.ts').replace('./handlers/user-handlers.js', './handlers/people.js'));

    const routes = JSON.parse((await run(['routes', '--format', 'json'], { cwd: dir })).stdout) as { routes: { path: string; line: number; handler: { file: string } }[] };
    const users = routes.routes.find((r) => r.path === '/api/users')!;
    expect(users.line).toBe(8);
    expect(users.handler.file).toBe('src/handlers/people.ts');

    expect(await fingerprints()).toEqual(initial);
    const r = await run(['scan', '--baseline', BASELINE], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('✔ No problems found in 5 routes\n');
  });

  it('reports and fails on a new finding only', async () => {
    write(dir, 'src/users.ts', `${read(dir, 'src/users.ts')}users.post('/users', (_req, res) => res.status(201).end());\n`);
    const r = await run(['scan', '--baseline', BASELINE, '--format', 'json'], { cwd: dir });
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout) as { findings: { message: string }[]; summary: { errors: number } };
    expect(json.findings.map((f) => f.message)).toEqual(['POST /api/users is reachable without authentication']);
    expect(json.summary.errors).toBe(1);
    expect(r.stderr).toBe('auth-enforcer: 3 findings in the baseline not shown\n');
  });

  it('a finding fixed in code disappears from the baseline on the next update', async () => {
    write(
      dir,
      'src/users.ts',
      read(dir, 'src/users.ts')
        .replace("users.delete('/users/:id', deleteUser);", "users.delete('/users/:id', requireAuth, deleteUser);")
        .replace("import { Router } from 'express';", "import { Router } from 'express';\nimport { requireAuth } from './auth.js';"),
    );
    const r = await run(['scan', '--baseline', BASELINE, '--update-baseline'], { cwd: dir });
    expect(r.stderr).toBe(`auth-enforcer: baseline ${BASELINE}: 3 findings recorded (1 added, 1 removed)\n`);
    const routes = (JSON.parse(read(dir, BASELINE)) as { findings: { route: string }[] }).findings.map((e) => e.route);
    expect(routes).toEqual(['GET /api/users', 'GET /health', 'POST /api/users']);
  });
});

describe('baseline errors', () => {
  it('a missing baseline is a usage error unless it is being created', async () => {
    const r = await run(['scan', '--baseline', 'nope.json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('auth-enforcer: baseline file not found: nope.json (create it with --update-baseline)');
  });

  it('a corrupt baseline is never trusted', async () => {
    write(dir, 'bad.json', '{"schemaVersion": 1, "findings": [{"fingerprint": "zz"}]}');
    let r = await run(['scan', '--baseline', 'bad.json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(/^auth-enforcer: baseline bad.json is not an auth-enforcer baseline at findings\.0\.fingerprint: .*; regenerate it with --update-baseline$/);
    write(dir, 'bad.json', '{"schemaVersion": 1, "findings": [');
    r = await run(['scan', '--baseline', 'bad.json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(/^auth-enforcer: baseline bad.json is not valid JSON/);
  });

  it('rejects flag combinations that would record or fix a partial picture', async () => {
    const first = async (args: string[]) => (await run(args, { cwd: dir })).stderr.split('\n')[0];
    expect(await first(['scan', '--update-baseline'])).toBe('auth-enforcer: --update-baseline needs --baseline <file>');
    expect(await first(['scan', '--baseline', 'b.json', '--update-baseline', '--staged'])).toBe(
      'auth-enforcer: --update-baseline records every finding; it cannot be combined with --staged',
    );
    expect(await first(['scan', '--fix', '--changed'])).toBe('auth-enforcer: --changed cannot be combined with --fix or --dry-run');
    expect(await first(['scan', '--changed', '--staged'])).toBe('auth-enforcer: --changed and --staged cannot be combined; pick one');
  });
});

describe('splitByBaseline', () => {
  const finding = (fingerprint: string, line: number): Finding => ({
    ruleId: 'missing-auth',
    messageId: 'unprotected',
    message: 'GET /x is reachable without authentication',
    severity: 'error',
    loc: { file: 'a.ts', line, column: 1, endLine: line, endColumn: 2 },
    route: { method: 'GET', path: '/x' },
    fingerprint,
  });

  it('a fingerprint recorded twice accepts two findings; a third is new', () => {
    const two = [finding('aaaaaaaaaaaaaaaa', 1), finding('aaaaaaaaaaaaaaaa', 2)];
    const baseline = baselineOf(two);
    expect(baseline.findings).toEqual([
      { fingerprint: 'aaaaaaaaaaaaaaaa', ruleId: 'missing-auth', route: 'GET /x', message: 'GET /x is reachable without authentication', count: 2 },
    ]);
    const three = [...two, finding('aaaaaaaaaaaaaaaa', 3)];
    const { fresh, known } = splitByBaseline(three, baseline);
    expect(known.map((f) => f.loc.line)).toEqual([1, 2]);
    expect(fresh.map((f) => f.loc.line)).toEqual([3]);
  });
});
