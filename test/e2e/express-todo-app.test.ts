// Issue 2's proof on the bundled example: the real CLI fixes a copy of fixtures/express/todo-app, the
// result type-checks, re-scans clean and is stable under a second --fix; then the fixed app runs beside
// a real Better Auth server and answers real HTTP requests the way a secure API must.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../../src/api.js';
import { runCli } from '../helpers/cli.js';
import { startBetterAuth, type BetterAuthHarness, type SignedUpUser } from '../helpers/better-auth.js';
import { copyFixture, repoRoot } from '../helpers/fixtures.js';
import { closedPort, compile, startApp, type RunningApp } from '../helpers/temp-project.js';

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!file.isFile()) continue;
    const full = path.join(file.parentPath, file.name);
    if (full.includes(`${path.sep}dist${path.sep}`)) continue;
    out[path.relative(dir, full)] = fs.readFileSync(full, 'utf8');
  }
  return out;
}

describe('express todo-app: --fix end to end', () => {
  let dir: string;
  let auth: BetterAuthHarness;
  let app: RunningApp;
  let alice: SignedUpUser;
  let bob: SignedUpUser;
  let fixOutput: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    dir = copyFixture('express', 'todo-app');
    fixOutput = await runCli(['scan', dir, '--fix', '--format', 'json']);
    await compile(dir);
    // A starter that reports its ephemeral port, so tests never collide on a fixed one.
    fs.writeFileSync(
      path.join(dir, 'start-on-ephemeral-port.mjs'),
      "import { createApp } from './dist/app.js';\nconst server = createApp().listen(0, '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`));\n",
    );
    auth = await startBetterAuth();
    app = await startApp(dir, 'start-on-ephemeral-port.mjs', { BETTER_AUTH_URL: auth.baseURL });
    alice = await auth.signUp('alice@example.com');
    bob = await auth.signUp('bob@example.com');
  }, 600_000);

  afterAll(async () => {
    await app?.stop();
    await auth?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const call = (method: string, url: string, token?: string, body?: unknown) =>
    fetch(`${app.url}${url}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });

  it('fixes every finding: the CLI exits 0 and the re-scan is clean', async () => {
    expect(fixOutput.stderr).not.toContain('skipped');
    expect(fixOutput.code).toBe(0);
    const result = await scan({ paths: [dir], cwd: repoRoot, missingAuth: 'strict' });
    expect(result.findings).toEqual([]);
    expect(result.routes.map((r) => `${r.method} ${r.path} ${r.auth.status}`).sort()).toEqual([
      'DELETE /api/todos/:id protected',
      'GET /api/todos protected',
      'GET /api/todos/:id protected',
      'GET /health public',
      'PATCH /api/todos/:id protected',
      'POST /api/todos protected',
    ]);
  });

  it('writes the guard, the principal id and the owner filters into the routes file, exactly', () => {
    // Reviewed by hand: router-wide guard, principal ids in place of client ids, owner bound in every where.
    const expected = fs.readFileSync(path.join(repoRoot, 'test/e2e/expected/express-todo-app.routes.todos.ts.txt'), 'utf8');
    expect(fs.readFileSync(path.join(dir, 'src/routes/todos.ts'), 'utf8')).toBe(expected);
    expect(fs.existsSync(path.join(dir, 'src/auth/require-auth.ts'))).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).dependencies.jose).toMatch(/^\^6\./);
  });

  it('changes nothing on a second --fix', async () => {
    const before = snapshot(dir);
    const again = await runCli(['scan', dir, '--fix']);
    expect(again.code).toBe(0);
    expect(snapshot(dir)).toEqual(before);
  });

  it('refuses requests without a valid Better Auth token', async () => {
    const noToken = await call('GET', '/api/todos');
    expect(noToken.status).toBe(401);
    expect(noToken.headers.get('www-authenticate')).toBe('Bearer');
    for (const token of [
      await auth.tokens.tampered(alice.jwt),
      await auth.tokens.expired(alice.userId),
      await auth.tokens.wrongIssuer(alice.userId),
      await auth.tokens.algNone(alice.userId),
      await auth.tokens.hs256(alice.userId),
      alice.sessionToken,
    ]) {
      const res = await call('GET', '/api/todos', token);
      expect(res.status).toBe(401);
      expect(await res.text()).not.toContain(token);
    }
    expect((await call('GET', '/health')).status).toBe(200);
  });

  it('stores the caller as owner and keeps each user to their own records', async () => {
    const created = await call('POST', '/api/todos', alice.jwt, { title: 'buy milk', userId: bob.userId });
    expect(created.status).toBe(201);
    const todo = (await created.json()) as { id: string; userId: string };
    expect(todo.userId).toBe(alice.userId);

    expect((await call('GET', `/api/todos/${todo.id}`, alice.jwt)).status).toBe(200);
    expect((await call('GET', `/api/todos/${todo.id}`, bob.jwt)).status).toBe(404);
    expect((await call('PATCH', `/api/todos/${todo.id}`, bob.jwt, { done: true })).status).toBe(404);
    expect((await call('DELETE', `/api/todos/${todo.id}`, bob.jwt)).status).toBe(404);

    const bobsList = (await (await call('GET', `/api/todos?userId=${alice.userId}`, bob.jwt)).json()) as unknown[];
    expect(bobsList).toEqual([]);
    const alicesList = (await (await call('GET', '/api/todos', alice.jwt)).json()) as { id: string }[];
    expect(alicesList.map((t) => t.id)).toEqual([todo.id]);
    expect((await call('DELETE', `/api/todos/${todo.id}`, alice.jwt)).status).toBe(204);
  });

  it('answers 503 when the key set cannot be fetched, never skipping the check', async () => {
    const port = await closedPort();
    const offline = await startApp(dir, 'start-on-ephemeral-port.mjs', { BETTER_AUTH_URL: `http://127.0.0.1:${port}` });
    try {
      expect((await fetch(`${offline.url}/api/todos`, { headers: { authorization: `Bearer ${alice.jwt}` } })).status).toBe(503);
    } finally {
      await offline.stop();
    }
  });
});
