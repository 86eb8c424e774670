// Shapes found in real Express projects (see each test's comment); every fixture is a minimal rewrite, not their code.
import { describe, expect, it } from 'vitest';
import { listRoutes, scan } from '../../src/api.js';
import { withServer } from '../helpers/express-server.js';
import { fixture, repoRoot, routeLines } from '../helpers/fixtures.js';
import { makeTempProject, removeTempProject } from '../helpers/temp-project.js';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

async function routesOf(name: string) {
  return (await listRoutes({ paths: [fixture('express', name)], cwd: repoRoot, missingAuth: 'strict' })).routes;
}

describe('express: shapes from real projects', () => {
  // gothinkster/node-express-realworld-example-app: an Nx solution tsconfig (files: [] + references) selected
  // no file at all, and `export default Router().use('/api', api)` was not seen as a router.
  it('reads files through a solution tsconfig; use() chains return the router and run left to right', async () => {
    expect(await routeLines(fixture('express', 'chained-router-solution-tsconfig'))).toEqual([
      'DELETE /api/account protected',
      'GET / unprotected',
      'GET /api/account protected',
      'GET /api/products unprotected',
    ]);
    const account = (await routesOf('chained-router-solution-tsconfig')).find((r) => r.method === 'GET' && r.path === '/api/account')!;
    expect(account.auth.guards).toMatchObject([
      { name: 'requireUser', scope: 'router', evidence: 'responds 401, otherwise calls next()', loc: { file: 'src/routes/index.ts', line: 7 } },
    ]);
  });

  // ljlm0402/typescript-express-starter: `app: express.Application` assigned in the constructor, route classes
  // holding `router = Router()`, mounted by `routes.forEach((route) => this.app.use('/', route.router))` over a
  // constructor parameter; every route was "not mounted" (unknown).
  it('follows route classes through a loop over a constructor parameter to `new App([...])`, forEach and for-of', async () => {
    expect(await routeLines(fixture('express', 'class-based-routes'))).toEqual([
      'DELETE /users/:id protected',
      'GET /admin/reports protected',
      'GET /users unprotected',
      'GET /users/:id unprotected',
      'POST /login unprotected',
    ]);
    const routes = await routesOf('class-based-routes');
    expect(routes.find((r) => r.path === '/users/:id' && r.method === 'GET')!.handler).toMatchObject({
      name: 'this.users.get',
      loc: { file: 'src/controllers/users.controller.ts', line: 8 },
    });
    expect(routes.find((r) => r.path === '/admin/reports')!.auth.guards).toMatchObject([
      { name: 'requireUser', scope: 'router', loc: { file: 'src/app.ts', line: 28 } },
    ]);
  });

  // sahat/hackathon-starter: `lusca.xssProtection(true)` sounded like auth ("protect"), so 71 of 106 routes
  // were unknown; lusca only sets security headers and CSRF tokens.
  it('lusca (CSRF, headers) is never a guard, also when called inside a wrapper middleware; nor is a first-run gate', async () => {
    const routes = await routesOf('security-middleware-not-guards');
    expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status} ${r.auth.guards.map((g) => g.evidence).join()}`).sort()).toEqual([
      'GET / unprotected ',
      // passport.authenticate('github') as the route's only function: a sign-in step.
      'GET /auth/github public ',
      "GET /settings protected redirects to '/login', otherwise calls next()",
      'POST /comments unprotected ',
      // automatisch (holdout8): a first-run gate refuses everyone once an account exists; it checks nobody.
      'POST /installation/users unprotected ',
      // cnodejs/nodeclub's blockUser refuses only a signed-in, blocked user: an anonymous caller passes.
      'POST /replies protected responds 403, otherwise calls next()',
      'POST /topics unprotected ',
      'POST /upload unprotected ',
    ]);
  });

  // auth0-samples/auth0-express-webapp-sample: `const config = { authRequired: false }; app.use(auth(config))`
  // made every route protected (a breach): options held in a constant were not read.
  it('reads auth options from a constant; options it cannot read, or later assignments to them, make the route unknown', async () => {
    const routes = await routesOf('auth-options-from-constants');
    expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status} ${r.auth.reason ?? r.auth.guards.map((g) => g.name).join()}`).sort()).toEqual([
      'GET / unprotected no middleware that authenticates runs before the handler (auth(oidcConfig): auth() with authRequired: false only attaches the session)',
      'GET /api/reports unknown cannot read `credentialsRequired` in the options of expressjwt(jwtOptions())',
      'GET /partner/feed unknown cannot read `credentialsRequired` in the options of expressjwt(partnerConfig)',
      'GET /profile protected requiresAuth()',
    ]);
  });

  // Known gaps: `[...validate, requireUser]` dropped the spread; `if (production) app.use('/admin', auth)` counted
  // the guard as always registered (a false protected on a development server); kutt's
  // `asyncHandler(env.DISALLOW_ANONYMOUS_LINKS ? auth.jwt : auth.jwtLoose)` read as no guard at all.
  it('reads spread middleware lists; a guard registered under a condition is unknown; conditional routes say when they are served', async () => {
    const routes = await routesOf('spread-and-conditional-middleware');
    expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status} ${r.auth.reason ?? r.auth.guards.map((g) => g.name).join()}`).sort()).toEqual([
      "GET /admin/stats unknown requireUser is registered only when process.env.NODE_ENV === 'production'",
      "GET /debug/env unprotected no middleware that authenticates runs before the handler; served only when process.env.NODE_ENV !== 'production'",
      'GET /notes unprotected no middleware that authenticates runs before the handler',
      "PATCH /notes/:id unknown cannot read the middleware list ...validatorsFor('note')",
      'POST /links unknown allowAnonymousLinks ? optionalUser : requireUser authenticates only when `!(allowAnonymousLinks)`: a setting the scan cannot know',
      'POST /links/:id/report unprotected no middleware that authenticates runs before the handler (allowAnonymousLinks ? optionalUser : optionalUser: never refuses a request)',
      'POST /notes protected requireUser',
      'PUT /notes/:id protected requireUser',
    ]);
    const put = routes.find((r) => r.method === 'PUT')!;
    expect(put.auth.guards[0].loc).toMatchObject({ file: 'src/routes/notes.ts', line: 6 });
  });

  // Known gap: in a fresh pnpm/yarn workspace clone (no node_modules, no dist) `@acme/auth` was an external
  // package, so its guard was unknown; it is the workspace package's source, found from its package.json.
  it('resolves workspace packages by name to their source (exports subpaths, dist read back as src)', async () => {
    const routes = await routesOf('workspace-package-source');
    expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status} ${r.auth.guards.map((g) => `${g.name} ${g.loc.file}`).join()}`).sort()).toEqual([
      'GET /feed unprotected ',
      'GET /me protected requireUser apps/api/src/app.ts',
    ]);
    expect(routes.find((r) => r.path === '/me')!.auth.guards[0].evidence).toBe('responds 401, otherwise calls next()');
  });

  // novuhq/novu and vndevteam/nestjs-turbo are scanned from their API package (apps/api); their guards and
  // decorators live in sibling workspace packages outside that root, which were unreadable: every route unknown.
  it('scanned from the app package alone, reads the guard from the sibling workspace package', async () => {
    const root = fixture('express', 'workspace-package-source', 'apps', 'api');
    const { routes, diagnostics } = await listRoutes({ paths: [root], cwd: root, missingAuth: 'strict' });
    expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status} ${r.auth.guards.map((g) => `${g.name} ${g.loc.file}: ${g.evidence}`).join()}`).sort()).toEqual([
      'GET /feed unprotected ',
      'GET /me protected requireUser src/app.ts: responds 401, otherwise calls next()',
    ]);
    expect(diagnostics).toEqual([]);
  });

  it('a sibling package is read only as far as imports reach: its own servers are not routes, its unparseable files are not the scan\'s errors', async () => {
    const { makeTempProject, removeTempProject } = await import('../helpers/temp-project.js');
    const dir = makeTempProject('workspace-siblings', {
      'package.json': JSON.stringify({ name: 'mono', private: true, workspaces: ['apps/*', 'packages/*'] }),
      'packages/kit/package.json': JSON.stringify({ name: '@acme/kit', main: 'src/index.ts' }),
      'packages/kit/src/index.ts': "export { requireUser } from './broken';\n",
      'packages/kit/src/broken.ts': 'export function requireUser(req, res, next) {\n  if (!req.headers.authorization) return res.status(401).end(;\n  next();\n}\n',
      'packages/admin/package.json': JSON.stringify({ name: '@acme/admin', dependencies: { express: '^5.0.0' } }),
      'packages/admin/src/server.ts': "import express from 'express';\nconst admin = express();\nadmin.delete('/users/:id', (_req, res) => res.end());\nadmin.listen(4000);\n",
      'apps/api/package.json': JSON.stringify({ name: 'api', dependencies: { express: '^5.0.0', '@acme/kit': '*' } }),
      'apps/api/src/app.ts': "import express from 'express';\nimport { requireUser } from '@acme/kit';\nconst app = express();\napp.get('/me', requireUser, (_req, res) => res.json({}));\napp.listen(3000);\n",
    });
    try {
      const root = `${dir}/apps/api`;
      const { routes, diagnostics } = await listRoutes({ paths: [root], cwd: root, missingAuth: 'strict' });
      expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status}`)).toEqual(['GET /me unknown']);
      expect(diagnostics).toEqual([]);
    } finally {
      removeTempProject(dir);
    }
  });

  // express-jwt's `jwt({...}).unless({ path: [...] })` (older realworld apps and boilerplates) was unknown on every
  // route: it guards what it does not skip; a request it may skip reaching a route makes that route unknown.
  // madhums/node-express-mongoose-demo (holdout7): `module.exports = function (app, passport)` and the route file's
  // `auth.requiresLogin` come as parameters of the registrar; `passport.initialize()` read off the parameter could not
  // be followed, and every route was unknown.
  it("judges middleware read off a registrar's parameter as what each call passes (routes(app, auth))", async () => {
    const routes = await routesOf('registrar-parameters');
    expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status} ${r.auth.guards.map((g) => g.name).join()}`).sort()).toEqual([
      'GET /articles/new protected middleware.requiresLogin',
      'GET /drafts unprotected ',
      'GET /feed unprotected ',
      'GET /notes protected auth.requiresLogin',
      'GET /reports protected auth.requiresLogin',
      'POST /users/session public ',
    ]);
    // `const pauth = passport.authenticate.bind(passport)`: passport's own, with the parameter's value.
    expect(routes.find((r) => r.path === '/users/session')!.auth.reason).toBe("sign-in step: pauth('local', { failureRedirect: '/login' }) (passport strategy 'local' signs the caller in)");
  });

  // cezerin/cezerin (holdout6): every API route sits in a class that keeps the router it is given
  // (`constructor(router) { this.router = router; this.registerRoutes() }`, built with `new OrdersRoute(apiRouter)`)
  // and registers on `this.router`, each behind `security.checkUserScope.bind(this, scope)`: 0 of 95 were found.
  it('finds routes registered on this.router by classes built with the router; a guard bound with .bind(this, scope) is the function itself', async () => {
    const routes = await routesOf('router-kept-by-class');
    expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status} ${r.auth.status === 'protected' ? `${r.auth.guards[0].name}: ${r.auth.guards[0].evidence}` : r.auth.reason}`).sort()).toEqual([
      "DELETE /api/v1/orders/:id protected checkUserScope.bind(this, 'write:orders'): responds 403, otherwise calls next()",
      "GET /api/v1/orders protected checkUserScope.bind(this, 'read:orders'): responds 403, otherwise calls next()",
      'GET /api/v1/orders/:id/export unprotected no middleware that authenticates runs before the handler',
      'GET /api/v1/status unprotected no middleware that authenticates runs before the handler',
    ]);
  });

  // cezerin/cezerin (holdout6): the list is a constant beside the guard, and its RegExps look for a text anywhere in
  // the URL (`/\/ajax\//i`): a route is skipped when every URL it serves holds the text, unknown when some may.
  it('reads unless() exceptions: plain paths, { url, methods }, RegExps, a list in a constant; a skipped URL a template may serve is unknown', async () => {
    const routes = await routesOf('guard-unless');
    expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status} ${r.auth.status === 'protected' ? r.auth.guards[0].evidence : r.auth.reason}`).sort()).toEqual([
      'DELETE /orders/:id protected express-jwt verifies the bearer token',
      'GET /ajax/products unprotected no middleware that authenticates runs before the handler',
      'GET /files/:bucket/:name unknown requests matching /\\/hooks\\/stripe/ skip the guard and may reach this route (/files/hooks/stripe)',
      'GET /orders protected express-jwt verifies the bearer token',
      'GET /public/:file unprotected no middleware that authenticates runs before the handler',
      'GET /reports/:year/summary protected express-jwt verifies the bearer token',
      'GET /signup protected express-jwt verifies the bearer token',
      'GET /users/:id unknown a request to /users/me skips the guard and may reach this route',
      'POST /hooks/stripe unprotected no middleware that authenticates runs before the handler',
      'POST /login unprotected no middleware that authenticates runs before the handler',
      'POST /signup unprotected no middleware that authenticates runs before the handler',
    ]);
  });

  // advplyr/audiobookshelf (holdout7): `router.use('/api', auth.ifAuthNeeded(authMiddleware), api)`, a wrapper that
  // hands the request to the middleware it is given unless a predicate method lets it through (GET and a path in
  // a list of RegExps built around a base path set per deployment). It was read as never refusing: 24 false errors.
  it('a wrapper around a guard is that guard, with the requests its predicate lets through; around a logger, or passing on a record test, no guard', async () => {
    const { routes } = await listRoutes({ paths: [fixture('express', 'guard-wrapper')], cwd: repoRoot });
    expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status}`).sort()).toEqual([
      'DELETE /api/authors/:id protected',
      'DELETE /logged/stats/:id unprotected',
      'GET /api/authors/:id/image public',
      'GET /api/downloads/:file unknown',
      'GET /api/items/:id protected',
      'GET /api/items/:id/cover public',
      'GET /pages/:slug public',
      'GET /v2/notes public',
      'PATCH /api/items/:id/cover protected',
      'POST /v2/notes protected',
    ]);
    const byKey = new Map(routes.map((r) => [`${r.method} ${r.path}`, r]));
    expect(byKey.get('GET /api/items/:id')!.auth.guards[0]).toMatchObject({
      name: 'this.auth.ifAuthNeeded(this.authMiddleware.bind(this))',
      evidence: expect.stringMatching(/^this\.auth\.isAuthenticated\(\) responds 401.*\(through this\.auth\.ifAuthNeeded\(\)\)$/),
    });
    expect(byKey.get('GET /api/items/:id/cover')!.auth.reason).toContain('skips its check for this path (`this.authNotNeeded(req)`)');
    // The base path is unknown: whether /downloads/ is skipped depends on it.
    expect(byKey.get('GET /api/downloads/:file')!.auth.reason).toContain('cannot decide');
    expect(byKey.get('DELETE /logged/stats/:id')!.auth.reason).toContain('never refuses');
    // Checkmate (holdout2): a published status page is for everyone; the wrapper checks the caller only for drafts.
    expect(byKey.get('GET /pages/:slug')!.auth.reason).toContain('lets requests through without this.authMiddleware.bind(this) when `page?.published`');
  });

  // advplyr/audiobookshelf (holdout7): POST /login behind `authRateLimiter` (a factory that caches what it built and
  // returns the cache first) and passport 'local' was shown protected, the limiter being unknown; the OIDC callback,
  // an inline middleware handing the request to passport's 'openid-client' strategy, too.
  it('sign-in steps and webhook sender checks written as middleware are public; a caching factory is read through what it builds', async () => {
    expect(await routeLines(fixture('express', 'sign-in-middleware'))).toEqual([
      'GET /auth/link/:token public',
      'GET /auth/openid/callback public',
      'GET /billing protected',
      'GET /settings protected',
      'POST /login public',
      'POST /webhooks/partner public',
    ]);
    const { routes } = await listRoutes({ paths: [fixture('express', 'sign-in-middleware')], cwd: repoRoot });
    const reasons = Object.fromEntries(routes.map((r) => [`${r.method} ${r.path}`, r.auth.reason]));
    expect(reasons['GET /auth/openid/callback']).toBe("sign-in step: inline middleware (passport strategy 'openid-client' signs the caller in)");
    expect(reasons['GET /auth/link/:token']).toBe("sign-in step: inline middleware (starts the caller's session (req.logIn()))");
    // automatisch (holdout8): a middleware that refuses unless the webhook's signature checks out guards no user.
    expect(reasons['POST /webhooks/partner']).toBe('webhook: verifyPartnerWebhook checks the sender (verifyWebhookSignature(req))');
  });

  it('a step the scan cannot read is taken for what its name ends with: a limiter, even one named for sign-in, is no guard', async () => {
    const dir = makeTempProject('named-limiters', {
      'package.json': JSON.stringify({ name: 'named-limiters', type: 'module', dependencies: { express: '^5.1.0', '@acme/edge': '1.0.0' } }),
      'src/app.js': `import express from 'express';
import { loginRateLimiter, authSession } from '@acme/edge';
export const app = express();
app.get('/reports', loginRateLimiter, (req, res) => res.json([]));
app.get('/orders', authSession, (req, res) => res.json([]));
`,
    });
    try {
      const { routes } = await listRoutes({ paths: [dir], cwd: dir, missingAuth: 'strict' });
      expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status}`)).toEqual(['GET /reports unprotected', 'GET /orders unknown']);
    } finally {
      removeTempProject(dir);
    }
  });

  // kenyipp/express-api-boilerplate-style apps build every router with express-promise-router; none was found, and
  // the scan said "no problems in 0 routes".
  it('express-promise-router routers are routers: mounts, router-level guards and prefixes apply', async () => {
    expect(await routeLines(fixture('express', 'promise-router'))).toEqual([
      'DELETE /api/invoices/:id protected',
      'GET /api/health unprotected',
      'GET /api/invoices protected',
    ]);
  });

  // kenyipp/realworld-nodejs-example-app: `auth` returns next() when there is no Authorization header and
  // only refuses bad tokens; it was counted as a guard, so anonymous GET routes read "protected". cnodejs/nodeclub
  // (holdout5): the same inside a lookup's callback (`if (!user) return next()`), refusing only blocked users.
  it('optional authentication (no credentials: next()) is not a guard; next(err) and path skips are not optional; a deployment switch is unknown', async () => {
    const routes = await routesOf('optional-auth');
    expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status} ${r.auth.guards.map((g) => g.name).join()}`).sort()).toEqual([
      'DELETE /api/articles/:id protected apiGuard',
      'GET /api/articles unprotected ',
      'GET /api/dashboards protected sessionUnlessLocal',
      'GET /api/feed unprotected ',
      'GET /api/settings unknown ',
      'GET /api/topics/:id unprotected ',
      'POST /api/articles protected requireUser',
      'POST /api/devices/sync protected deviceKey',
      'POST /api/drafts unprotected ',
    ]);
    // A 4xx for a missing credential read from the headers refuses like a 401; one for missing input does not.
    expect(routes.find((r) => r.path === '/api/devices/sync')!.auth.guards[0]!.evidence).toBe("responds 400 when `!(await verifyToken(key))`, otherwise calls next()");
    // Switched off by the deployment (`!process.env.AUTH_TOKEN`), not by the request: neither a guard nor optional.
    // hyperdx (found after the holdout3 measurement): `if (config.IS_LOCAL_APP_MODE) return next()`, where the flag is
    // `env.IS_LOCAL_APP_MODE === 'DANGEROUSLY_...'`: off unless a deployment sets it, so the guard stands, and says so.
    expect(routes.find((r) => r.path === '/api/dashboards')!.auth.guards[0]!.evidence).toBe(
      'responds 401, otherwise calls next(); lets every request through only when `config.IS_LOCAL_APP_MODE`, which a deployment that sets no environment variable does not',
    );
    expect(routes.find((r) => r.path === '/api/settings')!.auth.reason).toBe(
      "unlessDisabled: responds 401, but lets every request through when `process.env.NODE_ENV === 'development' …`: a deployment setting the scan cannot know",
    );
    // The reason names the middleware a reader would take for a guard, and why it is not one.
    expect(routes.find((r) => r.path === '/api/articles' && r.method === 'GET')!.auth.reason).toBe(
      'no middleware that authenticates runs before the handler (attachUser: lets requests without credentials through (`if (authorization === undefined) ... next()`): optional authentication)',
    );
  });

  // A routing-controllers app (decorator routes registered by the library) used to scan "clean" with 0 routes.
  it('a framework with no route found is a warning naming the unmodelled router library, not a clean scan', async () => {
    const res = await scan({ paths: [fixture('express', 'routing-controllers')], cwd: repoRoot, missingAuth: 'strict' });
    expect(res.routes).toEqual([]);
    // A finding, so it counts for --max-warnings and the summary is not a green "no problems".
    expect(res.findings.map((f) => `${f.ruleId} ${f.messageId} ${f.severity} ${f.loc.file}: ${f.message}`)).toEqual([
      'unresolved-auth no-routes warning package.json: express is used but no routes were found: routes registered through routing-controllers are not analysed; nothing was checked',
    ]);
    expect(res.summary.warnings).toBe(1);
    // A project with routes gets no such warning.
    expect((await scan({ paths: [fixture('express', 'promise-router')], cwd: repoRoot, missingAuth: 'strict' })).findings.filter((f) => f.messageId === 'no-routes')).toEqual([]);
  });
});

