import { describe, expect, it } from 'vitest';
import { listRoutes } from '../../src/api.js';
import { fixture, repoRoot, routeLines } from '../helpers/fixtures.js';

async function routesOf(name: string) {
  return (await listRoutes({ paths: [fixture('nest', name)], cwd: repoRoot, missingAuth: 'strict' })).routes;
}

describe('nest: routes, guards and opt-outs', () => {
  it('APP_GUARD from an imported module guards every route; @Public() opts out only where the guard reads its key', async () => {
    expect(await routeLines(fixture('nest', 'global-guard-public-opt-out'))).toEqual([
      'DELETE /api/v1/users/:id protected',
      'GET /api/health/ready public',
      'GET /api/v1/users protected',
      'GET /api/v1/users/:id protected',
      'GET /api/v1/users/signup-info public',
      'GET /api/v2/users/me protected',
      'GET /health public',
      'GET /metrics protected',
      'POST /api/metrics protected',
      'POST /api/v1/users protected',
    ]);
    const routes = await routesOf('global-guard-public-opt-out');
    const list = routes.find((r) => r.method === 'GET' && r.path === '/api/v1/users')!;
    expect(list.auth.guards).toEqual([
      {
        name: 'SessionGuard',
        kind: 'guard',
        scope: 'global',
        loc: expect.objectContaining({ file: 'src/auth/auth.module.ts', line: 6 }),
        evidence: 'canActivate new UnauthorizedException',
      },
    ]);
    expect(list.loc).toMatchObject({ file: 'src/users/users.controller.ts', line: 7 });
    expect(list.handler).toMatchObject({ name: 'UsersController.list', loc: { file: 'src/users/users.controller.ts', line: 7 } });
    const signup = routes.find((r) => r.path === '/api/v1/users/signup-info')!;
    expect(signup.auth).toEqual({ status: 'public', guards: [], reason: 'opted out of SessionGuard (@Public())' });
    // @SkipAuth() sets a key that no guard reads: the route stays guarded.
    expect(routes.find((r) => r.method === 'DELETE')!.auth.status).toBe('protected');
    // LegacyController is decorated but no module registers it.
    expect(routes.some((r) => r.path.includes('legacy'))).toBe(false);
  });

  it('@UseGuards on classes and methods, base-class guards, passport AuthGuard, always-true and roles-only guards', async () => {
    expect(await routeLines(fixture('nest', 'use-guards-and-inheritance'))).toEqual([
      'ALL /reports/export unprotected',
      'GET /accounts protected',
      'GET /accounts/:id protected',
      'GET /admin/ping unprotected',
      'GET /admin/stats protected',
      'GET /reports/daily unprotected',
      'GET /reports/monthly protected',
      'GET /reports/weekly protected',
      'GET /staff/ping unprotected',
      'GET /staff/stats protected',
      'HEAD /reports/check unprotected',
    ]);
    const routes = await routesOf('use-guards-and-inheritance');
    const account = routes.find((r) => r.path === '/accounts/:id')!;
    expect(account.auth.guards).toMatchObject([
      { name: 'JwtAuthGuard', scope: 'controller', evidence: "@nestjs/passport AuthGuard('jwt') refuses without valid credentials", loc: { file: 'src/controllers/authenticated.controller.ts', line: 5 } },
    ]);
    const weekly = routes.find((r) => r.path === '/reports/weekly')!;
    expect(weekly.auth.guards.map((g) => `${g.name} ${g.scope}`)).toEqual(['new ApiKeyGuard() route']);
    expect(routes.find((r) => r.path === '/reports/daily')!.auth).toEqual({
      status: 'unprotected',
      guards: [],
      reason: 'no guard that can refuse the request runs before the handler',
    });
  });

  it('Fastify, RouterModule, forRoot(), useGlobalGuards with a Reflector.createDecorator opt-out', async () => {
    expect(await routeLines(fixture('nest', 'router-module-fastify'))).toEqual([
      'GET /api/v1/admin/reports protected',
      'GET /api/v1/admin/reports/summary public',
      'GET /api/v1/admin/users protected',
      'GET /api/v1/cats/:id protected',
      'GET /api/v1/cats/adoptions protected',
      'GET /api/v1/cats/breeds public',
      'GET /api/v2/admin/reports/summary public',
      'GET /status public',
      'GET /status/deep public',
      'POST /api/v1/cats protected',
    ]);
    const cats = (await routesOf('router-module-fastify')).find((r) => r.path === '/api/v1/cats/:id')!;
    expect(cats.auth.guards).toMatchObject([
      { name: 'new TokenGuard(app.get(Reflector))', scope: 'global', evidence: 'canActivate new HttpException with HttpStatus.UNAUTHORIZED', loc: { file: 'src/main.ts', line: 10 } },
    ]);
  });

  it('a decorator from a package the scan cannot read may opt out: unknown, not protected (APP_GUARD useFactory)', async () => {
    const routes = await routesOf('opt-out-from-unreadable-package');
    expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status} ${r.auth.reason ?? r.auth.guards.map((g) => g.name).join()}`).sort()).toEqual([
      'GET /articles unknown cannot tell whether @ApiPublic(…) opts out of new AuthGuard(reflector): it comes from a package the scan cannot read',
      'GET /articles/tags public opted out of new AuthGuard(reflector) (@SetMetadata(…))',
      'POST /articles protected new AuthGuard(reflector)',
    ]);
  });
});
