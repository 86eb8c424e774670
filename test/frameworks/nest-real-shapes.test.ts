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

/**
 * The routes of a one-file Nest app written in a temp project: `main` holds its controllers and an `AppModule`, and
 * the bootstrap that serves it is appended.
 */
async function routesOfNestSource(name: string, dependencies: Record<string, string>, main: string, missingAuth?: 'strict') {
  const { makeTempProject } = await import('../helpers/temp-project.js');
  const dir = makeTempProject(name, {
    'package.json': JSON.stringify({ name: 'api', private: true, dependencies: { '@nestjs/common': '^11.0.0', '@nestjs/core': '^11.0.0', ...dependencies } }),
    'tsconfig.json': JSON.stringify({ compilerOptions: { experimentalDecorators: true } }),
    'src/main.ts': `${main}\nasync function bootstrap() {\n  const app = await NestFactory.create(AppModule);\n  await app.listen(3000);\n}\nvoid bootstrap();\n`,
  });
  try {
    return (await listRoutes({ paths: [dir], cwd: dir, ...(missingAuth ? { missingAuth } : {}) })).routes;
  } finally {
    removeTempProject(dir);
  }
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
  }, 600_000);

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

  // The same project scanned from its API package: the decorator's package is a sibling outside the root.
  it('scanned from the app package alone, reads the opt-out from the sibling workspace package', async () => {
    const root = fixture('nest', 'workspace-opt-out', 'apps', 'api');
    const { routes } = await listRoutes({ paths: [root], cwd: root, missingAuth: 'strict' });
    expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status}`).sort()).toEqual(['GET /api/health public', 'GET /api/me protected']);
    expect(routes.find((r) => r.path === '/api/health')!.auth.reason).toMatch(/^opted out of SessionGuard \(@ApiPublic\(\)\)/);
  });
});

// gitroomhq/postiz-app scans apps/backend, whose AppModule imports `getTemporalModule(false)` and registers a
// `ThrottlerBehindProxyGuard` APP_GUARD, both from a library outside the scan root (a tsconfig path alias): every
// route was unknown. A library's module is not project code to walk (as a package's is not); an unreadable guard
// named for rate limiting is no authentication, while one named like authentication stays unknown.
describe('nest: modules and guards from a library outside the scan root', () => {
  it('does not walk the library module; an unreadable throttler guard is no guard, an unreadable session guard unknown', async () => {
    const { makeTempProject } = await import('../helpers/temp-project.js');
    const dir = makeTempProject('nest-outside-root', {
      'libs/shared/temporal.module.ts': "export const getTemporalModule = (worker: boolean) => ({ module: class TemporalModule {}, global: worker });\n",
      'libs/shared/throttler.guard.ts': 'export class ThrottlerBehindProxyGuard {}\n',
      'libs/shared/session.guard.ts': 'export class SessionGuard {}\n',
      'apps/api/package.json': JSON.stringify({ name: 'api', private: true, dependencies: { '@nestjs/common': '^11.0.0', '@nestjs/core': '^11.0.0' } }),
      'apps/api/tsconfig.json': JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@shared/*': ['../../libs/shared/*'] }, experimentalDecorators: true } }),
      'apps/api/src/main.ts': "import { NestFactory } from '@nestjs/core';\nimport { AppModule } from './app.module';\nasync function bootstrap() {\n  const app = await NestFactory.create(AppModule);\n  await app.listen(3000);\n}\nvoid bootstrap();\n",
      'apps/api/src/app.module.ts': `import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { getTemporalModule } from '@shared/temporal.module';
import { ThrottlerBehindProxyGuard } from '@shared/throttler.guard';
import { NotesController } from './notes.controller';

@Module({
  imports: [getTemporalModule(false)],
  controllers: [NotesController],
  providers: [{ provide: APP_GUARD, useClass: ThrottlerBehindProxyGuard }],
})
export class AppModule {}
`,
      'apps/api/src/notes.controller.ts': `import { Controller, Get, UseGuards } from '@nestjs/common';
import { SessionGuard } from '@shared/session.guard';

@Controller('notes')
export class NotesController {
  @Get('public')
  list() {
    return [];
  }

  @UseGuards(SessionGuard)
  @Get('mine')
  mine() {
    return [];
  }
}
`,
    });
    try {
      const root = `${dir}/apps/api`;
      const { routes } = await listRoutes({ paths: [root], cwd: root, missingAuth: 'strict' });
      expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status}`).sort()).toEqual(['GET /notes/mine unknown', 'GET /notes/public unprotected']);
      expect(routes.find((r) => r.path === '/notes/mine')!.auth.reason).toMatch(/^guard SessionGuard: /);
    } finally {
      removeTempProject(dir);
    }
  });
});