describe('express fixtures from real shapes', () => {
  it('type-check against Express 5 from the root node_modules', async () => {
    const tsc = path.join(repoRoot, 'node_modules/typescript/bin/tsc');
    for (const project of ['chained-router-solution-tsconfig/tsconfig.app.json', 'class-based-routes', 'spread-and-conditional-middleware', 'optional-auth']) {
      execFileSync(process.execPath, [tsc, '-p', fixture('express', project), '--noEmit'], { stdio: 'pipe' });
    }
  }, 600_000);
});

// bradtraversy/proshop_mern and hagopj13/node-express-boilerplate wrap their guards in asyncHandler / catchAsync;
// the wrapper was opaque, so every route behind `protect` read unprotected.
// thedevs-network/kutt: `asyncHandler(auth.jwt)` where `jwt = authenticate('jwt', msg, true)` and `jwtLoose` the same
// factory with `false`: the wrapped reference to a factory call was opaque (23 routes unprotected), and the flag
// that makes one of them optional authentication must be read per call site.
// bluewave-labs/Checkmate: `const error = new AppError({ status: 401, ... }); next(error)` hands the refusal to the
// error handler; it read as a middleware that never refuses (37 routes unprotected).
// mendableai/firecrawl (found after the holdout3 measurement): `if (!auth.success) return res.status(auth.status)`,
// where `authenticateUser` answers `{ status: 401 }` through the function it hands on, in middleware and in handlers.
// juice-shop (found after the holdout4 measurement): `app.get('/api/Users', security.isAuthorized())` guards the
// generated REST handler that answers after it; the guard, taken for the handler, ran before nothing (32 routes
// unprotected). The last function of a route is middleware too; a handler factory such as `login()` is not.
describe('express: a guard as a route\'s only function', () => {
  it('protects the route; a sign-in handler made by a factory does not: the static status agrees with real Express', async () => {
    const routes = await routesOf('guard-only-routes');
    expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status} ${r.auth.guards.map((g) => g.name).join()}`)).toEqual([
      'GET /api/users protected isAuthorized()',
      'DELETE /api/users/:id protected isAuthorized()',
      'POST /rest/user/login unprotected ',
    ]);
    const { app } = (await import(fixture('express', 'guard-only-routes', 'src/app.ts'))) as { app: import('express').Express };
    await withServer(app, async (base) => {
      const call = async (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) =>
        (await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) })).status;
      expect(await call('GET', '/api/users')).toBe(401);
      expect(await call('GET', '/api/users', { authorization: 'Bearer valid' })).toBe(200);
      expect(await call('DELETE', '/api/users/7')).toBe(401);
      expect(await call('DELETE', '/api/users/7', { authorization: 'Bearer valid' })).toBe(200);
      expect(await call('POST', '/rest/user/login', {}, { password: 'secret' })).toBe(200);
      expect(await call('POST', '/rest/user/login', {}, { password: 'guess' })).toBe(401);
    });
  });
});

describe('express: guards through async-error wrappers', () => {
  it('the wrapper is transparent, a factory flag is judged per call site: the static status agrees with real Express', async () => {
    const routes = await routesOf('wrapped-guards');
    const { app } = (await import(fixture('express', 'wrapped-guards', 'src/app.ts'))) as { app: import('express').Express };
    await withServer(app, async (base) => {
      const lines: string[] = [];
      for (const r of routes) {
        const status = (await fetch(`${base}${r.path}`, { method: r.method })).status;
        lines.push(`${r.method} ${r.path} ${r.auth.status} → ${status}`);
      }
      expect(lines.sort()).toEqual([
        'GET /dashboard protected → 401',
        'GET /feed unprotected → 200',
        'GET /keys/limits protected → 401',
        'GET /keys/usage protected → 401',
        'GET /monitors protected → 401',
        'GET /orders protected → 401',
        'GET /profile protected → 401',
        'GET /search unprotected → 200',
        'GET /time unprotected → 200',
        'POST /feedback unprotected → 201',
        'POST /login public → 500',
      ]);
      expect(routes.find((r) => r.path === '/monitors')!.auth.guards[0]!.evidence).toMatch(/passes AppError with a 401\/403 status to next\(\)/);
      expect(routes.find((r) => r.path === '/orders')!.auth.guards[0]!.evidence).toBe('responds 401, otherwise calls next() (through asyncHandler())');
    });
  });
});

// FlowiseAI/Flowise: one app-wide middleware authenticates every /api request except the paths on a
// whitelist (`WHITELIST_URLS.some((url) => req.path.startsWith(url))`), so every route read protected,
// the whitelisted sign-in, health and embed endpoints included.
describe('express: a gate with a skip list of public paths', () => {
  it('named paths are public, the rest protected, and a crafted URL that takes a skip is a hole: as real Express answers', async () => {
    const { routes, findings } = await scan({ paths: [fixture('express', 'skip-list-gate')], cwd: repoRoot });
    expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status}`).sort()).toEqual([
      'GET /about public',
      'GET /api/account protected',
      'GET /api/auth/login-history unprotected',
      'GET /api/catalog/:sku public',
      'GET /api/health public',
      'GET /api/orders protected',
      'GET /api/orders/:id unprotected',
      'GET /api/sso/callback public',
      'POST /api/auth/login public',
    ]);
    const byPath = (p: string) => routes.find((r) => r.path === p)!;
    expect(byPath('/api/catalog/:sku').auth.reason).toBe('public by design: gate skips its check for this path (`isPublic`)');
    expect(byPath('/about').auth.reason).toBe('public by design: gate skips its check for this path (`!(API.test(req.path))`)');
    expect(byPath('/api/orders/:id').auth.reason).toBe(
      'gate skips its check when `isPublic`, and `GET /api/orders/export` takes it: the route is reachable without authentication',
    );
    expect(findings.filter((f) => f.ruleId === 'missing-auth').map((f) => `${f.severity} ${f.route!.path} ${f.evidence?.[0]?.kind}`).sort()).toEqual([
      'error /api/auth/login-history skip-bypass',
      'error /api/orders/:id skip-bypass',
    ]);

    // The oracle: anonymous requests to real Express. A bypassed route is asked through the URL that takes the skip.
    const { app } = (await import(fixture('express', 'skip-list-gate', 'src/app.ts'))) as { app: import('express').Express };
    await withServer(app, async (base) => {
      for (const r of routes) {
        const crafted = /`[A-Z]+ (\S+)` takes it/.exec(r.auth.reason ?? '')?.[1];
        const url = crafted ?? r.path.replace(/:\w+/g, '1');
        const res = await fetch(`${base}${url}`, { method: r.method, redirect: 'manual' });
        const reached = res.status !== 401;
        expect(`${r.method} ${url} ${reached ? 'reached' : 'refused'}`).toBe(`${r.method} ${url} ${r.auth.status === 'protected' ? 'refused' : 'reached'}`);
      }
    });
  });
});

