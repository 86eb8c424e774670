import { describe, expect, it } from 'vitest';
import { listRoutes } from '../../src/api.js';
import { fixture, repoRoot, routeLines } from '../helpers/fixtures.js';

const routesOf = async (name: string) => (await listRoutes({ paths: [fixture('hono', name)], cwd: repoRoot, missingAuth: 'strict' })).routes;

describe('hono: routes and guard chains', () => {
  it("matches use() patterns as Hono does: '/api/*' covers /api itself, '/admin' covers /admin only", async () => {
    expect(await routeLines(fixture('hono', 'pattern-use'))).toEqual([
      'GET /admin protected',
      'GET /admin/users unprotected',
      'GET /api protected',
      'GET /api/todos protected',
      'GET /api/todos/:id protected',
      'GET /apidocs unprotected',
      'GET /files/:name protected',
      'GET /filesystem protected',
      'GET /users/:id unprotected',
      'GET /users/me protected',
    ]);
  });

  it('guards only what is registered after use(), mounts included, and lets a sub-app middleware reach later parent routes', async () => {
    expect(await routeLines(fixture('hono', 'use-order'))).toEqual([
      'GET /billing/export protected',
      'GET /billing/invoices protected',
      'GET /billing/plans unprotected',
      'GET /health unprotected',
      'GET /late unprotected',
      'GET /notes protected',
      'GET /reports/daily unprotected',
      'GET /reports/summary protected',
      'POST /notes protected',
    ]);
  });

  it('composes route() mounts across files and chained definitions, keyed by symbol', async () => {
    expect(await routeLines(fixture('hono', 'nested-route'))).toEqual([
      'DELETE /api/users/:id protected',
      'GET / unprotected',
      'GET /api/comments unprotected',
      'GET /api/posts unprotected',
      'GET /api/posts/:id unprotected',
      'GET /api/status unprotected',
      'GET /api/users protected',
      'GET /api/users/:id protected',
      'POST /api/comments unprotected',
      'POST /api/posts protected',
      'PUT /api/posts/:id unprotected',
    ]);
  });

  it('treats basePath() clones as the same app', async () => {
    expect(await routeLines(fixture('hono', 'base-path'))).toEqual([
      'GET /api/me protected',
      'GET /docs/index unprotected',
      'GET /open unprotected',
      'GET /v1/admin/stats protected',
      'GET /v1/ping unprotected',
      'GET /v2/hello unprotected',
    ]);
    // documenso (found after the holdout3 measurement): `basePath(basePath || '/')` with `basePath` computed from
    // `env('NEXT_PUBLIC_BASE_PATH') ?? ''` put every route under `/<dynamic>`.
    const docs = (await routesOf('base-path')).find((r) => r.path === '/docs/index')!;
    expect(docs.auth.reason).toMatch(/the base path is assumed to be "\/docs", the default of `mountedAt \|\| '\/docs'`/);
  });

  it('judges hono/jwt, bearerAuth, basicAuth, combine every/some/except, createMiddleware and createHandlers', async () => {
    expect(await routeLines(fixture('hono', 'combine'))).toEqual([
      'GET /basic/report protected',
      'GET /both protected',
      'GET /checked unprotected',
      'GET /cookie-profile protected',
      'GET /custom protected',
      'GET /either protected',
      'GET /factory protected',
      'GET /jwt/profile protected',
      'GET /logged unprotected',
      'GET /maybe unprotected',
      'GET /svc/data protected',
      'GET /svc/health unprotected',
      'POST /factory-open unprotected',
    ]);
    const routes = await routesOf('combine');
    const evidence = (path: string) => routes.find((r) => r.path === path)!.auth.guards.map((g) => `${g.scope} ${g.name}: ${g.evidence}`);
    expect(evidence('/jwt/profile')).toEqual(["router jwt({ secret: 'jwt-secret', alg: 'HS256' }): hono/jwt verifies the bearer token and answers 401 without one"]);
    expect(evidence('/either')).toEqual(["route some(apiKey, jwt({ secret: 'jwt-secret', alg: 'HS256' })): every alternative of some(...) authenticates"]);
    expect(evidence('/custom')).toEqual(['route requireKey: responds 401, otherwise calls next()']);
    expect(evidence('/svc/data')).toEqual([
      "router except('/svc/health', apiKey): except('/svc/health', ...) every(...) runs hono/bearer-auth answers 401 without a valid token",
    ]);
  });

  it('reads @hono/zod-openapi routes: method, {param} path and createRoute middleware', async () => {
    expect(await routeLines(fixture('hono', 'openapi'))).toEqual([
      'DELETE /users/:id unprotected',
      'GET /users unprotected',
      'GET /users/:id protected',
    ]);
    const get = (await routesOf('openapi')).find((r) => r.path === '/users/:id' && r.method === 'GET')!;
    expect(get.auth.guards[0]).toMatchObject({ name: 'requireAuth', scope: 'route', loc: { file: 'src/app.ts', line: 9 } });
    expect(get.auth.guards[0].evidence).toBe('responds 401, otherwise calls next()');
    expect(get.handler.loc).toMatchObject({ file: 'src/app.ts', line: 29 });
  });

  // papra-hq/papra: every route is registered on `app` taken out of a context object ({ app, ...deps }) that is
  // passed on whole and destructured; 0 of ~110 routes were found.
  it('follows an app handed inside a context object, passed on whole and destructured; an unreadable validator is no guard', async () => {
    expect(await routeLines(fixture('hono', 'context-registrars'))).toEqual([
      'DELETE /api/notes/:id unprotected',
      'GET /api/notes protected',
      'GET /health unprotected',
    ]);
  });

  it('makes one app per factory call, and does not count optional authentication as a guard (realworld-hono)', async () => {
    // hollo: `c.redirect(\`/login?next=${encodeURIComponent(c.req.url)}\`)` is how its pages refuse (22 routes read open).
    // capgo (found after the holdout3 measurement): `let app; if (getRuntimeKey() === 'deno') app = new Hono().basePath(...)
    // else app = new Hono()` was no app at all, and `return quickError(401, ...)` was no refusal.
    expect(await routeLines(fixture('hono', 'factory-and-optional'))).toEqual([
      'GET /accounts protected',
      'GET /accounts/help unprotected',
      'GET /accounts/keys protected',
      'GET /accounts/settings protected',
      'GET /profiles/:name unprotected',
    ]);
    const profile = (await routesOf('factory-and-optional')).find((r) => r.path === '/profiles/:name')!;
    expect(profile.auth.reason).toBe(
      'no middleware that authenticates runs before the handler (optionalUser: lets requests without credentials through (`if (!token) ... next()`): optional authentication)',
    );
  });

  it('counts a handler that refuses without c.get(\'user\') / c.var.user as protected; a middleware that only attaches the user is no guard', async () => {
    // documenso (found after the holdout3 measurement): `getActiveSessions(c)` hands the context to `getSession(c)`, which
    // throws 401; a helper that catches that refusal is no check, nor one whose 401 is about the client's address (keyshade).
    // documenso's API downloads hand `c.req.header('authorization')` to a helper that throws 401 without a token.
    // HonoWarden (found after the holdout4 measurement): `const auth = await authenticateVaultRequest(c); if (!auth.ok)
    // return auth.response`, the helper building the 401, and handlers that hand the context to a function doing that;
    // and a helper that builds a 401 of its own besides handing back another's verdict through a local.
    expect(await routeLines(fixture('hono', 'inline-checks'))).toEqual([
      'DELETE /account protected',
      'DELETE /folders/:id protected',
      'GET /device unprotected',
      'GET /devices/pending protected',
      'GET /documents/:id/download protected',
      'GET /documents/:id/preview unprotected',
      'GET /feed unprotected',
      'GET /folders protected',
      'GET /me protected',
      'GET /sessions protected',
      'GET /sessions/maybe unprotected',
      'POST /exports unprotected',
      'POST /signin-code unprotected',
    ]);
    const me = (await routesOf('inline-checks')).find((r) => r.path === '/me')!;
    expect(me.auth.guards).toEqual([
      expect.objectContaining({ name: 'inline check', kind: 'inline', evidence: "if (!user) return c.json({ error: 'unauthorized' }, 401);", loc: expect.objectContaining({ line: 17 }) }),
    ]);
  });
  it('lists doc()/doc31() and mount() routes, follows routers mounted from a list with forEach, and calls Better Auth\'s own handler public', async () => {
    expect(await routeLines(fixture('hono', 'docs-mount-auth-server'))).toEqual([
      'ALL /internal/* protected',
      'ALL /legacy/* unknown',
      'GET /api/auth/* public',
      'GET /api/notes protected',
      'GET /api/tags protected',
      'GET /doc unprotected',
      'GET /doc31 unprotected',
      'POST /api/auth/* public',
    ]);
    const routes = await routesOf('docs-mount-auth-server');
    const legacy = routes.find((r) => r.path === '/legacy/*')!;
    expect(legacy.auth.reason).toBe('the mounted application legacy serves it and the scan does not read it');
    expect(legacy.handler).toMatchObject({ name: 'legacy', loc: { file: 'src/app.ts', line: 16 } });
    const authServer = routes.find((r) => r.path === '/api/auth/*' && r.method === 'POST')!;
    expect(authServer.auth.reason).toBe("Better Auth's own endpoints (auth.handler(c.req.raw)): the auth server checks credentials itself");
    expect(routes.find((r) => r.path === '/doc')!.handler).toMatchObject({ name: 'doc()', loc: { file: 'src/docs.ts', line: 5 } });
  });

  // nnsi/hono-practice (holdout7): `app.route('/api/v1', createApiV1Route())` where the builder's guard is a parameter
  // with a default (every route unknown); `for (const path of [...]) app.use(path, limiter)` read the loop variable
  // as middleware; the sub-app's scope checks on `${prefix}/*` (unreadable) reached every route mounted after it.
  it('a builder\'s guard given as a parameter default; use() paths from a loop; a sub-app middleware on an unreadable path stays in the sub-app; a mount path at its environment default', async () => {
    expect(await routeLines(fixture('hono', 'app-builders'))).toEqual([
      'GET /api/v1/catalogue unprotected',
      'GET /api/v1/reports protected',
      'GET /preview/notes unknown',
      'GET /status unprotected',
      'GET /v1/notes protected',
      'GET /v1/tags protected',
      'POST /auth/login unprotected',
      'POST /auth/signup unprotected',
      'POST /hooks/partner public',
    ]);
    const routes = await routesOf('app-builders');
    expect(routes.find((r) => r.path === '/v1/notes')!.auth.guards[0]!.evidence).toMatch(/\(the default of parameter `auth`\)$/);
    expect(routes.find((r) => r.path === '/preview/notes')!.auth.reason).toBe('auth is passed in as a parameter');
    // openstatus (holdout): a middleware named for the signature it checks guards no user; the route is a webhook.
    expect(routes.find((r) => r.path === '/hooks/partner')!.auth.reason).toBe('webhook: verifyPartnerSignature checks the sender (named for it: verifyPartnerSignature)');
    // MakFly/headless-kit (holdout8): `` app.route(`/api/${apiVersion}/cart`, cart) `` with `apiVersion = process.env.API_VERSION
    // || 'v1'` was a computed path, and every sub-app's `use('*', ...)` covered every other one's routes.
    expect(routes.find((r) => r.path === '/api/v1/catalogue')!.auth.reason).toContain(
      "the mount path is assumed to be \"/api/v1/catalogue\", the default of `process.env.API_VERSION || 'v1'`",
    );
  });

  // qaws7791/turbo-hono-next (holdout7): route contracts live in a workspace package (`createRoute({ method, path })`)
  // and the app registers `app.openapi({ ...listPlansRoute, middleware: [requireAuth] as const }, handler)`: the
  // method and path came through the spread unread, and 30 routes were missing.
  it('reads method and path through a spread of a route contract from another module; middleware from the literal', async () => {
    expect(await routeLines(fixture('hono', 'openapi-shared-routes'))).toEqual([
      'DELETE /plans/:planId protected',
      'GET /plans protected',
      'GET /templates unprotected',
    ]);
  });
});
