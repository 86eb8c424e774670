import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempProject } from '../helpers/temp-project.js';
import { run } from '../cli/fake.js';
import { expressProject, read, write } from './project.js';

let dir: string;
beforeAll(async () => {
  dir = expressProject('compare');
  write(dir, 'before.json', (await run(['routes', '--format', 'json'], { cwd: dir })).stdout);
  // /debug appears unprotected; /api/me appears protected; DELETE /api/users/:id disappears;
  // /api/orders loses its guard; /health is declared public; /api/users gains a guard.
  write(dir, 'src/app.ts', read(dir, 'src/app.ts')
    .replace("app.get('/health'", "// auth-enforcer-public: load balancer probe\napp.get('/health'")
    .replace("app.use('/api/orders', requireAuth, orders);", "app.use('/api/orders', orders);\napp.get('/debug', (_req, res) => res.json({}));"));
  write(dir, 'src/users.ts', read(dir, 'src/users.ts')
    .replace("users.delete('/users/:id', deleteUser);\n", "users.get('/me', requireAuth, (_req, res) => res.json({}));\n")
    .replace("users.get('/users', listUsers);", "users.get('/users', requireAuth, listUsers);")
    .replace("import { Router } from 'express';", "import { Router } from 'express';\nimport { requireAuth } from './auth.js';"));
});
afterAll(() => removeTempProject(dir));

describe('routes --compare', () => {
  it('prints appeared, changed and disappeared routes, marking the newly exposed ones', async () => {
    const r = await run(['routes', '--compare', 'before.json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        '! + GET /debug             unprotected              src/app.ts:10',
        '  + GET /api/me            protected                src/users.ts:7',
        '! ~ GET /api/orders        protected → unprotected  src/orders.ts:4',
        '  ~ GET /health            unprotected → public     src/app.ts:8',
        '  ~ GET /api/users         unprotected → protected  src/users.ts:6',
        '  - DELETE /api/users/:id  was unprotected          src/users.ts:6',
        '',
        '2 appeared, 1 disappeared, 3 changed status; 2 routes newly reachable with less authentication (!)',
        '',
      ].join('\n'),
    );
  });

  it('--format json carries the full route records and the exposed count', async () => {
    const r = await run(['routes', '--compare', 'before.json', '--format', 'json'], { cwd: dir });
    const diff = JSON.parse(r.stdout) as {
      appeared: { method: string; path: string; exposed: boolean; auth: { status: string } }[];
      disappeared: { method: string; path: string }[];
      changed: { method: string; path: string; from: string; to: string; exposed: boolean; route: { file: string } }[];
      exposed: number;
    };
    expect(diff.appeared.map((a) => [a.method, a.path, a.auth.status, a.exposed])).toEqual([
      ['GET', '/debug', 'unprotected', true],
      ['GET', '/api/me', 'protected', false],
    ]);
    expect(diff.disappeared.map((d) => `${d.method} ${d.path}`)).toEqual(['DELETE /api/users/:id']);
    expect(diff.changed.map((c) => [`${c.method} ${c.path}`, c.from, c.to, c.exposed, c.route.file])).toEqual([
      ['GET /api/orders', 'protected', 'unprotected', true, 'src/orders.ts'],
      ['GET /health', 'unprotected', 'public', false, 'src/app.ts'],
      ['GET /api/users', 'unprotected', 'protected', false, 'src/users.ts'],
    ]);
    expect(diff.exposed).toBe(2);
  });

  it('an unchanged project has no route changes', async () => {
    write(dir, 'now.json', (await run(['routes', '--format', 'json'], { cwd: dir })).stdout);
    expect((await run(['routes', '--compare', 'now.json'], { cwd: dir })).stdout).toBe('No route changes.\n');
  });

  it('a renamed path parameter is the same route', async () => {
    write(dir, 'now.json', (await run(['routes', '--format', 'json'], { cwd: dir })).stdout);
    write(dir, 'src/users.ts', read(dir, 'src/users.ts').replace("users.get('/me'", "users.get('/me/:tab'"));
    const withParam = (await run(['routes', '--format', 'json'], { cwd: dir })).stdout;
    write(dir, 'param.json', withParam.replace('/api/me/:tab', '/api/me/:section'));
    expect((await run(['routes', '--compare', 'param.json'], { cwd: dir })).stdout).toBe('No route changes.\n');
    const r = await run(['routes', '--compare', 'now.json'], { cwd: dir });
    expect(r.stdout).toContain('  + GET /api/me/:tab');
    expect(r.stdout).toContain('  - GET /api/me ');
  });

  it('a file that is not routes JSON is a usage error', async () => {
    write(dir, 'scan.json', (await run(['scan', '--format', 'json'], { cwd: dir })).stdout);
    const r = await run(['routes', '--compare', 'scan.json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(/^auth-enforcer: scan.json is not "auth-enforcer routes --format json" output \(at routes: /);
    expect((await run(['routes', '--compare', 'missing.json'], { cwd: dir })).stderr.split('\n')[0]).toBe('auth-enforcer: routes file not found: missing.json');
  });
});
