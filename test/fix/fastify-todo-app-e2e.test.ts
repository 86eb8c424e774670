// End to end on the Fastify example: copy fixtures/fastify/todo-app, run the built CLI with --fix,
// check the edits, type-check, then load the fixed app beside a real Better Auth server and prove
// over fastify.inject that the holes are closed: no token → 401, a genuine JWT → 200.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRoutes } from '../../src/api.js';
import { runCli } from '../helpers/cli.js';
import { startBetterAuth, type BetterAuthHarness, type SignedUpUser } from '../helpers/better-auth.js';
import { compile, makeTempProject, removeTempProject, repoRoot } from '../helpers/temp-project.js';

const fixtureDir = path.join(repoRoot, 'fixtures/fastify/todo-app');

function copyFixture(): string {
  const dir = makeTempProject('fastify-todo-e2e', {});
  fs.cpSync(fixtureDir, dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}dist`) && !src.includes('node_modules') });
  return dir;
}

describe('fastify todo-app: --fix, type-check, real Better Auth', () => {
  let dir: string;
  let harness: BetterAuthHarness;
  let alice: SignedUpUser;
  let bob: SignedUpUser;
  let app: FastifyInstance;

  beforeAll(async () => {
    if (!fs.existsSync(path.join(repoRoot, 'dist/src/cli/main.js'))) throw new Error('run npm run build first');
    dir = copyFixture();
    harness = await startBetterAuth();
    alice = await harness.signUp('alice@example.com');
    bob = await harness.signUp('bob@example.com');
  }, 600_000);

  afterAll(async () => {
    await app?.close();
    await harness?.close();
    removeTempProject(dir);
  });

  it('fixes every unprotected route with one plugin-level hook, and a second --fix changes nothing', async () => {
    const first = await runCli(['scan', '.', '--fix', '--force', '--auth-strategy', 'jwt'], dir);
    expect(first.stderr).toBe('auth-enforcer: fixed 4 files (3 changed, 1 created)\n');
    const todos = fs.readFileSync(path.join(dir, 'src/routes/todos.ts'), 'utf8');
    expect(todos).toContain(`export const todoRoutes: FastifyPluginAsync = async (fastify) => {
  fastify.addHook('onRequest', requireAuth);
  fastify.get<`);
    expect(todos).toContain(`import { requireAuth } from '../auth/require-auth.js';`);
    const appTs = fs.readFileSync(path.join(dir, 'src/app.ts'), 'utf8');
    expect(appTs).toContain(`  const app = Fastify();
  app.register(authUser);
`);
    expect(appTs).toContain(`import { authUser } from './auth/require-auth.js';`);
    // The public health route is left alone.
    expect(fs.readFileSync(path.join(dir, 'src/routes/health.ts'), 'utf8')).toBe(fs.readFileSync(path.join(fixtureDir, 'src/routes/health.ts'), 'utf8'));
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).dependencies.jose).toBe('^6.2.18');

    const { routes } = await listRoutes({ paths: [dir], cwd: dir });
    expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status}`).sort()).toEqual([
      'DELETE /api/todos/:id protected',
      'GET /api/todos protected',
      'GET /api/todos/:id protected',
      'GET /health public',
      'PATCH /api/todos/:id protected',
      'POST /api/todos protected',
    ]);
    expect(routes.find((r) => r.path === '/api/todos')!.auth.guards[0]).toMatchObject({ name: 'requireAuth', kind: 'hook', scope: 'plugin', loc: { file: 'src/routes/todos.ts', line: 10 } });

    const before = fs.readFileSync(path.join(dir, 'src/routes/todos.ts'), 'utf8');
    const second = await runCli(['scan', '.', '--fix', '--force'], dir);
    expect(second.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'src/routes/todos.ts'), 'utf8')).toBe(before);
  }, 600_000);

  it('type-checks and runs: 401 without a token, 200 with a genuine Better Auth JWT', async () => {
    await compile(dir);
    fs.writeFileSync(path.join(dir, 'dist/package.json'), JSON.stringify({ type: 'module' }));
    process.env.BETTER_AUTH_URL = harness.baseURL;
    const mod = (await import(pathToFileURL(path.join(dir, 'dist/app.js')).href)) as { buildApp(): FastifyInstance };
    app = mod.buildApp();
    await app.ready();

    expect((await app.inject({ url: '/api/todos' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/todos', headers: { authorization: `Bearer ${await harness.tokens.tampered(alice.jwt)}` } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/api/todos', payload: { title: 'x', userId: 'victim' } })).statusCode).toBe(401);
    expect((await app.inject({ url: '/health' })).statusCode).toBe(200);

    const asAlice = { authorization: `Bearer ${alice.jwt}` };
    expect((await app.inject({ url: '/api/todos', headers: asAlice })).statusCode).toBe(200);
    const created = await app.inject({ method: 'POST', url: '/api/todos', headers: asAlice, payload: { title: 'mine', userId: alice.userId } });
    expect(created.statusCode).toBe(201);
    const id = (created.json() as { id: string }).id;
    expect((await app.inject({ url: `/api/todos/${id}`, headers: asAlice })).statusCode).toBe(200);

    // Closed by the unscoped-query fix (owner bound in the query), not by missing-auth alone.
    const asBob = { authorization: `Bearer ${bob.jwt}` };
    expect((await app.inject({ url: `/api/todos/${id}`, headers: asBob })).statusCode).toBe(404);
    // And the client-supplied owner was replaced by the caller's id.
    const stolen = await app.inject({ method: 'POST', url: '/api/todos', headers: asBob, payload: { title: 'x', userId: alice.userId } });
    expect(stolen.statusCode).toBe(201);
    expect((stolen.json() as { userId: string }).userId).toBe(bob.userId);
  }, 600_000);
});
