// End to end on the example Hono + Drizzle app (fixtures/hono/drizzle-todos, in-memory SQLite): the
// holes are real before the fix; fix() writes the auth module, guards the mounts, scopes every Drizzle
// query to the user and takes the owner from the token; the result type-checks, changes nothing on a
// second run, and behaves over real requests with real Better Auth JWTs: no token 401, own records
// 200, another user's records 404.
import fs from 'node:fs';
import path from 'node:path';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fix } from '../../src/api.js';
import { startBetterAuth, type BetterAuthHarness, type SignedUpUser } from '../helpers/better-auth.js';
import { compile, removeTempProject, repoRoot } from '../helpers/temp-project.js';


const fixtureDir = path.join(repoRoot, 'fixtures/hono/drizzle-todos');
type Db = { sqlite: { prepare(sql: string): { run(...args: unknown[]): unknown } } };

interface Todo {
  id: string;
  title: string;
  done: boolean;
  userId: string;
}

let harness: BetterAuthHarness;
let alice: SignedUpUser;
let bob: SignedUpUser;
let dir: string;
const savedUrl = process.env.BETTER_AUTH_URL;

beforeAll(async () => {
  harness = await startBetterAuth();
  alice = await harness.signUp('alice@example.com');
  bob = await harness.signUp('bob@example.com');
  dir = path.join(repoRoot, 'test/.tmp', `hono-drizzle-e2e-${process.pid}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.cpSync(fixtureDir, dir, { recursive: true });
});
afterAll(async () => {
  await harness?.close();
  if (dir) removeTempProject(dir);
  process.env.BETTER_AUTH_URL = savedUrl;
});

function client(app: Hono) {
  return async (method: string, url: string, user?: SignedUpUser, body?: unknown) => {
    const headers: Record<string, string> = {};
    if (user) headers.authorization = `Bearer ${user.jwt}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await app.request(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  };
}

async function loadApp(root: string) {
  const { default: app } = (await import(path.join(root, 'src/app.ts'))) as { default: Hono };
  const { sqlite } = (await import(path.join(root, 'src/db/client.ts'))) as Db;
  for (const u of [alice, bob]) sqlite.prepare('INSERT INTO users (id, email) VALUES (?, ?)').run(u.userId, u.email);
  return client(app);
}

describe('fixtures/hono/drizzle-todos, end to end', () => {
  it('has the documented holes before the fix', async () => {
    const call = await loadApp(fixtureDir);
    const created = await call('POST', '/api/todos', undefined, { title: 'in bob’s name', userId: bob.userId });
    expect(created.status).toBe(201);
    const todo = created.body as Todo;
    expect(todo.userId).toBe(bob.userId);
    expect((await call('GET', `/api/todos/${todo.id}`)).status).toBe(200);
    expect((await call('PATCH', `/api/todos/${todo.id}`, undefined, { done: true })).status).toBe(200);
    expect((await call('GET', '/api/todos')).body).toEqual([{ ...todo, done: true }]);
    expect((await call('DELETE', `/api/todos/${todo.id}`)).status).toBe(204);
  });

  it('fix() writes exactly the guard, the scoping and the owner; a second run changes nothing', async () => {
    const first = await fix({ paths: [dir], cwd: dir, force: true, dryRun: false });
    expect(first.written).toEqual(['package.json', 'src/app.ts', 'src/routes/todos.ts']);
    expect(first.created).toEqual(['src/auth/require-auth.ts']);
    const app = fs.readFileSync(path.join(dir, 'src/app.ts'), 'utf8');
    expect(app).toContain("import { requireAuth } from './auth/require-auth.js';\n");
    // Tags are nobody's: public by design, left open.
    expect(app).toContain(`app.use('/api/todos/*', requireAuth);
app.route('/api/todos', todoRoutes);
app.route('/api/tags', tagRoutes);`);
    const todos = fs.readFileSync(path.join(dir, 'src/routes/todos.ts'), 'utf8');
    expect(todos).toContain("import { eq, and } from 'drizzle-orm';");
    expect(todos).toContain("const rows = await db.select().from(todos).where(eq(todos.userId, c.get('user').id));");
    expect(todos).toContain("values({ id: crypto.randomUUID(), title: body.title, userId: c.get('user').id })");
    expect(todos).toContain("db.query.todos.findFirst({ where: and(eq(todos.id, c.req.param('id')), eq(todos.userId, c.get('user').id)) })");
    expect(todos).toContain(".set({ done }).where(and(eq(todos.id, c.req.param('id')), eq(todos.userId, c.get('user').id))).returning()");
    expect(todos).toContain("db.delete(todos).where(and(eq(todos.id, c.req.param('id')), eq(todos.userId, c.get('user').id))).returning()");
    expect(first.result.findings).toEqual([]);
    const second = await fix({ paths: [dir], cwd: dir, force: true, dryRun: false });
    expect([second.written, second.created]).toEqual([[], []]);
  });

  it('type-checks after the fix', async () => {
    await compile(dir);
  }, 600_000);

  it('answers 401 without a token, 200 to the owner and 404 to anyone else', async () => {
    process.env.BETTER_AUTH_URL = harness.baseURL;
    const call = await loadApp(dir);
    expect(await call('GET', '/api/todos')).toEqual({ status: 401, body: { error: 'authentication required' } });
    expect((await call('POST', '/api/todos', undefined, { title: 'x', userId: alice.userId })).status).toBe(401);
    expect((await call('GET', '/api/tags')).status).toBe(200); // public by design: still answers
    expect(await call('GET', '/health')).toEqual({ status: 200, body: { status: 'ok' } });

    // The owner comes from the token, whatever the body says.
    const created = await call('POST', '/api/todos', alice, { title: 'alice’s', userId: bob.userId });
    expect(created.status).toBe(201);
    const todo = created.body as Todo;
    expect(todo.userId).toBe(alice.userId);

    expect(await call('GET', `/api/todos/${todo.id}`, alice)).toEqual({ status: 200, body: todo });
    expect(await call('GET', '/api/todos', alice)).toEqual({ status: 200, body: [todo] });
    expect(await call('GET', '/api/todos', bob)).toEqual({ status: 200, body: [] });
    expect(await call('GET', `/api/todos/${todo.id}`, bob)).toEqual({ status: 404, body: { error: 'not found' } });
    expect(await call('PATCH', `/api/todos/${todo.id}`, bob, { done: true })).toEqual({ status: 404, body: { error: 'not found' } });
    expect(await call('DELETE', `/api/todos/${todo.id}`, bob)).toEqual({ status: 404, body: { error: 'not found' } });
    expect(await call('PATCH', `/api/todos/${todo.id}`, alice, { done: true })).toEqual({ status: 200, body: { ...todo, done: true } });
    expect(await call('DELETE', `/api/todos/${todo.id}`, alice)).toEqual({ status: 204, body: undefined });
    expect(await call('GET', `/api/todos/${todo.id}`, alice)).toEqual({ status: 404, body: { error: 'not found' } });
    expect((await call('GET', '/api/tags', alice)).status).toBe(200);
  });
});