// laudspeaker: `if (process.env.SERVE_CLIENT_FROM_NEST) app.setGlobalPrefix('api')`. The prefix was taken as always
// set, so none of 181 paths matched. A setup call gated on environment variables only is read for a deployment
// that sets none, and the reason says so; a gate that reads anything else keeps the prefix.
describe('nest: a global prefix set under an environment test', () => {
  const main = (gate: string) => `import { NestFactory } from '@nestjs/core';
import { Controller, Get, Module } from '@nestjs/common';

@Controller('notes')
class NotesController {
  @Get()
  list() {
    return [];
  }
}

@Module({ controllers: [NotesController] })
class AppModule {}

const settings = { prefixed: true };

async function bootstrap() {
  const app = await NestFactory.create(AppModule);
  ${gate}
  await app.listen(3000);
}
void bootstrap();
`;
  const pathsFor = async (gate: string) => {
    const { makeTempProject } = await import('../helpers/temp-project.js');
    const dir = makeTempProject('nest-env-prefix', {
      'package.json': JSON.stringify({ name: 'api', private: true, dependencies: { '@nestjs/common': '^11.0.0', '@nestjs/core': '^11.0.0' } }),
      'tsconfig.json': JSON.stringify({ compilerOptions: { experimentalDecorators: true } }),
      'src/main.ts': main(gate),
    });
    try {
      const { routes } = await listRoutes({ paths: [dir], cwd: dir, missingAuth: 'strict' });
      return routes.map((r) => `${r.method} ${r.path} | ${r.auth.reason}`);
    } finally {
      removeTempProject(dir);
    }
  };

  it('an unset variable is the default deployment: the prefix under `if (process.env.X)` is not applied', async () => {
    expect(await pathsFor("if (process.env.SERVE_CLIENT) app.setGlobalPrefix('api');")).toEqual([
      "GET /notes | no guard that can refuse the request runs before the handler; served without the global prefix 'api', which is set only when `process.env.SERVE_CLIENT`: the environment variable is assumed unset",
    ]);
    expect(await pathsFor("if (process.env.MODE === 'proxy') { app.setGlobalPrefix('api'); }")).toEqual([
      expect.stringMatching(/^GET \/notes \| .*set only when `process\.env\.MODE === 'proxy'`/),
    ]);
  });

  // ghostfolio: global prefix exclusions built at run time (`SUPPORTED_LANGUAGE_CODES.map(...)`) made every route
  // unknown, though guards do not depend on the path; only middleware bound to some paths and not others does.
  it('a prefix the scan cannot read leaves the status to the guards, unless middleware is bound by path', async () => {
    expect(await pathsFor('app.setGlobalPrefix(String(settings.prefixed));')).toEqual([
      'GET /<dynamic>/notes | no guard that can refuse the request runs before the handler; the path is not certain: the global prefix String(settings.prefixed) is computed at run time',
    ]);
    const { makeTempProject } = await import('../helpers/temp-project.js');
    const dir = makeTempProject('nest-prefix-middleware', {
      'package.json': JSON.stringify({ name: 'api', private: true, dependencies: { '@nestjs/common': '^11.0.0', '@nestjs/core': '^11.0.0' } }),
      'tsconfig.json': JSON.stringify({ compilerOptions: { experimentalDecorators: true } }),
      'src/main.ts': main('app.setGlobalPrefix(String(settings.prefixed));')
        .replace("import { Controller, Get, Module } from '@nestjs/common';", "import { Controller, Get, Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';\nimport { sessionCheck } from './session';")
        .replace('class AppModule {}', "class AppModule implements NestModule {\n  configure(consumer: MiddlewareConsumer) {\n    consumer.apply(sessionCheck).forRoutes('api/notes');\n  }\n}"),
      'src/session.ts': "export function sessionCheck(req: { headers: Record<string, string> }, res: { statusCode: number; end(): void }, next: () => void) {\n  if (!req.headers.cookie) {\n    res.statusCode = 401;\n    return res.end();\n  }\n  next();\n}\n",
    });
    try {
      const { routes } = await listRoutes({ paths: [dir], cwd: dir, missingAuth: 'strict' });
      expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status}`)).toEqual(['GET /<dynamic>/notes unknown']);
    } finally {
      removeTempProject(dir);
    }
  });

  it('a gate that holds when nothing is set, or that reads anything else, keeps the prefix', async () => {
    expect(await pathsFor("if (!process.env.NO_PREFIX) app.setGlobalPrefix('api');")).toEqual([
      'GET /api/notes | no guard that can refuse the request runs before the handler; the global prefix is set only when `!process.env.NO_PREFIX`: the environment variable is assumed unset',
    ]);
    expect(await pathsFor("if (settings.prefixed) app.setGlobalPrefix('api');")).toEqual([
      'GET /api/notes | no guard that can refuse the request runs before the handler',
    ]);
  });
});

// amplication-generated apps guard controllers with `@UseGuards(DefaultAuthGuard, nestAccessControl.ACGuard)` and
// mark handlers `@nestAccessControl.UseRoles(...)`: every route read as unknown, "cannot tell whether @UseRoles opts
// out" and "ACGuard comes from a package the scan cannot read".
describe('nest: nest-access-control roles beside the project guard', () => {
  it('UseRoles is no opt-out and ACGuard no authentication: the project guard decides, @Public() still opts out', async () => {
    const routes = await routesOfNestSource('nest-access-control', { 'nest-access-control': '^3.1.0' }, `import { CanActivate, Controller, ExecutionContext, Get, Injectable, Module, SetMetadata, UnauthorizedException, UseGuards } from '@nestjs/common';
import { NestFactory, Reflector } from '@nestjs/core';
import * as nestAccessControl from 'nest-access-control';

export const IS_PUBLIC_KEY = 'isPublic';
export const Public = () => SetMetadata(IS_PUBLIC_KEY, true);

@Injectable()
export class DefaultAuthGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}
  canActivate(context: ExecutionContext): boolean {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest();
    if (!request.headers.authorization) throw new UnauthorizedException();
    return true;
  }
}

@Controller('users')
@UseGuards(DefaultAuthGuard, nestAccessControl.ACGuard)
export class UserController {
  @nestAccessControl.UseRoles({ resource: 'User', action: 'read', possession: 'any' })
  @Get()
  list() {
    return [];
  }

  @Public()
  @Get('count')
  count() {
    return 0;
  }
}

@Controller('audit')
@UseGuards(nestAccessControl.ACGuard)
export class AuditController {
  @Get()
  entries() {
    return [];
  }
}

@Module({ controllers: [UserController, AuditController] })
class AppModule {}
`, 'strict');
    expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status} ${r.auth.guards.map((g) => g.name).join(',')}`).sort()).toEqual([
      'GET /audit unprotected ',
      'GET /users protected DefaultAuthGuard',
      'GET /users/count public ',
    ]);
  });
});

