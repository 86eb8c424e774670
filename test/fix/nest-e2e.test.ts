// End to end on a Nest 11 example app: fix() inserts the generated AuthGuard, the fixed project is
// compiled with tsc (Nest's injection needs the decorator metadata esbuild would drop) and started
// beside a real Better Auth server; HTTP shows what the fix changed. A second fix() changes nothing.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fix, listRoutes } from '../../src/api.js';
import { startBetterAuth, type BetterAuthHarness, type SignedUpUser } from '../helpers/better-auth.js';
import { fixture, repoRoot } from '../helpers/fixtures.js';
import { compile, makeTempProject, removeTempProject, startApp, type RunningApp } from '../helpers/temp-project.js';

function copyFixture(name: string): string {
  const src = fixture('nest', name);
  const files: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else files[path.relative(src, full)] = fs.readFileSync(full, 'utf8');
    }
  };
  walk(src);
  return makeTempProject(`nest-e2e-${name}`, files);
}

let harness: BetterAuthHarness;
let alice: SignedUpUser;
let bob: SignedUpUser;
let dir: string;
let app: RunningApp;
let firstFix: Awaited<ReturnType<typeof fix>>;

beforeAll(async () => {
  harness = await startBetterAuth();
  alice = await harness.signUp('alice@example.com');
  bob = await harness.signUp('bob@example.com');
  dir = copyFixture('todo-app');
  firstFix = await fix({ paths: [dir], cwd: repoRoot, dryRun: false, force: true });
  await compile(dir);
  app = await startApp(dir, 'dist/main.js', { PORT: '0', BETTER_AUTH_URL: harness.baseURL });
}, 600_000);

afterAll(async () => {
  await app?.stop();
  await harness?.close();
  if (dir) removeTempProject(dir);
});

const call = async (method: string, route: string, token?: string, body?: unknown) => {
  const res = await fetch(`${app.url}${route}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, challenge: res.headers.get('www-authenticate'), body: await res.text() };
};

describe('nest todo-app: fix() then real HTTP against Better Auth', () => {
  it('guards the whole controller with one class decorator and generates the auth files', () => {
    expect(firstFix.created).toEqual(['src/auth/auth.guard.ts', 'src/auth/current-user.decorator.ts', 'src/auth/public.decorator.ts']);
    const controller = fs.readFileSync(path.join(dir, 'src/todos/todos.controller.ts'), 'utf8');
    expect(controller).toContain("import { Body, Controller, Get, NotFoundException, Param, Post, UseGuards } from '@nestjs/common';");
    expect(controller).toContain("import { AuthGuard } from '../auth/auth.guard';");
    expect(controller).toContain("@UseGuards(AuthGuard)\n@Controller('todos')\nexport class TodosController {");
    expect(firstFix.result.routes.map((r) => `${r.method} ${r.path} ${r.auth.status}`).sort()).toEqual([
      'GET /health public',
      'GET /todos protected',
      'GET /todos/:id protected',
      'POST /todos protected',
    ]);
  });

  it('no token → 401 with a Bearer challenge; bad tokens → 401 invalid_token', async () => {
    expect(await call('GET', '/todos')).toMatchObject({ status: 401, challenge: 'Bearer' });
    expect(await call('GET', '/todos', alice.sessionToken)).toMatchObject({ status: 401, challenge: 'Bearer error="invalid_token"' });
    expect(await call('GET', '/todos', await harness.tokens.expired(alice.userId))).toMatchObject({ status: 401, challenge: 'Bearer error="invalid_token"' });
    expect(await call('GET', '/todos', await harness.tokens.algNone(alice.userId))).toMatchObject({ status: 401 });
  });

  it("valid token → 200 with the user's own records; another user's record → 404", async () => {
    const created = await call('POST', '/todos', alice.jwt, { title: 'milk' });
    expect(created.status).toBe(201);
    const todo = JSON.parse(created.body) as { id: string; ownerId: string };
    expect(todo.ownerId).toBe(alice.userId);
    expect(await call('GET', `/todos/${todo.id}`, alice.jwt)).toMatchObject({ status: 200 });
    expect(await call('GET', `/todos/${todo.id}`, bob.jwt)).toMatchObject({ status: 404 });
    expect(JSON.parse((await call('GET', '/todos', bob.jwt)).body)).toEqual([]);
  });

  it('the public route still answers 200 without a token', async () => {
    expect(await call('GET', '/health')).toMatchObject({ status: 200 });
  });

  it('a second fix changes nothing', async () => {
    const again = await fix({ paths: [dir], cwd: repoRoot, dryRun: false, force: true });
    expect(again.written).toEqual([]);
    expect(again.created).toEqual([]);
    const { routes } = await listRoutes({ paths: [dir], cwd: repoRoot, missingAuth: 'strict' });
    expect(routes.filter((r) => r.auth.status === 'unprotected')).toEqual([]);
  });
});
