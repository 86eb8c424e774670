import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listRoutes } from '../../src/api.js';
import { fixture, repoRoot, routeLines } from '../helpers/fixtures.js';

describe('express: routes and guard chains', () => {
  it('guards only what is registered after app.use(guard), across files', async () => {
    expect(await routeLines(fixture('express', 'global-guard-order'))).toEqual([
      'DELETE /api/accounts/:id protected',
      'GET /api/accounts protected',
      'GET /docs unprotected',
      'GET /me protected',
      'GET /status unprotected',
    ]);
  });

  it('composes nested prefixes, keys routers by symbol and scopes path-bound guards by segment', async () => {
    expect(await routeLines(fixture('express', 'router-prefix-guarded'))).toEqual([
      'GET /admin/stats protected',
      'GET /administrators unprotected',
      'GET /api/v1/posts unprotected',
      'GET /api/v1/users protected',
      'GET /api/v1/users/:id protected',
      'POST /api/v1/posts unprotected',
    ]);
  });

  it('names the guard and its evidence; a middleware that always continues is no guard', async () => {
    const { routes } = await listRoutes({ paths: [fixture('express', 'router-prefix-guarded')], cwd: repoRoot, missingAuth: 'strict' });
    const users = routes.find((r) => r.path === '/api/v1/users')!;
    expect(users.auth.guards).toHaveLength(1);
    expect(users.auth.guards[0]).toMatchObject({
      name: "requireRole('user')",
      kind: 'middleware',
      scope: 'router',
      evidence: 'responds 403, otherwise calls next()',
      loc: { file: 'src/routes/users.ts', line: 5 },
    });
    const posts = routes.find((r) => r.path === '/api/v1/posts' && r.method === 'GET')!;
    expect(posts.auth.guards).toEqual([]);
    expect(posts.loc).toMatchObject({ file: 'src/routes/posts.ts', line: 7 });
  });

  // hackmdio/codimd: `const githubAuth = module.exports = Router()` (named and exported in one statement) was not
  // read as the module's export, so none of its sign-in routers was found (31 routes).
  it('follows CommonJS requires (chained `module.exports =` included), loops over route tables, route() chains, wrapped controllers and passport delegation', async () => {
    expect(await routeLines(fixture('express', 'commonjs-passport'))).toEqual([
      'DELETE /v1/users/:userId unprotected',
      'GET /v1/docs unprotected',
      'GET /v1/users protected',
      'GET /v1/users/:userId protected',
      'OPTIONS /* public',
      'POST /v1/auth/login unprotected',
    ]);
    const { routes } = await listRoutes({ paths: [fixture('express', 'commonjs-passport')], cwd: repoRoot, missingAuth: 'strict' });
    const get = routes.find((r) => r.path === '/v1/users' && r.method === 'GET')!;
    expect(get.handler).toMatchObject({ name: 'userController.getUsers', loc: { file: 'src/controllers/user.controller.js', line: 3 } });
    expect(get.auth.guards[0].evidence).toContain("passport.authenticate('jwt')");
  });

  it('replays registrar functions on the app passed in, on a router inside a context object, and router factories', async () => {
    const { routes } = await listRoutes({ paths: [fixture('express', 'registrar-and-factories')], cwd: repoRoot, missingAuth: 'strict' });
    expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status}`).sort()).toEqual([
      'DELETE /<dynamic>/settings/:key unprotected',
      'DELETE /ctx/notes/:id unprotected',
      'GET /<dynamic>/settings protected',
      'GET /admin/users protected',
      'GET /api/account protected',
      'GET /ctx/notes protected',
      'GET /drafts unknown',
      'GET /health unprotected',
      'GET /items/:id protected',
      'GET /sdk unknown',
      'POST /api/signup unprotected',
      'PUT /items/:id unprotected',
    ]);
    // draftRoutes hands back another router than the one it registered on: its route is mounted nowhere.
    expect(routes.find((r) => r.path === '/drafts')!.auth.reason).toBe('router is not mounted by any app the scan found');
    const sdk = routes.find((r) => r.path === '/sdk')!;
    expect(sdk.auth.reason).toBe("some-auth-sdk.verifyToken comes from a package the scan cannot read; name it in the config's guards or notGuards");
  });

  it('keeps two routers at one prefix apart: a guard mounted with the second does not run before the first', async () => {
    const { routes } = await listRoutes({ paths: [fixture('express', 'same-route-two-files')], cwd: repoRoot, missingAuth: 'strict' });
    expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status} ${r.loc.file}`).sort()).toEqual([
      'GET /chats protected src/routes/chats.ts',
      'POST /chats protected src/routes/chats.ts',
      'POST /chats unprotected src/routes/writes.ts',
    ]);
  });

  it('counts a redirect to the login page as a refusal, and a check that always continues as none', async () => {
    const { routes } = await listRoutes({ paths: [fixture('express', 'page-guard-redirect')], cwd: repoRoot, missingAuth: 'strict' });
    expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status}`).sort()).toEqual([
      'GET /* unprotected',
      'GET /login unprotected',
      'GET /profile protected',
      'GET /settings unprotected',
    ]);
    expect(routes.find((r) => r.path === '/profile')!.auth.guards[0].evidence).toBe("redirects to '/login', otherwise calls next()");
  });

  it('lets a mounted router that only holds middleware guard what the parent registers after it', async () => {
    const { routes } = await listRoutes({ paths: [fixture('express', 'guard-router')], cwd: repoRoot, missingAuth: 'strict' });
    expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status}`).sort()).toEqual([
      'GET /api/profile protected',
      'GET /api/reports protected',
      'GET /open unprotected',
      'GET /other unprotected',
    ]);
    expect(routes.find((r) => r.path === '/api/profile')!.auth.guards[0]).toMatchObject({
      name: 'inline middleware',
      loc: { file: 'src/auth-gate.ts', line: 4 },
    });
  });
});

