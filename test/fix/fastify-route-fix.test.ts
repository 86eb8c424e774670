// Route-level Fastify fixes: where a plugin mixes guarded and open routes, each open route gets
// `onRequest: [requireAuth]` in its own options, in every shape a route can take; the result
// type-checks and a second scan finds nothing to fix. Strict mode: every open route is fixed, whatever it does.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fix, listRoutes } from '../../src/api.js';
import { fixture } from '../helpers/fixtures.js';
import { compile, makeTempProject, removeTempProject } from '../helpers/temp-project.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeTempProject));

describe('fastify route-level auth fixes', () => {
  it('inserts onRequest: [requireAuth] into each unprotected route and registers authUser at the root', async () => {
    const dir = makeTempProject('fastify-route-fix', {});
    dirs.push(dir);
    fs.cpSync(fixture('fastify', 'route-level-fix'), dir, { recursive: true });
    await fix({ paths: [dir], cwd: dir, dryRun: false, force: true, authStrategy: 'jwt', missingAuth: 'strict' });
    const text = fs.readFileSync(path.join(dir, 'src/app.ts'), 'utf8');
    expect(text).toContain(`import { requireAuth } from './auth/require-auth.js';`);
    expect(text).toContain(`import { authUser } from './auth/require-auth.js';`);
    expect(text).toContain(`  const app = Fastify();
  app.register(authUser);
  app.get('/guarded', { onRequest: [requireApiKey] }, async () => 'ok');
  app.get('/plain', { onRequest: [requireAuth] }, async () => 'plain');
  app.get('/with-options', { onRequest: [requireAuth], logLevel: 'warn' }, async () => 'opts');
  app.post('/audited', {
    onRequest: [requireAuth, audit],
    handler: async () => 'audited',
  });
  app.route({
    onRequest: [requireAuth],
    method: 'DELETE',`);
    const { routes } = await listRoutes({ paths: [dir], cwd: dir, missingAuth: 'strict' });
    expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status}`)).toEqual([
      'GET /guarded protected',
      'GET /plain protected',
      'GET /with-options protected',
      'POST /audited protected',
      'DELETE /things/:id protected',
    ]);
    await compile(dir, ['--noEmit']);
    const again = await fix({ paths: [dir], cwd: dir, dryRun: false, force: true, authStrategy: 'jwt', missingAuth: 'strict' });
    expect(fs.readFileSync(path.join(dir, 'src/app.ts'), 'utf8')).toBe(text);
    expect(again.before.findings.filter((f) => f.ruleId === 'missing-auth')).toEqual([]);
  }, 600_000);
  it('in a project on @fastify/jwt that declares FastifyJWT user itself, the generated module declares nothing more and the fixed project type-checks', async () => {
    const dir = makeTempProject('fastify-jwt-project-fix', {});
    dirs.push(dir);
    fs.cpSync(fixture('fastify', 'decorate-authenticate'), dir, { recursive: true });
    await fix({ paths: [dir], cwd: dir, dryRun: false, force: true, authStrategy: 'jwt', missingAuth: 'strict' });
    const module = fs.readFileSync(path.join(dir, 'src/auth/require-auth.ts'), 'utf8');
    expect(module).not.toContain('declare module');
    expect(module).not.toContain('authUser');
    expect(module).toContain(`request.user = user as unknown as FastifyRequest['user'];`);
    const articles = fs.readFileSync(path.join(dir, 'src/routes/articles.ts'), 'utf8');
    expect(articles).toContain(`fastify.get('/:slug/comments', { onRequest: [requireAuth] }, async () => []);`);
    expect(articles).toContain(`fastify.get('/', { onRequest: [requireAuth, fastify.optionalUser] }`);
    expect(fs.readFileSync(path.join(dir, 'src/app.ts'), 'utf8')).not.toContain('authUser');
    await compile(dir, ['--noEmit']);
  }, 600_000);

  it('in a project on @fastify/jwt without its own FastifyJWT user, the module sets FastifyJWT user to AuthUser and the fixed project type-checks', async () => {
    const dir = makeTempProject('fastify-jwt-augment-fix', {});
    dirs.push(dir);
    fs.cpSync(fixture('fastify', 'decorate-authenticate'), dir, { recursive: true });
    // The same project without its FastifyJWT declaration (handlers then read request.user as AuthUser).
    const plugin = path.join(dir, 'src/plugins/authenticate.ts');
    fs.writeFileSync(plugin, fs.readFileSync(plugin, 'utf8').replace(/declare module '@fastify\/jwt' \{[\s\S]*?\n\}\n/, ''));
    await fix({ paths: [dir], cwd: dir, dryRun: false, force: true, authStrategy: 'jwt', missingAuth: 'strict' });
    const module = fs.readFileSync(path.join(dir, 'src/auth/require-auth.ts'), 'utf8');
    expect(module).toContain(`declare module '@fastify/jwt' {\n  interface FastifyJWT {\n    user: AuthUser;\n  }\n}`);
    expect(module).not.toContain(`declare module 'fastify'`);
    await compile(dir, ['--noEmit']);
  }, 600_000);
});
