// The runtime oracle for Express: every fixture whose app can boot in-process is started, every route the scan
// lists is requested without credentials, and the scan's status must match what Express did. A route the scan
// calls protected is refused (401/403, or a redirect to a login page); one it calls unprotected or public reaches
// its handler (anything but a refusal or a 404, which would also say its composed path is wrong); one open only
// through a crafted URL (a skip-list bypass) is asked through that URL; a sign-in step or a webhook's sender check
// must answer, whichever way. Unknown routes make no claim and are not checked. A fixture that cannot boot here is
// listed below with the reason.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listRoutes } from '../../src/api.js';
import { withServer } from '../helpers/express-server.js';
import { fixture, repoRoot } from '../helpers/fixtures.js';

const CANNOT_BOOT: Record<string, string> = {
  'request-context-stores': 'express-http-context is not installed at the root',
  'sequelize-owner-scoping': 'sequelize needs the sqlite3 native package',
  'sql-tagged-templates': '@prisma/client is not generated at the root',
  'mongoose-owner-scoping': 'mongoose queries wait for a MongoDB connection',
  'user-account-mongoose': 'mongoose queries wait for a MongoDB connection',
};

/** Fixtures with `src/app.ts` exporting the app. */
const bootable = fs
  .readdirSync(fixture('express'))
  .filter((name) => {
    const entry = fixture('express', name, 'src/app.ts');
    return fs.existsSync(entry) && /export (const app\b|default app\b|\{ app\b)/.test(fs.readFileSync(entry, 'utf8'));
  })
  .filter((name) => !(name in CANNOT_BOOT));

/** A URL the route serves: parameters filled in. */
function concrete(path: string): string {
  return path.replace(/:(\w+)(\([^)]*\))?\??/g, '1').replace(/\*\w*/g, 'x').replace(/\{[^}]*\}/g, '');
}

describe('express: the static status agrees with real Express for every bootable fixture', () => {
  it('has fixtures to check', () => {
    expect(bootable.length).toBeGreaterThanOrEqual(20);
  });

  for (const name of bootable) {
    it(name, async () => {
      const mod = (await import(fixture('express', name, 'src/app.ts'))) as { app?: import('express').Express; default?: import('express').Express };
      const app = (mod.app ?? mod.default)!;
      const { routes } = await listRoutes({ paths: [fixture('express', name)], cwd: repoRoot, missingAuth: 'strict' });
      const observed: string[] = [];
      const expected: string[] = [];
      await withServer(app, async (base) => {
        for (const r of routes.filter((x) => x.auth.status !== 'unknown' && !x.path.includes('<dynamic>'))) {
          const method = r.method === 'ALL' ? 'GET' : r.method;
          const init: RequestInit = { method, redirect: 'manual' };
          if (!['GET', 'HEAD', 'OPTIONS'].includes(method)) Object.assign(init, { body: '{}', headers: { 'content-type': 'application/json' } });
          // A route open only through a crafted URL (a skip-list bypass) is asked through that URL.
          const crafted = /`[A-Z]+ (\S+)` takes it/.exec(r.auth.bypass?.[0] ?? '')?.[1];
          const res = await fetch(`${base}${crafted ?? concrete(r.path)}`, init);
          const location = res.headers.get('location') ?? '';
          const refused = res.status === 401 || res.status === 403 || (res.status >= 300 && res.status < 400 && /login|signin|auth/i.test(location));
          // A wildcard route's handler (a library's own endpoints) may itself answer 404 for a sub-path it lacks.
          const outcome = refused ? 'refused' : res.status === 404 && !r.path.includes('*') ? 'not found' : 'reached';
          // A sign-in step (or a webhook's sender check) is public, and it turns away a request that brings no
          // credentials to sign in with (no signature): it must answer (either way), not be missing.
          const signIn = r.auth.status === 'public' && /^(sign-in step|webhook):/.test(r.auth.reason ?? '');
          observed.push(`${r.method} ${r.path} ${signIn && outcome !== 'not found' ? 'answered' : outcome}`);
          expected.push(`${r.method} ${r.path} ${signIn ? 'answered' : r.auth.status === 'protected' ? 'refused' : 'reached'}`);
        }
      });
      expect(observed).toEqual(expected);
    });
  }
});