describe('express: discovery', () => {
  it('resolves tsconfig paths, honours tsconfig exclude and .gitignore, skips build output (not a `build` folder of the source tree), finds every app of a monorepo', async () => {
    // amplication: `src/core/build/build.module.ts` was skipped as build output, so its module graph broke.
    expect(await routeLines(fixture('express', 'monorepo-paths'))).toEqual([
      'GET /builds protected',
      'GET /dashboard unprotected',
      'GET /orders protected',
      'GET /ping unprotected',
    ]);
  });

  // missa5-oss/Academic-Insights: a Vite front end whose tsconfig excludes `server/`, a package of its own with
  // no tsconfig; its 53 routes were never scanned ("no routes").
  it('scans a package below the root that the root tsconfig excludes, but not an excluded folder of the root package', async () => {
    expect(await routeLines(fixture('express', 'frontend-with-server'))).toEqual(['GET /health unprotected', 'GET /notes protected']);
  });

  it('turns a file that does not parse into a diagnostic and still scans the rest', async () => {
    const { routes, diagnostics } = await listRoutes({ paths: [fixture('express', 'syntax-error')], cwd: repoRoot, missingAuth: 'strict' });
    expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status}`)).toEqual(['GET /ok unprotected']);
    expect(diagnostics).toEqual([
      expect.objectContaining({ level: 'error', code: 'parse-error', file: 'src/users.js', line: 6 }),
    ]);
  });

  it('reports no routes and an informational diagnostic when no framework is used', async () => {
    const { routes, diagnostics } = await listRoutes({ paths: [fixture('express', 'syntax-error', 'src', 'app.js')], cwd: repoRoot, missingAuth: 'strict' });
    expect(routes.length).toBe(1);
    const none = await listRoutes({ paths: [path.join(repoRoot, 'src', 'model')], cwd: repoRoot, missingAuth: 'strict' });
    expect(none.routes).toEqual([]);
    expect(none.diagnostics).toEqual([expect.objectContaining({ level: 'info', code: 'no-framework' })]);
    expect(diagnostics.some((d) => d.code === 'no-framework')).toBe(false);
  });
});

// requarks/wiki: `const ctrl = autoload(path.join(WIKI.SERVERPATH, '/controllers'))`, then `app.use('/', ctrl.auth)`:
// every router came from a directory loader, so none was mounted. A loader's member is the module of that name in
// the directory; under a base the scan cannot read, the project directory with that tail nearest the caller.
describe('express: routers loaded by directory loaders', () => {
  it('mounts `ctrl.pages` from auto-load and `api.notes` from require-dir, under a literal or an unreadable base', async () => {
    const { makeTempProject, removeTempProject } = await import('../helpers/temp-project.js');
    const router = (route: string, guarded: boolean) =>
      `const express = require('express');\nconst router = express.Router();\n${guarded ? "const requireUser = (req, res, next) => (req.headers.authorization ? next() : res.sendStatus(401));\n" : ''}router.get('${route}', ${guarded ? 'requireUser, ' : ''}(req, res) => res.send('ok'));\nmodule.exports = router;\n`;
    const dir = makeTempProject('express-directory-loaders', {
      'package.json': JSON.stringify({ name: 'loaders', private: true, dependencies: { express: '^4.21.0', 'auto-load': '^3.0.4', 'require-dir': '^1.2.0' } }),
      'src/server.js': [
        "const path = require('path');",
        "const express = require('express');",
        "const autoload = require('auto-load');",
        "const requireDir = require('require-dir');",
        'const CONFIG = { ROOT: process.cwd() };',
        "const ctrl = autoload(path.join(__dirname, 'controllers'));",
        "const api = requireDir(path.join(CONFIG.ROOT, '/src/api'));",
        'const app = express();',
        "app.use('/', ctrl.pages);",
        "app.use('/api', api.notes);",
        'app.listen(3000);',
        '',
      ].join('\n'),
      'src/controllers/pages.js': router('/about', false),
      'src/api/notes.js': router('/notes', true),
      'vendor/src/api/notes.js': router('/decoy', false),
    });
    try {
      const { routes } = await listRoutes({ paths: [dir], cwd: dir, missingAuth: 'strict' });
      expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status} ${r.loc.file}`).sort()).toEqual([
        'GET /about unprotected src/controllers/pages.js',
        'GET /api/notes protected src/api/notes.js',
        'GET /decoy unknown vendor/src/api/notes.js',
      ]);
    } finally {
      removeTempProject(dir);
    }
  });
});

// mendableai/firecrawl (found after the holdout3 measurement): `const app = expressWs(express()).app` hands back the
// app it was given; every route was on an app the scan did not know.
describe('express: an app handed back by express-ws', () => {
  it('reads `expressWs(app).app` as the app', async () => {
    const { makeTempProject, removeTempProject } = await import('../helpers/temp-project.js');
    const dir = makeTempProject('express-ws-app', {
      'package.json': JSON.stringify({ name: 'ws', private: true, dependencies: { express: '^4.21.0', 'express-ws': '^5.0.2' } }),
      'src/index.ts': "import express from 'express';\nimport expressWs from 'express-ws';\n\nconst ws = expressWs(express());\nconst app = ws.app;\napp.get('/health', (_req, res) => res.send('ok'));\napp.listen(3000);\n",
    });
    try {
      const { routes } = await listRoutes({ paths: [dir], cwd: dir, missingAuth: 'strict' });
      expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status}`)).toEqual(['GET /health unprotected']);
    } finally {
      removeTempProject(dir);
    }
  });
});
