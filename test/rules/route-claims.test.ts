// missing-auth claims from evidence (issue 12): each kind of evidence in fixtures/express/route-claims has a
// route the rule must report and a look-alike it must not.
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/api.js';
import { toJsonReport } from '../../src/report/json.js';
import { toSarif } from '../../src/report/sarif.js';
import { fixture, repoRoot } from '../helpers/fixtures.js';
import { makeTempProject, removeTempProject } from '../helpers/temp-project.js';

const dir = fixture('express', 'route-claims');

describe('route-claims fixture', () => {
  it('gives each open route a status from evidence: public by design, or unprotected with what says it needs auth', async () => {
    const result = await scan({ paths: [dir], cwd: repoRoot });
    const lines = result.routes.map((r) => `${r.method} ${r.path} ${r.auth.status} ${(r.auth.evidence ?? []).map((e) => e.kind).join(',')}`);
    expect(lines).toEqual([
      'GET /api/me unprotected reads-principal',
      'GET /api/greeting public optional-auth',
      'POST /api/feedback unprotected ',
      'GET / public probe,renders-page',
      'GET /{*any} public fallback',
      'GET /api/account protected ',
      'POST /api/session public auth-flow,issues-credentials,checks-credentials',
      'GET /api/members unprotected lists-accounts',
      'GET /api/members/count unprotected ',
      'POST /api/admin/auth/login public auth-flow,checks-credentials,issues-credentials',
      'GET /api/admin/auth/email-verification/:email/:code public auth-flow',
      'POST /api/admin/users/register unprotected administrative',
      'POST /api/auth/login public auth-flow,checks-credentials,issues-credentials',
      'POST /api/auth/login/change-password unprotected writes-account',
      'POST /api/auth/ldap public issues-credentials',
      'GET /api/auth/ldap/me unprotected reads-principal',
      'POST /api/auth/signup public auth-flow,auth-flow',
      'POST /api/auth/request-login public auth-flow',
      'POST /api/auth/verify-email-code public auth-flow',
      'GET /api/auth/login-history unprotected reads-owned-data',
      'GET /api/auth/oauth/userinfo unprotected reads-owned-data',
      'POST /api/auth/device/session public auth-flow',
      'GET /api/posts public public-content',
      'GET /api/products public public-content',
      'POST /api/products/:id/views public public-content',
      'POST /api/drafts/:id/likes unprotected writes-owned-data',
      'GET /api/drafts public optional-auth',
      'POST /api/drafts/:id/touch unprotected writes-owned-data',
      'GET /api/drafts/:id unprotected reads-owned-data',
      'POST /api/drafts/:id/reset unprotected writes-owned-data',
      'POST /api/reset/:token public auth-flow',
      'GET /api/public/stats/:period public public-content',
      'POST /api/auth/verify-token public auth-flow',
      'GET /api/guides public open-reads',
      'GET /api/guides/:slug public open-reads',
      'POST /api/guides protected ',
      'PUT /api/guides/:slug protected ',
      'DELETE /api/guides/:slug protected ',
      'GET /api/guides/:slug/draft unprotected reads-owned-data',
      'GET /api/messages protected ',
      'POST /api/messages unprotected ',
      'DELETE /api/messages/:id unprotected guarded-siblings',
      'GET /api/orders/:id protected ',
      'PATCH /api/orders/:id unprotected writes-owned-data,guarded-siblings',
      'POST /api/orders/:id/device-link protected ',
      'GET /api/health public probe',
      'GET /api/health/details unprotected lists-accounts',
      'GET /api/config public client-config',
      'GET /api/trends/tags public static-answer',
      'GET /api/account/export unprotected ',
      'POST /api/echo unprotected ',
      'GET /api/health/env unprotected exposes-environment',
      'GET /api/version public probe',
      'GET /api/billing/invoices public static-answer',
      'GET /api/billing/statements unprotected ',
      'GET /api/serverHealthCheck public probe',
      'GET /api/healthRecords unprotected ',
      'GET /api/openAPI-spec.json public api-docs',
      'OPTIONS /api/uploads/:id public preflight',
      'POST /api/webhooks/payments public verifies-signature',
      'POST /api/webhooks/telegram public verifies-signature',
      'GET /api/webhooks/integrations/xero/oauth-callback public auth-flow',
      'POST /api/webhooks/refunds unprotected writes-owned-data,unverified-webhook,changes-state',
      'POST /api/webhooks/mail-events public verifies-signature',
      'POST /api/webhooks/bounces public verifies-signature',
      'POST /api/webhooks/receipts unprotected writes-owned-data,unverified-webhook,changes-state',
      'POST /api/webhooks/billing-events public verifies-signature',
      'POST /api/webhooks/billing-sync unprotected writes-owned-data,unverified-webhook,changes-state',
      'POST /api/webhooks/subscriptions public verifies-signature',
      'POST /api/webhooks/endpoints protected ',
    ]);
    // A helper handed the request that answers 401 protects the handler that stops on its empty answer; one
    // handed the body that throws 401 on a wrong password is a sign-in.
    expect(result.routes.find((r) => r.path === '/api/account')!.auth.guards.map((g) => `${g.kind} ${g.evidence}`)).toEqual([
      'inline requireSession(req, res) responds 401, then `if (!session) return`',
    ]);
    const publicByDesign = result.routes.find((r) => r.path === '/api/auth/login')!;
    expect(publicByDesign.auth.reason).toBe('public by design: sign-in or account-recovery endpoint');
  });

  it('reports errors with evidence, a warning where nothing says either way, and nothing on routes public by design', async () => {
    const result = await scan({ paths: [dir], cwd: repoRoot });
    const missing = result.findings.filter((f) => f.ruleId === 'missing-auth').map((f) => `${f.severity} ${f.route!.method} ${f.route!.path}`);
    expect(missing.sort()).toEqual(
      [
        'error GET /api/me',
        'error POST /api/auth/login/change-password',
        'error GET /api/auth/ldap/me',
        'warning GET /api/drafts/:id',
        'warning GET /api/guides/:slug/draft',
        'warning GET /api/auth/login-history',
        'warning GET /api/auth/oauth/userinfo',
        'error POST /api/drafts/:id/likes',
        'error POST /api/drafts/:id/reset',
        'error POST /api/drafts/:id/touch',
        'error PATCH /api/orders/:id',
        'error POST /api/admin/users/register',
        'error DELETE /api/messages/:id',
        'error GET /api/health/env',
        'warning GET /api/billing/statements',
        'warning GET /api/healthRecords',
        'warning POST /api/messages',
        'error GET /api/health/details',
        'error GET /api/members',
        'warning GET /api/members/count',
        'warning GET /api/account/export',
        'warning POST /api/echo',
        'error POST /api/webhooks/receipts',
        'error POST /api/webhooks/refunds',
        'error POST /api/webhooks/billing-sync',
        'warning POST /api/feedback',
      ].sort(),
    );
    const me = result.findings.find((f) => f.route?.path === '/api/me')!;
    expect(me.message).toBe("GET /api/me needs authentication but no guard runs: reads the caller's identity: `req.user!.id` (src/app.ts:26)");
    expect(me.evidence).toEqual([{ kind: 'reads-principal', message: "reads the caller's identity: `req.user!.id`", file: 'src/app.ts', line: 26 }]);
    // overseerr's `/auth/local` and `/auth/plex` sign in by writing `req.session.userId`, which read as a need for
    // the caller's identity; a method of the principal's value (`.toUpperCase()`) is a read, not a check.
    const ldapMe = result.findings.find((f) => f.route?.path === '/api/auth/ldap/me')!;
    expect(ldapMe.evidence?.[0]?.message).toBe("reads the caller's identity: `req.session.userId!.toUpperCase()`");
    const feedback = result.findings.find((f) => f.route?.path === '/api/feedback')!;
    expect(feedback.message).toContain('nothing shows whether it should be: guard it, or declare it public');
  });

  it('carries the evidence into JSON and SARIF (related locations, rank)', async () => {
    const result = await scan({ paths: [dir], cwd: repoRoot });
    const json = toJsonReport(result, { root: result.root });
    const orders = json.findings.find((f) => f.ruleId === 'missing-auth' && f.route?.path === '/api/orders/:id')!;
    expect(orders.evidence?.map((e) => `${e.kind} ${e.file}:${e.line}`)).toEqual(['writes-owned-data src/routes/orders.ts:13', 'guarded-siblings src/routes/orders.ts:7']);
    const sarif = toSarif(result, { root: result.root, format: 'sarif', color: false });
    const run = sarif.runs[0]!;
    const alert = run.results!.find((r) => r.ruleId === 'missing-auth' && r.properties?.route === 'PATCH /api/orders/:id')!;
    expect(alert.rank).toBe(90);
    expect(alert.relatedLocations?.map((l) => `${l.physicalLocation?.artifactLocation?.uri}:${l.physicalLocation?.region?.startLine}`)).toEqual([
      'src/routes/orders.ts:13',
      'src/routes/orders.ts:7',
    ]);
    const warning = run.results!.find((r) => r.properties?.route === 'POST /api/feedback')!;
    expect(warning.rank).toBe(30);
  });

  it('strict mode (config missingAuth or the option) infers nothing public: every open route not declared public is an error', async () => {
    const result = await scan({ paths: [dir], cwd: repoRoot, missingAuth: 'strict' });
    const missing = result.findings.filter((f) => f.ruleId === 'missing-auth');
    expect(missing.every((f) => f.severity === 'error')).toBe(true);
    expect(missing.map((f) => `${f.route!.method} ${f.route!.path}`)).toContain('POST /api/auth/login');
    expect(result.routes.filter((r) => r.auth.status === 'public').map((r) => r.path)).toEqual([]);
  });
});