// sahat/hackathon-starter: `for (const [fileUrl, filePath] of libFiles) app.get(fileUrl, ...)` over a literal Map
// gave one route of path `<dynamic>` (unknown) instead of one route per file.
describe('express: routes registered in loops', () => {
  // A route table (`routes.forEach((r) => router[r.method](r.path, ...r.handlers))`, or destructured in a for-of)
  // registered nothing: the method was the element's; an array of routers mounted at once was not mounted.
  it('one route per entry of a literal Map, array or route table (method and handlers from the entry, paths built around the entry: `/docs/${page}`); arrays of routers mount, and maps of mount paths through Object.entries; a loop over run-time values stays unknown; as real Express serves them', async () => {
    const routes = await routesOf('loop-routes');
    expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status}`).sort()).toEqual([
      'DELETE /tables/archived/:id unprotected',
      'DELETE /tables/notes/:id protected',
      'GET /<dynamic> unknown',
      'GET /docs/faq unprotected',
      'GET /docs/intro unprotected',
      'GET /js/lib/chart.js unprotected',
      'GET /js/lib/popper.js unprotected',
      'GET /reports/daily protected',
      'GET /reports/weekly protected',
      'GET /sections/guests unprotected',
      'GET /sections/members protected',
      'GET /tables/archived protected',
      'GET /tables/notes unprotected',
      'HEAD /js/lib/chart.js unprotected',
      'HEAD /js/lib/popper.js unprotected',
    ]);
    const { app } = (await import(fixture('express', 'loop-routes', 'src/app.ts'))) as { app: import('express').Express };
    await withServer(app, async (base) => {
      for (const r of routes.filter((x) => !x.path.includes('<dynamic>'))) {
        const status = (await fetch(`${base}${r.path}`, { method: r.method })).status;
        expect(`${r.method} ${r.path} ${status}`).toBe(`${r.method} ${r.path} ${r.auth.status === 'protected' ? 401 : 200}`);
      }
    });
  });
});

// louislam/uptime-kuma: `const app = UptimeKumaServer.getInstance().app`, the field declared `app = undefined` and
// set in the constructor: no app was found, every router "not mounted"; then a vendored `apicache.middleware`
// the scan cannot read left the status-page routes unknown.
describe('express: an app kept in a singleton server class', () => {
  it('finds the app through getInstance(); an unreadable cache is no guard; a session check built by a constructor function is followed', async () => {
    const routes = await routesOf('singleton-server');
    expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status} ${r.auth.reason ?? ''}`).sort()).toEqual([
      'GET /health unprotected no middleware that authenticates runs before the handler',
      'GET /status/:slug unprotected no middleware that authenticates runs before the handler',
      'GET /status/:slug/edit protected ',
    ]);
    const { app } = (await import(fixture('express', 'singleton-server', 'src/app.ts'))) as { app: import('express').Express };
    await withServer(app, async (base) => {
      const status = async (p: string) => (await fetch(`${base}${p}`)).status;
      expect([await status('/health'), await status('/status/main'), await status('/status/main/edit')]).toEqual([200, 200, 401]);
    });
  });
});