// AmruthPillai/Reactive-Resume: `@Get('environment') environment() { return configSchema.parse(process.env) }` beside
// the health check read as a probe, public by design; it answers every secret the server holds.
describe('nest: a handler that returns the environment', () => {
  it('needs authentication; the health check beside it stays a probe', async () => {
    const routes = await routesOfNestSource('nest-environment', { zod: '^3.0.0' }, `import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { z } from 'zod';

const configSchema = z.object({ DATABASE_URL: z.string(), JWT_SECRET: z.string() });

@Controller('health')
export class HealthController {
  @Get()
  check() {
    return { status: 'ok' };
  }

  @Get('environment')
  environment() {
    return configSchema.parse(process.env);
  }
}

@Module({ controllers: [HealthController] })
class AppModule {}
`);
    expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status} ${(r.auth.evidence ?? []).map((e) => e.kind).join(',')}`)).toEqual([
      'GET /health public probe',
      'GET /health/environment unprotected exposes-environment',
    ]);
  });
});

// surmon-china/nodepress (holdout6): a global guard that allows everything unless a route carries `@OnlyIdentity(...)`,
// written `if (onlyRoles === undefined) return true`: every route was read as protected, 30 of them open by design.
describe('nest: a global guard that acts only on routes carrying its metadata, tested against undefined', () => {
  it('protects the routes with the metadata; the others are open, whichever way the absence is tested', async () => {
    const routes = await routesOfNestSource('nest-only-when-set', {}, `import { CanActivate, Controller, ExecutionContext, Get, Injectable, Module, SetMetadata, UnauthorizedException } from '@nestjs/common';
import { APP_GUARD, NestFactory, Reflector } from '@nestjs/core';

export const ONLY_KEY = 'onlyIdentity';
export const OnlyIdentity = (...roles: string[]) => SetMetadata(ONLY_KEY, roles);
export const STAFF_KEY = 'staffOnly';
export const StaffOnly = () => SetMetadata(STAFF_KEY, true);

@Injectable()
export class IdentityGuard implements CanActivate {
  constructor(private reflector: Reflector) {}
  canActivate(context: ExecutionContext): boolean {
    const { identity } = context.switchToHttp().getRequest();
    const onlyRoles = this.reflector.getAllAndOverride<string[]>(ONLY_KEY, [context.getHandler(), context.getClass()]);
    if (onlyRoles === undefined) return true;
    if (onlyRoles.includes(identity.role)) return true;
    throw new UnauthorizedException();
  }
}

@Injectable()
export class StaffGuard implements CanActivate {
  constructor(private reflector: Reflector) {}
  canActivate(context: ExecutionContext): boolean {
    const staff = this.reflector.get<boolean>(STAFF_KEY, context.getHandler());
    if (typeof staff === 'undefined') return true;
    if (!context.switchToHttp().getRequest().headers.authorization) throw new UnauthorizedException();
    return true;
  }
}

@Controller('articles')
export class ArticleController {
  @Get()
  list() {
    return [];
  }

  @OnlyIdentity('admin')
  @Get('drafts')
  drafts() {
    return [];
  }

  @StaffOnly()
  @Get('stats')
  stats() {
    return {};
  }
}

@Module({ controllers: [ArticleController], providers: [{ provide: APP_GUARD, useClass: IdentityGuard }, { provide: APP_GUARD, useClass: StaffGuard }] })
class AppModule {}
`, 'strict');
    expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status} ${r.auth.guards.map((g) => g.name).join(',')}`).sort()).toEqual([
      'GET /articles unprotected ',
      'GET /articles/drafts protected IdentityGuard',
      'GET /articles/stats protected StaffGuard',
    ]);
  });
});