describe('an app that authenticates nobody', () => {
  it('gets one finding for the app instead of one warning per open route; claims with evidence stay', async () => {
    const result = await scan({ paths: [fixture('express', 'app-without-auth')], cwd: repoRoot });
    expect(result.findings.map((f) => `${f.severity} ${f.messageId} ${f.route ? `${f.route.method} ${f.route.path}` : '(app)'}`)).toEqual([
      'error needs-auth POST /admin/wipe',
      'warning app-without-auth (app)',
    ]);
    const app = result.findings.find((f) => f.messageId === 'app-without-auth')!;
    expect(app.message).toBe(
      'no route of this app authenticates its callers (2 routes are open and none reads the caller): add authentication, or declare the routes public if the app is meant to be open',
    );
    expect(result.summary).toMatchObject({ errors: 1, warnings: 1 });
  });
});

describe('a scan that reaches little of the app says so', () => {
  it('counts NestJS controllers that serve no route found (a module graph built at run time) as an unresolved-auth warning', async () => {
    const controller = (name: string) =>
      `import { Controller, Get } from '@nestjs/common';\n@Controller('${name}')\nexport class ${name[0]!.toUpperCase()}${name.slice(1)}Controller {\n  @Get() list() { return []; }\n}\n`;
    const names = ['health', 'users', 'orders', 'invoices', 'teams', 'reports', 'tags'];
    const files: Record<string, string> = {
      'package.json': JSON.stringify({ name: 'x', private: true, dependencies: { '@nestjs/common': '^11', '@nestjs/core': '^11' } }),
      'src/main.ts': `import { NestFactory } from '@nestjs/core';\nimport { AppModule } from './app.module';\nNestFactory.create(AppModule).then((app) => app.listen(3000));\n`,
      // Only one controller is listed statically; the rest come from a list built at run time.
      'src/app.module.ts': `import { Module } from '@nestjs/common';\nimport { HealthController } from './health.controller';\nimport { loadControllers } from './registry';\n@Module({ controllers: [HealthController, ...loadControllers()] })\nexport class AppModule {}\n`,
      'src/registry.ts': `export function loadControllers(): any[] { return (globalThis as any).controllers ?? []; }\n`,
    };
    for (const n of names) files[`src/${n}.controller.ts`] = controller(n);
    const dir = makeTempProject('unreached-controllers', files);
    try {
      const result = await scan({ paths: [dir], cwd: dir });
      const found = result.findings.filter((f) => f.messageId === 'unreached-controllers');
      expect(found.map((f) => `${f.ruleId} ${f.severity} ${f.loc.file}: ${f.message}`)).toEqual([
        'unresolved-auth warning package.json: 6 of 7 controllers serve no route the scan found: the app is assembled in a way it does not follow, so this report covers part of it',
      ]);
    } finally {
      removeTempProject(dir);
    }
  });
});

