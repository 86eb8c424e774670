// `scan --staged` when an edit changes how an unchanged route is reached: a guard removed from a
// mount in app.ts, a hook from a parent plugin, @UseGuards from a base controller, an APP_GUARD from a
// module, a jwt() use from the Hono entry file. The route files are untouched, yet their findings must
// be reported (their files lie on the route's chain, Route.chainFiles); an edit off every chain reports
// nothing new. Real git repositories in temp dirs, the real CLI. Each project has a node_modules and a
// first full scan cached, so every staged run is a slice scan (src/cache/slice.ts); each is checked
// against the same run with --no-cache, which analyses the whole project.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempProject, removeTempProject } from '../helpers/temp-project.js';
import { run } from '../cli/fake.js';
import { git, initRepo, read, write } from './project.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeTempProject));

const slices = new Set<string>();

function repo(prefix: string, deps: Record<string, string>, files: Record<string, string>, { cached = true } = {}): string {
  const dir = makeTempProject(prefix, {
    'package.json': `${JSON.stringify({ name: prefix, private: true, type: 'module', dependencies: deps }, null, 2)}\n`,
    'tsconfig.json': `${JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', strict: true, experimentalDecorators: true, emitDecoratorMetadata: true } }, null, 2)}\n`,
    ...files,
  });
  dirs.push(dir);
  initRepo(dir);
  if (cached) {
    fs.mkdirSync(path.join(dir, 'node_modules')); // the cache lives under node_modules/.cache
    fs.writeFileSync(path.join(dir, '.gitignore'), 'node_modules/\n');
  }
  return dir;
}

/** Replaces `from` (which must be there) in a file and stages it. */
function stageEdit(dir: string, file: string, from: string, to: string): void {
  const text = read(dir, file);
  expect(text).toContain(from);
  write(dir, file, text.replace(from, to));
  git(dir, 'add', file);
}

/** A staged run answered from the cache (a slice of the project) says exactly what a whole-project run says. */
async function scan(dir: string, ...args: string[]) {
  const r = await run(['scan', '--format', 'json', ...args, '--no-cache'], { cwd: dir });
  if (args.includes('--staged') && fs.existsSync(path.join(dir, 'node_modules'))) {
    const cached = await run(['scan', '--format', 'json', ...args], { cwd: dir, env: { AUTH_ENFORCER_DEBUG: '1' } });
    const status = /^auth-enforcer: cache (\w+)/.exec(cached.stderr)?.[1];
    if (status === 'slice') slices.add(dir);
    const same = (x: typeof r) => ({ ...x, stdout: x.stdout.replace(/"durationMs": \d+/, '') });
    expect(same({ ...cached, stderr: cached.stderr.replace(/^auth-enforcer: cache .*\n/, '') })).toEqual(same(r));
  } else if (!args.includes('--staged')) {
    await run(['scan', '--format', 'json', ...args], { cwd: dir }); // the base later slices start from
  }
  const json = JSON.parse(r.stdout) as { findings: { ruleId: string; route: { method: string; path: string } }[] };
  return { code: r.code, stderr: r.stderr, findings: json.findings.map((f) => `${f.ruleId} ${f.route.method} ${f.route.path}`) };
}

const missing = (...routes: string[]) => routes.map((r) => `missing-auth ${r}`);