// NodeBB (`setupApiRoute(router, 'put', '/:uid', [...middlewares, ensureLoggedIn], controller)` calling
// `router[verb](name, middlewares, tryRoute(controller))`) and apps with `getAsync(router, path, ...handlers)`:
// routes registered through the project's own helpers were not found, or found with a path `<dynamic>`.
// Mailtrain: every route file calls a router factory whose routers carry attached methods
// (`router.getAsync = (path, ...handlers) => router.get(path, ...wrap(handlers))`), and the app mounts them through
// `useWith404Fallback(url, route)`, which calls `install404Fallback(url)`. The factory's calls shared one router (so
// every file's routes showed under every mount), the attached methods registered `<dynamic>` paths, and the helper's
// `app.use(url, ...)` read `url` as a middleware the scan could not follow: 202 routes, 2 found.
describe('express: routes registered through route helpers', () => {
  it('binds each helper call: method, path and handlers come from the call, the route is found at the call', async () => {
    const routes = await routesOf('route-helpers');
    expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status} ${r.auth.guards.map((g) => g.name).join()} ${r.loc.file}:${r.loc.line}`).sort()).toEqual([
      'DELETE /api/notes/:id protected loggedIn src/routes/notes.ts:17',
      'GET /admin/stats protected requireUser src/routes/admin.ts:5',
      'GET /api/ping unprotected  src/routes/notes.ts:20',
      'GET /notes protected loggedIn src/routes/notes.ts:7',
      'GET /notes/shared/:id unprotected  src/routes/notes.ts:13',
      'GET /pages/about unprotected  src/routes/pages.ts:5',
      'GET /reports/:id/preview unprotected  src/routes/reports.ts:12',
      'GET /reports/list protected requireUser src/routes/reports.ts:6',
      'POST /notes protected loggedIn src/routes/notes.ts:10',
      'POST /reports/:id/stop protected requireUser src/routes/reports.ts:9',
    ]);
    expect(routes.find((r) => r.path === '/reports/list')!.auth.guards[0].evidence).toMatch(/NotLoggedInError/);
    // --fix does not rewrite a helper's call: it says so instead.
    const { findings } = await scan({ paths: [fixture('express', 'route-helpers')], cwd: repoRoot, missingAuth: 'strict' });
    const open = findings.find((f) => f.ruleId === 'missing-auth' && f.route?.path === '/notes/shared/:id')!;
    expect(open.fix).toBeUndefined();
  });
});

// karakeep-app/karakeep: `new Hono().use(authMiddleware).get(...)...` chained over 18 routes was cut off at a fixed
// depth, so none of the sub-app's routes were found; Express's `Router().get(...)...` chains had the same limit.
describe('method chains of any length', () => {
  it('finds every route of a twenty-route chain, Express and Hono, behind the guard the chain starts with; an app made by a chain of its settings is the app', async () => {
    for (const [framework, prefix] of [['express', '/items/'], ['hono', '/bookmarks/']] as const) {
      const { routes } = await listRoutes({ paths: [fixture(framework, 'long-chain')], cwd: repoRoot, missingAuth: 'strict' });
      const chained = routes.filter((r) => r.path.startsWith(prefix) && /\/\d+$/.test(r.path));
      expect(chained.length, framework).toBe(20);
      expect(chained.every((r) => r.auth.status === 'protected'), framework).toBe(true);
      // `express().disable('x-powered-by').set('trust proxy', 1)` made an app with no routes at all.
      if (framework === 'express') expect(routes.find((r) => r.path === '/items/public')?.auth.status).toBe('unprotected');
    }
  });
});

// hackmdio/codimd checks the session in each handler: `if (req.isAuthenticated()) { ... } else { return
// response.errorForbidden(req, res) }`, or `if (!req.isAuthenticated()) return res.status(401)...`; both read as
// unprotected, 15 false errors (found after the holdout2 measurement).
describe('express: handlers that check the session themselves', () => {
  it('a refusal in then or in else, also through a project helper, is an inline check; a branch that answers otherwise is not', async () => {
    const routes = await routesOf('inline-session-checks');
    expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status} ${r.auth.guards.map((g) => `${g.kind} ${g.evidence}`).join()}`).sort()).toEqual([
      'GET /feed unprotected ',
      'GET /history protected inline if (r.isAuthenticated()) ... else response.errorForbidden(req, res)',
      "GET /me protected inline if (!r.isAuthenticated()) return res.status(401).json({ status: 'forbidden'…",
      'GET /start unprotected ',
      'POST /me/export protected inline if (!r.isAuthenticated()) response.errorForbidden(req, res)',
    ]);
  });
});

// snoopysecurity/dvws-node verifies the token in the handler: `try { jwt.verify(bearer) ... } catch { res.status(500) }`,
// and reads an auth cookie by hand before `if (!token) return 401`; both read as unprotected (holdout4).
describe('express: handlers that verify the caller token themselves', () => {
  it('a verification inside try whose catch refuses, and a hand-read cookie refused when absent, are inline checks; a body token, a catch that carries on or a helper that never throws is not', async () => {
    const { routes } = await listRoutes({ paths: [fixture('express', 'handler-token-checks')], cwd: repoRoot });
    expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status} ${r.auth.guards.map((g) => g.evidence).join()}`).sort()).toEqual([
      'GET /feed public ',
      "GET /profile protected jwtVerify(token, secret) throws without a valid token, and the catch answers `res.status(401).json({ error: 'invalid …`",
      'GET /settings public ',
      "POST /admin/users protected if (!token) return res.status(401).json({ error: 'Unauthorize…",
      'POST /password/reset public ',
    ]);
    expect(routes.find((r) => r.path === '/feed')!.auth.reason).toMatch(/^public by design: verifies the caller's credentials itself without refusing/);
  });
});

// OWASP/NodeGoat builds its guards with a pre-class constructor function (`function SessionHandler(db) {
// this.isLoggedInMiddleware = ... }`, used as `new SessionHandler(db).isLoggedInMiddleware`), and its welcome page
// redirects to /login itself; all read as unprotected (holdout4).
describe('express: members of objects built by constructor functions', () => {
  it('follows this.x = ... and F.prototype.x = ... to the guard; a member that always continues is none', async () => {
    const routes = await routesOf('constructor-function-guards');
    expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status} ${r.auth.guards.map((g) => `${g.name}: ${g.evidence}`).join()}`).sort()).toEqual([
      "GET / protected inline check: if (!req.session.userId) return res.redirect('/login');",
      "GET /dashboard protected isLoggedIn: redirects to '/login', otherwise calls next()",
      'GET /login unprotected ',
      'GET /reports protected reports.requireUser: responds 401, otherwise calls next()',
      'GET /reports/summary unprotected ',
      'GET /stats unprotected ',
    ]);
  });
});
