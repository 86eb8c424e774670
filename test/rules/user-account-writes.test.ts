// Issue 6: the user model is owned by the account each record describes. Changing an account picked by a
// client-chosen id, username or e-mail is reported; reads and lists of accounts, the caller's own account,
// a verified or checked id, following someone, routes behind a privileged guard, and a :userId that a route
// guard refuses unless it is the caller's (or the caller holds the rights) are not.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listRoutes, scan } from '../../src/api.js';
import { fixture, repoRoot } from '../helpers/fixtures.js';

async function findings(dir: string, configPath?: string) {
  const result = await scan({ paths: [dir], cwd: repoRoot, ...(configPath ? { configPath } : {}) });
  return result.findings
    .filter((f) => f.ruleId === 'unscoped-query')
    .map((f) => `${f.loc.file}:${f.loc.line} ${f.message}${f.fix ? ' [fix]' : ''}${f.notFixableReason ? ` (${f.notFixableReason})` : ''}`);
}

describe('unscoped-query: writes to user accounts', () => {
  const prismaDir = fixture('express', 'user-account-writes');

  it('Prisma: reports account writes by a client-chosen id, username or e-mail; not reads, lists, own account, verified or checked ids, follows, admin routes', async () => {
    expect(await findings(prismaDir)).toEqual([
      // Guards that compare :userId with the caller but let a caller through without the match.
      "src/routes/self.ts:20 PATCH /api/accounts/plain/:userId updates User by a request id without scoping it to the authenticated user (the record is a user account: select it by the authenticated user's id, or refuse unless req.params.userId is the caller's)",
      "src/routes/self.ts:24 PATCH /api/accounts/forced/:userId updates User by a request id without scoping it to the authenticated user (the record is a user account: select it by the authenticated user's id, or refuse unless req.params.userId is the caller's)",
      "src/routes/self.ts:28 PATCH /api/accounts/early/:userId updates User by a request id without scoping it to the authenticated user (the record is a user account: select it by the authenticated user's id, or refuse unless req.params.userId is the caller's)",
      "src/routes/self.ts:32 PATCH /api/accounts/soft/:userId updates User by a request id without scoping it to the authenticated user (the record is a user account: select it by the authenticated user's id, or refuse unless req.params.userId is the caller's)",
      "src/routes/self.ts:39 PATCH /api/own/:userId updates User by a request id without scoping it to the authenticated user (the record is a user account: select it by the authenticated user's id, or refuse unless req.params.userId is the caller's)",
      "src/routes/users.ts:18 DELETE /api/users/:username deletes User by a request id without scoping it to the authenticated user (the record is a user account: select it by the authenticated user's id, or refuse unless req.params.username is the caller's)",
      "src/routes/users.ts:24 PATCH /api/users/:id updates User by a request id without scoping it to the authenticated user (the record is a user account: select it by the authenticated user's id, or refuse unless req.params.id is the caller's)",
      "src/routes/users.ts:29 PUT /api/users/by-email updates User by a request id without scoping it to the authenticated user (the record is a user account: select it by the authenticated user's id, or refuse unless req.body.email is the caller's)",
      // The rights guard ties :userId to the caller (PATCH /api/managed/:userId is silent), not the todo's :id.
      'src/routes/users.ts:69 DELETE /api/managed/:userId/todos/:id deletes Todo by a request id without scoping it to the authenticated user [fix]',
    ]);
  });

  it('a rights guard named in privilegedGuards exempts all its routes, the todo too: name only admin-only guards', async () => {
    const lines = await findings(prismaDir, path.join(prismaDir, 'auth-enforcer.manage-users.json'));
    expect(lines.map((l) => l.split(' (')[0])).toEqual([
      'src/routes/self.ts:20 PATCH /api/accounts/plain/:userId updates User by a request id without scoping it to the authenticated user',
      'src/routes/self.ts:24 PATCH /api/accounts/forced/:userId updates User by a request id without scoping it to the authenticated user',
      'src/routes/self.ts:28 PATCH /api/accounts/early/:userId updates User by a request id without scoping it to the authenticated user',
      'src/routes/self.ts:32 PATCH /api/accounts/soft/:userId updates User by a request id without scoping it to the authenticated user',
      'src/routes/self.ts:39 PATCH /api/own/:userId updates User by a request id without scoping it to the authenticated user',
      'src/routes/users.ts:18 DELETE /api/users/:username deletes User by a request id without scoping it to the authenticated user',
      'src/routes/users.ts:24 PATCH /api/users/:id updates User by a request id without scoping it to the authenticated user',
      'src/routes/users.ts:29 PUT /api/users/by-email updates User by a request id without scoping it to the authenticated user',
    ]);
  });

  it('route guards that tie :userId to the caller, and those that do not', async () => {
    const { routes } = await listRoutes({ paths: [prismaDir], cwd: repoRoot, missingAuth: 'strict' });
    const bound = routes.map((r) => `${r.method} ${r.path} ${r.auth.guards.map((g) => `${g.name}${g.bindsParams ? `→${g.bindsParams.join(',')}` : ''}`).join(' ')}`);
    expect(bound.filter((l) => /accounts|own|managed/.test(l)).sort()).toEqual([
      "DELETE /api/managed/:userId/todos/:id requireAuth authorize('manageUsers')→userId",
      'PATCH /api/accounts/early/:userId requireAuth earlySelf',
      'PATCH /api/accounts/forced/:userId requireAuth forcedSelf',
      'PATCH /api/accounts/plain/:userId requireAuth authRights()',
      "PATCH /api/accounts/rights/:userId requireAuth authRights('manageUsers')→userId",
      'PATCH /api/accounts/self/:userId requireAuth requireSelf→userId',
      'PATCH /api/accounts/soft/:userId requireAuth softSelf',
      "PATCH /api/managed/:userId requireAuth authorize('manageUsers')→userId",
      'PATCH /api/own/:userId requireAuth requireSelf',
    ]);
  });

  it('Mongoose: a User model that no other model refers to; deleteOne by username and findByIdAndDelete by id', async () => {
    expect((await findings(fixture('express', 'user-account-mongoose'))).map((l) => l.split(' (')[0])).toEqual([
      'src/routes/users.ts:9 DELETE /api/user/:username deletes User by a request id without scoping it to the authenticated user',
      'src/routes/users.ts:15 DELETE /api/users/:id deletes User by a request id without scoping it to the authenticated user',
    ]);
  });
});