// sahat/hackathon-starter's `/login/2fa` looks up the sign-in pending in the session and sends the browser back to
// /login without one: a step of signing in, not a check of a signed-in caller. An OAuth consent page that tests the
// principal, and a sign-out that answers 401 on the session helper's verdict, still check the caller; a refresh step
// refusing without its refresh token is part of signing in (sewapesta-hono), also when the local holding it is only
// called `token` (Kaizenpbc/cpr-fastify, holdout8: `const token = request.cookies.refreshToken`).
describe('sign-in steps', () => {
  it('a redirect to the login page on a helper verdict in a sign-in step is part of the flow; a principal test or a 401 is a check', async () => {
    const dir = makeTempProject('sign-in-steps', {
      'package.json': JSON.stringify({ name: 'sign-in-steps', type: 'module', dependencies: { express: '^5.1.0' } }),
      'src/app.js': `import express from 'express';
import { findUser, readCookie, sessionFrom } from './store.js';
export const app = express();
app.get('/login/2fa', async (req, res) => {
  const user = await findUser(req.session.pendingSignIn);
  if (!user) return res.redirect('/login');
  res.send('enter the code');
});
app.get('/oauth/authorize', (req, res) => {
  if (!req.user) return res.redirect('/login');
  res.send('allow access?');
});
app.post('/auth/signout', async (req, res) => {
  const session = await sessionFrom(req.headers.cookie);
  if (!session) return res.status(401).end();
  res.status(204).end();
});
app.post('/auth/refresh', async (req, res) => {
  const refreshToken = await readCookie(req, 'refresh');
  if (!refreshToken) return res.status(401).end();
  res.json({ exchanged: true });
});
app.get('/reports', async (req, res) => {
  const user = await findUser(req.session.pendingSignIn);
  if (!user) return res.redirect('/login');
  res.json([]);
});
app.post('/auth/tokens/refresh', async (req, res) => {
  const token = req.headers.cookie?.match(/refreshToken=([^;]+)/)?.[1];
  if (!token) return res.status(401).end();
  res.json({ renewed: true });
});
app.get('/exports', async (req, res) => {
  const token = req.headers['x-access-token'];
  if (!token) return res.status(401).end();
  res.json([]);
});
`,
      'src/store.js': `export async function findUser(id) { return id ? { id } : null; }
export async function sessionFrom(cookie) { return cookie ? { cookie } : null; }
export async function readCookie(req, name) { return req.headers.cookie?.includes(name) ? name : undefined; }
`,
    });
    try {
      const result = await scan({ paths: [dir], cwd: dir });
      expect(result.routes.map((r) => `${r.method} ${r.path} ${r.auth.status}`)).toEqual([
        'GET /login/2fa public',
        'GET /oauth/authorize protected',
        'POST /auth/signout protected',
        'POST /auth/refresh public',
        'GET /reports protected',
        'POST /auth/tokens/refresh public',
        'GET /exports protected',
      ]);
    } finally {
      removeTempProject(dir);
    }
  });
});

