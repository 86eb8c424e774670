// Runs the Hono fixtures through real Hono (app.request) and checks that what the adapter calls
// protected answers 401/403 without credentials and what it calls unprotected does not. Also pins the
// router semantics the adapter relies on (src/frameworks/hono/paths.ts), so a Hono upgrade that
// changes them fails here first.
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { listRoutes } from '../../src/api.js';
import { honoPatternCovers } from '../../src/frameworks/hono/paths.js';
import { fixture, repoRoot } from '../helpers/fixtures.js';

const deny = async (c: { text: (t: string, s: 401) => Response }) => c.text('no', 401);
const ok = (c: { text: (t: string) => Response }) => c.text('ok');

/** A request path that the route pattern serves: `:id` → `p1`, `*` → `x`. */
function concrete(path: string): string {
  return path.replace(/:(\w+)(\{[^}]*\})?\??/g, 'p1').replace(/\*/g, 'x');
}

async function statusesOf(app: Hono, paths: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const p of paths) out[p] = (await app.request(p)).status;
  return out;
}

describe('hono router semantics the adapter relies on', () => {
  it("'/api/*' matches /api, /api/ and below but not /apix; '/admin' matches only /admin; '/s*' globs", async () => {
    const app = new Hono();
    app.use('/api/*', deny);
    app.use('/admin', deny);
    app.use('/s*', deny);
    app.use('/p/:id', deny);
    for (const p of ['/api', '/api/', '/api/x', '/api/x/y', '/apix', '/admin', '/admin/x', '/sx', '/s/y', '/p/1', '/p/1/sub']) app.get(p, ok);
    expect(await statusesOf(app, ['/api', '/api/', '/api/x', '/api/x/y', '/apix', '/admin', '/admin/x', '/sx', '/s/y', '/p/1', '/p/1/sub'])).toEqual({
      '/api': 401,
      '/api/': 401,
      '/api/x': 401,
      '/api/x/y': 401,
      '/apix': 200,
      '/admin': 401,
      '/admin/x': 200,
      '/sx': 401,
      '/s/y': 401,
      '/p/1': 401,
      '/p/1/sub': 200,
    });
    for (const [pattern, path, covered] of [
      ['/api/*', '/api', true],
      ['/api/*', '/api/x/y', true],
      ['/api/*', '/apix', false],
      ['/admin', '/admin', true],
      ['/admin', '/admin/x', false],
      ['/s*', '/sx', true],
      ['/s*', '/s/y', true],
      ['/p/:id', '/p/1', true],
      ['/p/:id', '/p/1/sub', false],
      ['/users/me', '/users/:id', false],
    ] as const) {
      expect([pattern, path, honoPatternCovers(pattern, path)]).toEqual([pattern, path, covered]);
    }
  });

  it('composes in registration order: a later use() does not guard earlier routes or mounts; a sub-app use() reaches later parent routes under its prefix', async () => {
    const app = new Hono();
    const early = new Hono().get('/a', ok);
    app.get('/late', ok);
    app.use('/late', deny);
    app.route('/early', early);
    app.use('/early/*', deny);
    const sub = new Hono();
    sub.get('/open', ok);
    sub.use(deny);
    sub.get('/closed', ok);
    app.route('/m', sub);
    app.get('/m/parent', ok);
    const base = app.basePath('/v1');
    app.use('/v1/*', deny);
    base.get('/x', ok);
    expect(await statusesOf(app, ['/late', '/early/a', '/m/open', '/m/closed', '/m/parent', '/v1/x'])).toEqual({
      '/late': 200,
      '/early/a': 200,
      '/m/open': 200,
      '/m/closed': 401,
      '/m/parent': 401,
      '/v1/x': 401,
    });
  });
});

describe('hono fixtures through real Hono: the statuses the adapter reports hold at run time', () => {
  for (const name of ['pattern-use', 'use-order', 'nested-route', 'base-path', 'combine', 'openapi', 'factory-and-optional', 'context-registrars', 'error-class-refusals', 'skip-list-gate', 'long-chain', 'inline-checks', 'app-builders', 'openapi-shared-routes']) {
    it(name, async () => {
      const entry = name === 'nested-route' ? 'src/index.ts' : 'src/app.ts';
      const { default: app } = (await import(fixture('hono', name, entry))) as { default: Hono };
      const { routes } = await listRoutes({ paths: [fixture('hono', name)], cwd: repoRoot, missingAuth: 'strict' });
      expect(routes.length).toBeGreaterThan(0);
      const observed: string[] = [];
      const expected: string[] = [];
      for (const r of routes) {
        const init: RequestInit = { method: r.method };
        if (r.method !== 'GET') Object.assign(init, { body: '{}', headers: { 'content-type': 'application/json' } });
        const res = await app.request(concrete(r.path), init);
        const status = res.status;
        // Pages refuse by redirecting to the sign-in page.
        const refused = status === 401 || status === 403 || (status >= 300 && status < 400 && /login|signin|auth/i.test(res.headers.get('location') ?? ''));
        // A webhook's sender check is public and turns away a request without a signature: it must answer.
        if (r.auth.status === 'public' && r.auth.reason?.startsWith('webhook:')) {
          expect(status, `${r.method} ${r.path}`).not.toBe(404);
          continue;
        }
        expected.push(`${r.method} ${r.path} ${r.auth.status === 'protected' ? 'refused' : 'served'}`);
        observed.push(`${r.method} ${r.path} ${refused ? 'refused' : 'served'} (${status})`.replace(/ \(\d+\)$/, ''));
        if (!refused) expect(status, `${r.method} ${r.path}`).toBeLessThan(400);
      }
      expect(observed).toEqual(expected);
    });
  }
});

describe('hono built-in routes through real Hono', () => {
  it('doc() serves the document, mount() hands over to the other application behind earlier use(), Better Auth answers its own endpoints', async () => {
    const { default: app } = (await import(fixture('hono', 'docs-mount-auth-server', 'src/app.ts'))) as { default: Hono };
    expect(await statusesOf(app, ['/doc', '/doc31', '/legacy/x', '/internal/x', '/api/notes', '/api/tags', '/api/auth/ok'])).toEqual({
      '/doc': 200,
      '/doc31': 200,
      '/legacy/x': 200,
      '/internal/x': 401,
      '/api/notes': 401,
      '/api/tags': 401,
      '/api/auth/ok': 200,
    });
  });
});