describe('Express', () => {
  const AUTH_TS = `import type { NextFunction, Request, Response } from 'express';

export function requireAuth(req: Request, res: Response, next: NextFunction) {
  if (!req.headers.authorization) {
    res.status(401).json({ error: 'unauthorized' });
    return;
  }
  next();
}
`;
  const files = (appUse: string, apiUse: string): Record<string, string> => ({
    'src/auth.ts': AUTH_TS,
    'src/app.ts': `import express from 'express';
import cors from 'cors';
import { requireAuth } from './auth.js';
import { api } from './api.js';

const app = express();
app.use(cors());
// auth-enforcer-public: load balancer probe
app.get('/health', (_req, res) => res.send('ok'));
${appUse}
app.listen(3000);
`,
    'src/api.ts': `import { Router } from 'express';
import { requireAuth } from './auth.js';
import { users } from './users.js';

export const api = Router();
${apiUse}
api.use('/users', users);
`,
    'src/users.ts': `import { Router } from 'express';
import { shout } from './services/format.js';
import { validate } from './validate.js';
import { listQuery } from './schemas.js';

export const users = Router();
users.get('/', validate(listQuery), (_req, res) => res.json([shout('ada')]));
users.delete('/:id', (req, res) => res.status(204).send(req.params.id));
`,
    'src/services/format.ts': `export function shout(s: string): string {
  return s.toUpperCase();
}
`,
    'src/validate.ts': `import type { NextFunction, Request, Response } from 'express';

export function validate(schema: { parse(input: unknown): unknown }) {
  return (req: Request, _res: Response, next: NextFunction) => {
    schema.parse(req.query);
    next();
  };
}
`,
    'src/schemas.ts': `export const listQuery = {
  parse(input: unknown): unknown {
    return input;
  },
};
`,
    'README.md': '# api\n',
  });
  const USERS = missing('GET /api/users', 'DELETE /api/users/:id');

  it("a guard removed from app.use('/api', requireAuth, api) in app.ts reports the routes under /api", async () => {
    const dir = repo('chain-express-app', { express: '^5.0.0', cors: '^2.8.5' }, files("app.use('/api', requireAuth, api);", ''));
    expect((await scan(dir)).findings).toEqual([]);
    stageEdit(dir, 'src/app.ts', "app.use('/api', requireAuth, api);", "app.use('/api', api);");
    expect(await scan(dir, '--staged')).toEqual({
      code: 1,
      stderr: 'auth-enforcer: src/app.ts is on the way to 2 routes; their findings are reported\n',
      findings: USERS,
    });
  });

  it('a router-level use(requireAuth) deleted in the parent router reports the routes of the child router', async () => {
    const dir = repo('chain-express-router', { express: '^5.0.0', cors: '^2.8.5' }, files("app.use('/api', api);", 'api.use(requireAuth);'));
    expect((await scan(dir)).findings).toEqual([]);
    stageEdit(dir, 'src/api.ts', 'api.use(requireAuth);\n', '');
    expect(await scan(dir, '--staged')).toEqual({
      code: 1,
      stderr: 'auth-enforcer: src/api.ts is on the way to 2 routes; their findings are reported\n',
      findings: USERS,
    });
  });

  it('a cached scan carries the chain files: the same staged state again is a cache hit with the same findings', async () => {
    const dir = repo('chain-express-cache', { express: '^5.0.0', cors: '^2.8.5' }, files("app.use('/api', requireAuth, api);", ''));
    stageEdit(dir, 'src/app.ts', "app.use('/api', requireAuth, api);", "app.use('/api', api);");
    const debug = { AUTH_ENFORCER_DEBUG: '1' };
    const first = await run(['scan', '--format', 'json', '--staged'], { cwd: dir, env: debug });
    const again = await run(['scan', '--format', 'json', '--staged'], { cwd: dir, env: debug });
    expect(first.stderr).toBe('auth-enforcer: cache miss\nauth-enforcer: src/app.ts is on the way to 2 routes; their findings are reported\n');
    expect(again.stderr).toBe('auth-enforcer: cache hit\nauth-enforcer: src/app.ts is on the way to 2 routes; their findings are reported\n');
    expect(JSON.parse(again.stdout).findings).toEqual(JSON.parse(first.stdout).findings);
    expect(JSON.parse(again.stdout).findings).toHaveLength(2);
  });

  it("a guard's body edited so that it no longer refuses reports the routes it guarded", async () => {
    const dir = repo('chain-express-body', { express: '^5.0.0', cors: '^2.8.5' }, files("app.use('/api', requireAuth, api);", ''));
    stageEdit(dir, 'src/auth.ts', "    res.status(401).json({ error: 'unauthorized' });\n    return;\n", "    console.warn('anonymous request');\n");
    expect(await scan(dir, '--staged')).toEqual({
      code: 1,
      stderr: 'auth-enforcer: src/auth.ts is on the way to 2 routes; their findings are reported\n',
      findings: USERS,
    });
  });

  it('an edit to a service the handlers call, to a schema given to a middleware, or to the README reports nothing: none is on a chain', async () => {
    const dir = repo('chain-express-unrelated', { express: '^5.0.0', cors: '^2.8.5' }, files("app.use('/api', api);", ''));
    expect((await scan(dir)).findings).toEqual(USERS);
    const nothing = { code: 0, stderr: 'auth-enforcer: 2 findings outside the staged files not shown\n', findings: [] };
    stageEdit(dir, 'src/services/format.ts', 'toUpperCase()', 'toLocaleUpperCase()');
    expect(await scan(dir, '--staged')).toEqual(nothing);
    git(dir, 'reset', '-q', '--hard');
    stageEdit(dir, 'src/schemas.ts', 'return input;', 'return input ?? {};');
    expect(await scan(dir, '--staged')).toEqual(nothing);
    // The validate() middleware itself runs before the handler: its file is on the way, and so on the way of
    // the open route registered beside it, whose claim compares it with its neighbours.
    git(dir, 'reset', '-q', '--hard');
    stageEdit(dir, 'src/validate.ts', 'schema.parse(req.query);', 'schema.parse(req.query ?? {});');
    expect(await scan(dir, '--staged')).toEqual({
      code: 1,
      stderr: 'auth-enforcer: src/validate.ts is on the way to 2 routes; their findings are reported\n',
      findings: USERS,
    });
    git(dir, 'reset', '-q', '--hard');
    stageEdit(dir, 'README.md', '# api', '# the api');
    expect(await scan(dir, '--staged')).toEqual({ code: 0, stderr: 'auth-enforcer: no source files among the staged files; nothing to scan\n', findings: [] });
  });
  it('a router that existed but was mounted nowhere, now mounted with its child router, reports their routes', async () => {
    const dir = repo('chain-express-new-mount', { express: '^5.0.0', cors: '^2.8.5' }, {
      ...files("app.use('/api', api);", ''),
      'src/admin.ts': `import { Router } from 'express';
import { reports } from './admin-reports.js';

export const admin = Router();
admin.delete('/cache', (_req, res) => res.sendStatus(204));
admin.use('/reports', reports);
`,
      'src/admin-reports.ts': `import { Router } from 'express';

export const reports = Router();
reports.get('/', (_req, res) => res.json([]));
`,
    });
    await scan(dir);
    stageEdit(dir, 'src/api.ts', "api.use('/users', users);", "api.use('/users', users);\napi.use('/admin', admin);");
    stageEdit(dir, 'src/api.ts', "import { users } from './users.js';", "import { users } from './users.js';\nimport { admin } from './admin.js';");
    const staged = await scan(dir, '--staged');
    expect(staged.findings).toEqual(expect.arrayContaining(missing('DELETE /api/admin/cache', 'GET /api/admin/reports')));
  });
});