describe('open-router-in-guarded-app fixture', () => {
  it('reports an update or delete in a router left open, in an app whose other files guard their writes; not a create, nor a PUT that stores nothing', async () => {
    const result = await scan({ paths: [fixture('express', 'open-router-in-guarded-app')], cwd: repoRoot });
    const missing = result.findings.filter((f) => f.ruleId === 'missing-auth').map((f) => `${f.severity} ${f.route!.method} ${f.route!.path}`);
    expect(missing).toEqual([
      'warning POST /api/notifications',
      'error PUT /api/notifications/:id',
      'error DELETE /api/notifications/:id',
      'warning PUT /api/notifications/:id/preview',
    ]);
    const put = result.findings.find((f) => f.ruleId === 'missing-auth' && f.route!.method === 'PUT' && f.route!.path === '/api/notifications/:id')!;
    expect(put.evidence).toEqual([
      {
        kind: 'changes-state',
        message: "changes data (`prisma.notification.update`) while 5 of the 5 routes of the app's other files that change data are guarded",
        file: 'src/routes/notifications.ts',
        line: 18,
      },
    ]);
    // The claim rests on the other files' guards: editing one of them re-judges this route (scan --changed).
    const route = result.routes.find((r) => r.method === 'PUT' && r.path === '/api/notifications/:id')!;
    expect(route.chainFiles).toEqual(expect.arrayContaining(['src/routes/orders.ts', 'src/routes/profile.ts']));
  });
});
