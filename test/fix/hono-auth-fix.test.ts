// The Hono auth fix on copies of the fixtures: the exact text it writes, that the fixed project
// type-checks with the generated module, that a second run changes nothing, and that every route
// the fix touched is protected afterwards. Strict mode, so every open route is fixed: these tests are about
// where and how the guard is inserted; which routes are claimed is test/rules/route-claims.test.ts's.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fix } from '../../src/api.js';
import { compile, removeTempProject, repoRoot } from '../helpers/temp-project.js';

const made: string[] = [];
afterEach(() => {
  while (made.length) removeTempProject(made.pop()!);
});

function copyFixture(name: string): string {
  const dir = path.join(repoRoot, 'test/.tmp', `hono-fix-${name}-${process.pid}-${made.length}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.cpSync(path.join(repoRoot, 'fixtures/hono', name), dir, { recursive: true });
  made.push(dir);
  return dir;
}

const read = (dir: string, file: string) => fs.readFileSync(path.join(dir, file), 'utf8');

async function fixTwice(dir: string) {
  const first = await fix({ paths: [dir], cwd: dir, force: true, dryRun: false, missingAuth: 'strict' });
  const second = await fix({ paths: [dir], cwd: dir, force: true, dryRun: false, missingAuth: 'strict' });
  expect([second.written, second.created]).toEqual([[], []]);
  return { first, after: second.result.routes.map((r) => `${r.method} ${r.path} ${r.auth.status}`).sort() };
}

describe('hono: missing-auth fixes', () => {
  it('guards a wholly flagged mount with use() spliced before route(), other routes one by one, aliased beside the project own requireAuth', async () => {
    const dir = copyFixture('nested-route');
    const { first, after } = await fixTwice(dir);
    expect(first.written).toEqual(['package.json', 'src/index.ts', 'src/routes/api.ts', 'src/routes/posts.ts']);
    expect(first.created).toEqual(['src/auth/require-auth.ts']);
    expect(read(dir, 'src/routes/api.ts')).toBe(`import { Hono } from 'hono';
import { requireAuth } from '../auth.js';
import comments from './comments.js';
import { posts } from './posts.js';
import users from './users.js';
import { requireAuth as requireBetterAuth } from '../auth/require-auth.js';

export const api = new Hono()
  .get('/status', requireBetterAuth, (c) => c.json({ ok: true }))
  .use('/users/*', requireAuth)
  .route('/users', users)
  .route('/posts', posts)
  .use('/comments/*', requireBetterAuth)
  .route('/comments', comments);
`);
    expect(read(dir, 'src/routes/posts.ts')).toContain(
      "posts.get('/:id', requireBetterAuth, (c) => c.json({ id: c.req.param('id') })).put(requireBetterAuth, async (c) => c.json(await c.req.json()));",
    );
    expect(read(dir, 'src/index.ts')).toContain("import { requireAuth } from './auth/require-auth.js';\n");
    expect(read(dir, 'src/index.ts')).toContain("app.get('/', requireAuth, (c) => c.text('hello'));");
    expect(read(dir, 'src/routes/comments.ts')).toBe(read(path.join(repoRoot, 'fixtures/hono/nested-route'), 'src/routes/comments.ts'));
    expect(JSON.parse(read(dir, 'package.json')).dependencies).toEqual({ hono: '^4.13.0', jose: '^6.2.18' });
    expect(after.every((line) => line.endsWith(' protected'))).toBe(true);
    expect(after).toHaveLength(11);
    await compile(dir, ['--noEmit']);
  }, 600_000);

  it('adds the guard to createRoute middleware for @hono/zod-openapi routes', async () => {
    const dir = copyFixture('openapi');
    const { after } = await fixTwice(dir);
    const text = read(dir, 'src/app.ts');
    expect(text).toContain(`const listUsers = createRoute({
  middleware: [requireBetterAuth] as const,
  method: 'get',`);
    expect(text).toContain(`const deleteUser = createRoute({
  middleware: [requireBetterAuth] as const,
  method: 'delete',`);
    expect(text).toContain('middleware: [requireAuth] as const,\n  request: { params');
    expect(after).toEqual(['DELETE /users/:id protected', 'GET /users protected', 'GET /users/:id protected']);
    await compile(dir, ['--noEmit']);
  }, 600_000);

  it('adds the guard after a spread route contract, so the contract cannot replace it', async () => {
    const dir = copyFixture('openapi-shared-routes');
    const { after } = await fixTwice(dir);
    expect(read(dir, 'src/app.ts')).toContain('app.openapi({ ...listTemplatesRoute, middleware: [requireBetterAuth] as const }, (c) => c.json([], 200));');
    expect(after).toEqual(['DELETE /plans/:planId protected', 'GET /plans protected', 'GET /templates protected']);
    await compile(dir, ['--noEmit']);
  }, 600_000);

  it('inserts inside an inline createHandlers(...) and before combined middleware', async () => {
    const dir = copyFixture('combine');
    const { after } = await fixTwice(dir);
    const text = read(dir, 'src/app.ts');
    expect(text).toContain("app.post('/factory-open', ...factory.createHandlers(requireAuth, cors(), (c) => c.text('open')));");
    expect(text).toContain("app.get('/maybe', requireAuth, some(apiKey, checkAuth), (c) => c.text('maybe'));");
    expect(text).toContain("app.get('/svc/health', requireAuth, (c) => c.text('up'));");
    expect(text).toContain("app.get('/checked', requireAuth, checkAuth, (c) => c.text('checked'));");
    expect(after.filter((l) => !l.endsWith(' protected'))).toEqual([]);
    await compile(dir, ['--noEmit']);
  }, 600_000);
});