describe('Fastify', () => {
  const files = (apiHook: string, rootPlugin: string): Record<string, string> => ({
    'src/auth.ts': `import type { FastifyReply, FastifyRequest } from 'fastify';

export async function authenticate(request: FastifyRequest, reply: FastifyReply) {
  if (!request.headers.authorization) return reply.code(401).send({ error: 'unauthorized' });
}
`,
    'src/app.ts': `import Fastify from 'fastify';
import api from './api.js';
import authHook from './plugins/auth-hook.js';

const app = Fastify();
${rootPlugin}
app.register(api, { prefix: '/api' });
await app.listen({ port: 3000 });
`,
    'src/plugins/auth-hook.ts': `import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { authenticate } from '../auth.js';

export default fp(async (fastify: FastifyInstance) => {
  fastify.addHook('onRequest', authenticate);
});
`,
    'src/api.ts': `import type { FastifyInstance } from 'fastify';
import { authenticate } from './auth.js';
import users from './users.js';

export default async function api(fastify: FastifyInstance) {
  ${apiHook}
  fastify.register(users, { prefix: '/users' });
}
`,
    'src/users.ts': `import type { FastifyInstance } from 'fastify';

export default async function users(fastify: FastifyInstance) {
  fastify.get('/', async () => []);
  fastify.delete('/:id', async (request) => ({ deleted: (request.params as { id: string }).id }));
}
`,
  });
  const deps = { fastify: '^5.0.0', 'fastify-plugin': '^5.0.0' };
  const USERS = missing('GET /api/users', 'DELETE /api/users/:id');

  it('an addHook removed from the parent plugin reports the routes of the plugin registered inside it', async () => {
    const dir = repo('chain-fastify-hook', deps, files("fastify.addHook('onRequest', authenticate);", ''));
    expect((await scan(dir)).findings).toEqual([]);
    stageEdit(dir, 'src/api.ts', "fastify.addHook('onRequest', authenticate);", '');
    expect(await scan(dir, '--staged')).toEqual({
      code: 1,
      stderr: 'auth-enforcer: src/api.ts is on the way to 2 routes; their findings are reported\n',
      findings: USERS,
    });
  });

  it('an addHook removed from a fastify-plugin plugin (it runs in the root context) reports every route under it', async () => {
    const dir = repo('chain-fastify-fp', deps, files('', 'app.register(authHook);'));
    expect((await scan(dir)).findings).toEqual([]);
    stageEdit(dir, 'src/plugins/auth-hook.ts', "  fastify.addHook('onRequest', authenticate);\n", '  fastify.log.info(authenticate.name);\n');
    expect(await scan(dir, '--staged')).toEqual({
      code: 1,
      stderr: 'auth-enforcer: src/plugins/auth-hook.ts is on the way to 2 routes; their findings are reported\n',
      findings: USERS,
    });
  });
});

