// Shapes found in real NestJS projects (see each test's comment); every fixture is a minimal rewrite, not their code.
import { afterAll, describe, expect, it } from 'vitest';
import { listRoutes } from '../../src/api.js';
import { fixture, repoRoot } from '../helpers/fixtures.js';
import { bootNestFixture, type BootedNest } from '../helpers/nest-boot.js';
import { removeTempProject } from '../helpers/temp-project.js';

const booted: BootedNest[] = [];
afterAll(async () => {
  for (const b of booted) {
    await b.app.stop();
    removeTempProject(b.dir);
  }
});

async function routesOf(name: string) {
  return (await listRoutes({ paths: [fixture('nest', name)], cwd: repoRoot, missingAuth: 'strict' })).routes;
}

describe('nest: shapes from real projects', () => {
  // lujakob/nestjs-realworld-example-app authenticates in a middleware bound with consumer.apply(AuthMiddleware)
  // .forRoutes({ path, method }, ...): all 21 routes were reported unprotected, 12 of them wrongly.
  it('middleware bound in configure(consumer): controllers, paths with and without a method, exclude, functional, conditional', async () => {
    const dir = fixture('nest', 'middleware-consumer');
    const routes = await routesOf('middleware-consumer');
    expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status} ${r.auth.reason ?? r.auth.guards.map((g) => `${g.name} ${g.kind} ${g.scope}`).join()}`).sort()).toEqual([
      'GET /api/account protected SessionMiddleware middleware route',
      "GET /api/account/keys/:id protected SessionMiddleware middleware route",
      "GET /api/admin/stats unknown SessionMiddleware is applied only when process.env.ADMIN_LOCKED === '1'",
      'GET /api/notes protected SessionMiddleware middleware controller',
      'GET /api/notes/public unprotected no guard that can refuse the request runs before the handler',
      'POST /api/notes protected SessionMiddleware middleware controller',
      'POST /api/webhooks protected verifySignature middleware controller',
      'PUT /api/account unprotected no guard that can refuse the request runs before the handler',
    ]);
    expect(routes.find((r) => r.path === '/api/notes' && r.method === 'GET')!.auth.guards[0]).toMatchObject({
      evidence: 'new UnauthorizedException, otherwise calls next()',
      loc: { file: 'src/notes/notes.module.ts', line: 11 },
    });

    // The statuses are what Nest does: refused without a session where protected, served where not.
    const b = await bootNestFixture(dir);
    booted.push(b);
    // The hook also records the middleware mounts (USE, and the controller routes' paths with a trailing slash).
    const handlers = b.mapped.filter((m) => !m.startsWith('USE ') && !/.\/$/.test(m));
    expect(routes.map((r) => `${r.method} ${r.path}`).sort()).toEqual(handlers);
    const status = async (method: string, path: string, headers: Record<string, string> = {}) =>
      (await fetch(`${b.app.url}${path}`, { method, headers })).status;
    expect(await status('GET', '/api/notes')).toBe(401);
    expect(await status('POST', '/api/notes')).toBe(401);
    expect(await status('GET', '/api/notes', { 'x-session': 'valid' })).toBe(200);
    expect(await status('GET', '/api/notes/public')).toBe(200);
    expect(await status('GET', '/api/account')).toBe(401);
    expect(await status('PUT', '/api/account')).toBe(200);
    expect(await status('GET', '/api/account/keys/7')).toBe(401);
    expect(await status('GET', '/api/admin/stats')).toBe(200);
    expect(await status('POST', '/api/webhooks')).toBe(401);
    expect(await status('POST', '/api/webhooks', { 'x-signature': 'signed' })).toBe(200);
  }, 90_000);

  // brocoders/nestjs-boilerplate: `const uploader = driver === LOCAL ? FilesLocalModule : FilesS3Module` in imports
  // hid every files route, and a prefix read from config made even the prefix-excluded `GET /` unknown.
  it('both branches of a conditional module import are served under their condition; a global guard from one is unknown', async () => {
    const routes = await routesOf('conditional-module-imports');
    expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status} ${r.auth.reason}`).sort()).toEqual([
      "GET / unknown SessionGuard is registered by a module imported only when not process.env.AUTH_DISABLED === '1'",
      "GET /api/files/:path unknown SessionGuard is registered by a module imported only when not process.env.AUTH_DISABLED === '1'; the global prefix is assumed to be \"api\", the default of `process.env.API_PREFIX ?? 'api'`; served only when not process.env.STORAGE === 's3'",
      "GET /api/files/signed/:key unknown SessionGuard is registered by a module imported only when not process.env.AUTH_DISABLED === '1'; the global prefix is assumed to be \"api\", the default of `process.env.API_PREFIX ?? 'api'`; served only when process.env.STORAGE === 's3'",
    ]);
  });

  // andrechristikan/ack-nestjs-boilerplate: guards come through the project's decorators
  // (`AuthJwtAccessProtected() = applyDecorators(UseGuards(AuthJwtAccessGuard))`) and refuse inside services; all
  // 93 routes were without guards. Its URI version prefix is read from config: it was assumed to be 'v'.
  it('follows guards through applyDecorators in project decorators and refusals into injected services; a run-time version prefix; a host-bound controller says so', async () => {
    const routes = await routesOf('decorator-composed-guards');
    expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status} ${r.auth.reason ?? r.auth.guards.map((g) => `${g.name} ${g.scope}`).join()}`).sort()).toEqual([
      'DELETE /<dynamic>1/reports/:id protected JwtGuard route,AdminGuard route',
      'GET /<dynamic>1/reports protected JwtGuard route',
      'GET /reports/open unprotected no guard that can refuse the request runs before the handler',
      "GET /tenants unprotected no guard that can refuse the request runs before the handler; served only when the request's host is admin.example.com",
    ]);
    const list = routes.find((r) => r.path === '/<dynamic>1/reports')!;
    expect(list.auth.guards[0]).toMatchObject({
      evidence: 'canActivate calls this.tokens.verify(), which new UnauthorizedException',
      loc: { file: 'src/auth/protected.decorators.ts', line: 6 },
    });
  });

  // vndevteam/nestjs-turbo: `@ApiPublic()` comes from the workspace package `@repo/api` (exports ./dist/*, no dist
  // in a fresh clone) and the global prefix is read from config: the opted-out routes were unknown.
  it('an opt-out from a workspace package is read from its source; a global prefix read from the environment is taken at its default', async () => {
    const routes = await routesOf('workspace-opt-out');
    expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status} ${r.auth.reason ?? r.auth.guards.map((g) => g.name).join()}`).sort()).toEqual([
      "GET /api/health public opted out of SessionGuard (@ApiPublic()); the global prefix is assumed to be \"api\", the default of `process.env.API_PREFIX ?? 'api'`",
      "GET /api/me protected the global prefix is assumed to be \"api\", the default of `process.env.API_PREFIX ?? 'api'`",
    ]);
  });
});
