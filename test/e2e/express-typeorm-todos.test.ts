// Issue 6's proof for TypeORM: the real CLI fixes a copy of fixtures/express/typeorm-todos (Express 5 +
// TypeORM on an in-memory better-sqlite3 database): repository find/findOneBy/update, a query builder,
// the EntityManager's delete, a record saved back after an unscoped read (the fix scopes the read) and a
// query inside a service (the principal is threaded in as a new
// parameter). The result type-checks, re-scans clean, is stable under a second --fix, and over real HTTP
// with real Better Auth JWTs each user gets their own todos and a 404 for anyone else's.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../../src/api.js';
import { runCli } from '../helpers/cli.js';
import { startBetterAuth, type BetterAuthHarness, type SignedUpUser } from '../helpers/better-auth.js';
import { compile, removeTempProject, repoRoot, startApp, type RunningApp } from '../helpers/temp-project.js';

const fixture = path.join(repoRoot, 'fixtures/express/typeorm-todos');

const read = (dir: string, file: string) => fs.readFileSync(path.join(dir, file), 'utf8');

describe('express + TypeORM todos: --fix end to end', () => {
  let dir: string;
  let auth: BetterAuthHarness;
  let app: RunningApp;
  let alice: SignedUpUser;
  let bob: SignedUpUser;
  let fixOutput: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    dir = path.join(repoRoot, 'test/.tmp', `typeorm-todos-e2e-${process.pid}`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.cpSync(fixture, dir, { recursive: true });
    fixOutput = await runCli(['scan', dir, '--fix', '--format', 'json']);
    await compile(dir);
    auth = await startBetterAuth();
    alice = await auth.signUp('alice@example.com');
    bob = await auth.signUp('bob@example.com');
    // Users exist in the app's own table too (todos.userId references it).
    fs.writeFileSync(
      path.join(dir, 'start-on-ephemeral-port.mjs'),
      [
        "import { AppDataSource } from './dist/data-source.js';",
        "import { createApp } from './dist/app.js';",
        'await AppDataSource.initialize();',
        "for (const u of JSON.parse(process.env.SEED_USERS)) await AppDataSource.query('INSERT INTO users (id, email) VALUES (?, ?)', [u.id, u.email]);",
        "const server = createApp().listen(0, '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`));",
        '',
      ].join('\n'),
    );
    const seed = JSON.stringify([alice, bob].map((u) => ({ id: u.userId, email: u.email })));
    app = await startApp(dir, 'start-on-ephemeral-port.mjs', { BETTER_AUTH_URL: auth.baseURL, SEED_USERS: seed });
  }, 600_000);

  afterAll(async () => {
    await app?.stop();
    await auth?.close();
    if (dir) removeTempProject(dir);
  });

  const call = async (method: string, url: string, user?: SignedUpUser, body?: unknown) => {
    const res = await fetch(`${app.url}${url}`, {
      method,
      headers: { ...(user ? { authorization: `Bearer ${user.jwt}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  };

  it('fixes every finding: the CLI exits 0 and the re-scan is clean', async () => {
    expect(fixOutput.code).toBe(0);
    const result = await scan({ paths: [dir], cwd: repoRoot, missingAuth: 'strict' });
    expect(result.findings).toEqual([]);
  });

  it('scopes each TypeORM shape in place and threads the user into the service', () => {
    const todos = read(dir, 'src/routes/todos.ts');
    expect(todos).toContain("res.json(await todos.find({ order: { title: 'ASC' }, where: { userId: req.user!.id } }));");
    expect(todos).toContain("todos.save({ title: req.body.title, done: false, userId: req.user!.id })");
    expect(todos).toContain('await todoService.get(req.params.id, req.user!.id);');
    expect(todos).toContain(
      "todos.createQueryBuilder('todo').where('todo.id = :id', { id: req.params.id }).andWhere('todo.userId = :userId', { userId: req.user!.id }).getOne()",
    );
    expect(todos).toContain('todos.update({ id: req.params.id, userId: req.user!.id }, { done: Boolean(req.body.done) })');
    expect(todos).toContain('todos.findOneBy({ id: req.params.id, userId: req.user!.id })');
    expect(todos).toContain('AppDataSource.manager.delete(Todo, { id: req.params.id, userId: req.user!.id })');
    // A record saved back after its read: the read is scoped (one edit for the read's and the save's findings).
    expect(todos).toContain("todosRouter.put('/:id', async (req, res) => {\n  const todo = await todos.findOneBy({ id: req.params.id, userId: req.user!.id });");
    // Checked before it is removed: untouched.
    expect(todos).toContain("todosRouter.delete('/:id/checked', async (req, res) => {\n  const todo = await todos.findOneBy({ id: req.params.id });");
    // already scoped: untouched
    expect(todos).toContain('todos.findOne({ where: { id: req.params.id, userId: req.user!.id } })');
    expect(read(dir, 'src/services/todo-service.ts')).toContain('  get(id: string, userId: string) {\n    return this.todos.findOneBy({ id, userId });');
    // shared data: no owner added
    expect(read(dir, 'src/routes/tags.ts')).toContain('findOneBy({ id: req.params.id })');
  });

  it('changes nothing on a second --fix', async () => {
    const files = ['src/routes/todos.ts', 'src/services/todo-service.ts', 'src/routes/tags.ts', 'src/app.ts'];
    const before = files.map((f) => read(dir, f));
    const again = await runCli(['scan', dir, '--fix']);
    expect(again.code).toBe(0);
    expect(files.map((f) => read(dir, f))).toEqual(before);
  });

  it('gives each user their own todos and a 404 for anyone else’s', async () => {
    expect((await call('GET', '/api/todos')).status).toBe(401);
    const created = await call('POST', '/api/todos', alice, { title: 'alice’s', userId: bob.userId });
    expect(created.status).toBe(201);
    const todo = created.body as { id: string; userId: string; title: string };
    expect(todo.userId).toBe(alice.userId);
    const bobs = (await call('POST', '/api/todos', bob, { title: 'bob’s' })).body as { id: string };

    for (const url of [`/api/todos/${todo.id}`, `/api/todos/${todo.id}/details`, `/api/todos/${todo.id}/mine`]) {
      expect((await call('GET', url, alice)).status).toBe(200);
      expect(await call('GET', url, bob)).toEqual({ status: 404, body: { error: 'not found' } });
    }
    expect(((await call('GET', '/api/todos', bob)).body as { id: string }[]).map((t) => t.id)).toEqual([bobs.id]);
    expect(((await call('GET', '/api/todos', alice)).body as { id: string }[]).map((t) => t.id)).toEqual([todo.id]);
    expect(await call('PATCH', `/api/todos/${todo.id}`, bob, { done: true })).toEqual({ status: 404, body: { error: 'not found' } });
    for (const [method, url, body] of [['PUT', `/api/todos/${todo.id}`, { title: 'bob was here' }], ['POST', `/api/todos/${todo.id}/done`, undefined], ['DELETE', `/api/todos/${todo.id}/checked`, undefined]] as const) {
      expect(await call(method, url, bob, body)).toEqual({ status: 404, body: { error: 'not found' } });
    }
    expect(await call('DELETE', `/api/todos/${todo.id}`, bob)).toEqual({ status: 404, body: { error: 'not found' } });
    // Bob's attempts changed nothing; Alice still has her todo and can change it.
    expect((await call('GET', `/api/todos/${todo.id}`, alice)).body).toMatchObject({ title: 'alice’s', done: false });
    expect((await call('PUT', `/api/todos/${todo.id}`, alice, { title: 'renamed' })).body).toMatchObject({ title: 'renamed' });
    expect(((await call('PATCH', `/api/todos/${todo.id}`, alice, { done: true })).body as { done: boolean }).done).toBe(true);
    expect((await call('DELETE', `/api/todos/${todo.id}`, alice)).status).toBe(204);
    expect((await call('GET', `/api/todos/${todo.id}`, alice)).status).toBe(404);
    expect((await call('GET', `/api/todos/${bobs.id}`, bob)).status).toBe(200);
    // The scoped save and the checked removal still serve their owner.
    expect((await call('POST', `/api/todos/${bobs.id}/done`, bob)).body).toMatchObject({ id: bobs.id, done: true });
    expect((await call('DELETE', `/api/todos/${bobs.id}/checked`, bob)).status).toBe(204);
    expect((await call('GET', `/api/todos/${bobs.id}`, bob)).status).toBe(404);
  });
});