describe('Nest', () => {
  const files = (baseDecorator: string, authProviders: string): Record<string, string> => ({
    'src/main.ts': `import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';

async function bootstrap() {
  const app = await NestFactory.create(AppModule);
  await app.listen(3000);
}
void bootstrap();
`,
    'src/app.module.ts': `import { Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { UsersModule } from './users/users.module';

@Module({ imports: [AuthModule, UsersModule] })
export class AppModule {}
`,
    'src/auth/auth.module.ts': `import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TokenGuard } from './token.guard';

@Module({ providers: [${authProviders}] })
export class AuthModule {}
`,
    'src/auth/token.guard.ts': `import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';

@Injectable()
export class TokenGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>();
    if (!request.headers.authorization) throw new UnauthorizedException();
    return true;
  }
}
`,
    'src/users/authenticated.controller.ts': `import { UseGuards } from '@nestjs/common';
import { TokenGuard } from '../auth/token.guard';

${baseDecorator}
export abstract class AuthenticatedController {}
`,
    'src/users/users.controller.ts': `import { Controller, Delete, Get, Param } from '@nestjs/common';
import { AuthenticatedController } from './authenticated.controller';
import { UsersService } from './users.service';

@Controller('users')
export class UsersController extends AuthenticatedController {
  constructor(private readonly users: UsersService) {
    super();
  }

  @Get()
  list() {
    return this.users.names();
  }

  @Delete(':id')
  remove(@Param('id') id: string) {
    return { deleted: id };
  }
}
`,
    'src/users/users.service.ts': `import { Injectable } from '@nestjs/common';

@Injectable()
export class UsersService {
  names(): string[] {
    return ['ada'];
  }
}
`,
    'src/users/users.module.ts': `import { Module } from '@nestjs/common';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({ controllers: [UsersController], providers: [UsersService] })
export class UsersModule {}
`,
  });
  const deps = { '@nestjs/common': '^11.0.0', '@nestjs/core': '^11.0.0' };
  const USERS = missing('GET /users', 'DELETE /users/:id');

  it('@UseGuards removed from a base controller in another file reports the routes of its subclasses; then a service edit reports nothing', async () => {
    const dir = repo('chain-nest-base', deps, files('@UseGuards(TokenGuard)', 'TokenGuard'));
    expect((await scan(dir)).findings).toEqual([]);
    stageEdit(dir, 'src/users/authenticated.controller.ts', '@UseGuards(TokenGuard)\n', '');
    expect(await scan(dir, '--staged')).toEqual({
      code: 1,
      stderr: 'auth-enforcer: src/users/authenticated.controller.ts is on the way to 2 routes; their findings are reported\n',
      findings: USERS,
    });
    // The service the controller injects is not on the chain: editing it reports nothing.
    git(dir, 'commit', '-qm', 'no base guard');
    stageEdit(dir, 'src/users/users.service.ts', "['ada']", "['ada', 'grace']");
    expect(await scan(dir, '--staged')).toEqual({ code: 0, stderr: 'auth-enforcer: 2 findings outside the staged files not shown\n', findings: [] });
  });

  it('a controller that existed but no module listed, now listed, reports its routes', async () => {
    const dir = repo('chain-nest-new-controller', deps, {
      ...files('@UseGuards(TokenGuard)', 'TokenGuard'),
      'src/users/admin.controller.ts': `import { Controller, Delete } from '@nestjs/common';

@Controller('admin')
export class AdminController {
  @Delete('cache')
  clear() {
    return { cleared: true };
  }
}
`,
    });
    expect((await scan(dir)).findings).toEqual([]);
    stageEdit(dir, 'src/users/users.module.ts', 'controllers: [UsersController]', 'controllers: [UsersController, AdminController]');
    stageEdit(dir, 'src/users/users.module.ts', "import { UsersService } from './users.service';", "import { UsersService } from './users.service';\nimport { AdminController } from './admin.controller';");
    expect((await scan(dir, '--staged')).findings).toEqual(missing('DELETE /admin/cache'));
  });

  it('an APP_GUARD provider removed from a module the controller does not import reports every route of the app', async () => {
    const dir = repo('chain-nest-app-guard', deps, files('', '{ provide: APP_GUARD, useClass: TokenGuard }'));
    expect((await scan(dir)).findings).toEqual([]);
    stageEdit(dir, 'src/auth/auth.module.ts', '{ provide: APP_GUARD, useClass: TokenGuard }', 'TokenGuard');
    expect(await scan(dir, '--staged')).toEqual({
      code: 1,
      stderr: 'auth-enforcer: src/auth/auth.module.ts is on the way to 2 routes; their findings are reported\n',
      findings: USERS,
    });
  });
});

describe('Hono', () => {
  const files: Record<string, string> = {
    'src/index.ts': `import { Hono } from 'hono';
import { jwt } from 'hono/jwt';
import { users } from './users.js';
import { docs } from './docs.js';

const app = new Hono();
app.use('/api/*', jwt({ secret: 'change-me', alg: 'HS256' }));
app.route('/api/users', users);
app.route('/docs', docs);

export default app;
`,
    'src/users.ts': `import { Hono } from 'hono';

export const users = new Hono();
users.get('/', (c) => c.json([]));
users.delete('/:id', (c) => c.json({ deleted: c.req.param('id') }));
`,
    'src/docs.ts': `import { Hono } from 'hono';

export const docs = new Hono();
// auth-enforcer-public: API documentation
docs.get('/', (c) => c.text('docs'));
`,
  };

  it("app.use('/api/*', jwt(...)) removed from the entry file reports the mounted routes; then a sibling sub-app's edit reports only its own", async () => {
    const dir = repo('chain-hono', { hono: '^4.0.0' }, files);
    expect((await scan(dir)).findings).toEqual([]);
    stageEdit(dir, 'src/index.ts', "app.use('/api/*', jwt({ secret: 'change-me', alg: 'HS256' }));\n", '');
    expect(await scan(dir, '--staged')).toEqual({
      code: 1,
      stderr: 'auth-enforcer: src/index.ts is on the way to 2 routes; their findings are reported\n',
      findings: missing('GET /api/users', 'DELETE /api/users/:id'),
    });
    // docs.ts is on no /api route's way: its edit reports its own route, now unprotected, and nothing else.
    git(dir, 'commit', '-qm', 'no jwt');
    stageEdit(dir, 'src/docs.ts', '// auth-enforcer-public: API documentation\n', '');
    expect(await scan(dir, '--staged')).toEqual({
      code: 1,
      stderr: 'auth-enforcer: 2 findings outside the staged files not shown\n',
      findings: missing('GET /docs'),
    });
  });

  it('a guard given to some() in another file, edited so it no longer refuses, reports the routes behind some()', async () => {
    const dir = repo('chain-hono-some', { hono: '^4.0.0' }, {
      'src/app.ts': `import { Hono } from 'hono';
import { some } from 'hono/combine';
import { jwt } from 'hono/jwt';
import { requireKey } from './require-key.js';

const app = new Hono();
app.use('/api/*', some(jwt({ secret: 'change-me', alg: 'HS256' }), requireKey));
app.get('/api/reports', (c) => c.json([]));

export default app;
`,
      'src/require-key.ts': `import { createMiddleware } from 'hono/factory';

export const requireKey = createMiddleware(async (c, next) => {
  if (!c.req.header('x-api-key')) return c.text('missing key', 401);
  await next();
});
`,
    });
    expect((await scan(dir)).findings).toEqual([]);
    stageEdit(dir, 'src/require-key.ts', "  if (!c.req.header('x-api-key')) return c.text('missing key', 401);\n", '');
    expect(await scan(dir, '--staged')).toEqual({
      code: 1,
      stderr: 'auth-enforcer: src/require-key.ts is on the way to 1 route; its findings are reported\n',
      findings: missing('GET /api/reports'),
    });
  });

  it('a basePath() in its own file moved off the guarded prefix reports the routes registered on the clone', async () => {
    const dir = repo('chain-hono-base', { hono: '^4.0.0' }, {
      'src/app.ts': `import { Hono } from 'hono';
import { jwt } from 'hono/jwt';

export const app = new Hono();
app.use('/api/*', jwt({ secret: 'change-me', alg: 'HS256' }));
`,
      'src/base.ts': `import { app } from './app.js';

export const api = app.basePath('/api');
`,
      'src/routes.ts': `import { api } from './base.js';

api.get('/users', (c) => c.json([]));
`,
    });
    expect((await scan(dir)).findings).toEqual([]);
    stageEdit(dir, 'src/base.ts', "basePath('/api')", "basePath('/public-api')");
    expect(await scan(dir, '--staged')).toEqual({
      code: 1,
      stderr: 'auth-enforcer: src/base.ts is on the way to 1 route; its findings are reported\n',
      findings: missing('GET /public-api/users'),
    });
  });
});

describe('slice scans', () => {
  it('answered every staged run above that followed a full scan', () => {
    // One project per test that scans fully before staging an edit: twelve of them.
    expect(slices.size).toBe(12);
  });
});
