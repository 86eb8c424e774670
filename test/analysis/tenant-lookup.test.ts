// A tenant or org bound through a lookup: a record read by a query bound to the principal (the caller's
// membership, the caller's own account) carries principal-derived fields, so binding a later query's owner
// field to one of them scopes it, in the query, in a check, or through a service. A lookup by a
// client-chosen id does not, nor does a field read through `?.` (or `member ? member.orgId : undefined`) on a
// record that may be missing.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { scan } from '../../src/api.js';
import { fixture, repoRoot } from '../helpers/fixtures.js';
import { FixtureProject } from './harness.js';

const dir = fixture('express', 'tenant-lookup');
const p = new FixtureProject(dir, loadConfig(dir));
const lines = (file: string, route: string) =>
  p.facts(file, route).dataAccesses.map((a) => `${a.kind} ${a.model}.${a.operation} byRequestId=${a.byRequestId} scopedBy=${a.scopedBy ?? '-'} ${a.loc.file}:${a.loc.line}`);

describe('tenant through a lookup (tenant-lookup)', () => {
  it.each([
    ['GET /projects/:id', ['read Member.findFirst byRequestId=false scopedBy=query src/routes/projects.ts:9', 'read Project.findFirst byRequestId=true scopedBy=query src/routes/projects.ts:11']],
    // the path's org is proven by the membership bound to the caller
    ['GET /orgs/:orgId/projects/:id', ['read Member.findFirstOrThrow byRequestId=false scopedBy=query src/routes/projects.ts:18', 'read Project.findFirst byRequestId=true scopedBy=query src/routes/projects.ts:19']],
    ['GET /projects', ['read Member.findFirstOrThrow byRequestId=false scopedBy=query src/routes/projects.ts:24', 'list Project.findMany byRequestId=false scopedBy=query src/routes/projects.ts:25']],
    // project.orgId !== member.orgId refuses: the read is checked and the update inherits the check
    ['PATCH /projects/:id', [
      'read Member.findFirstOrThrow byRequestId=false scopedBy=query src/routes/projects.ts:30',
      'read Project.findUnique byRequestId=true scopedBy=check src/routes/projects.ts:31',
      'update Project.update byRequestId=true scopedBy=check src/routes/projects.ts:33',
    ]],
    // the service's delete, bound to the orgId argument (a helper's accesses are listed before the caller's)
    ['DELETE /projects/:id', ['delete Project.delete byRequestId=true scopedBy=query src/services/projects.ts:4', 'read Member.findFirstOrThrow byRequestId=false scopedBy=query src/routes/projects.ts:38']],
    ['GET /projects/:id/optional-member', ['read Member.findFirst byRequestId=false scopedBy=query src/routes/projects.ts:45', 'read Project.findFirst byRequestId=true scopedBy=- src/routes/projects.ts:46']],
    ['GET /projects/:id/member-or-nothing', ['read Member.findFirst byRequestId=false scopedBy=query src/routes/projects.ts:51', 'read Project.findFirst byRequestId=true scopedBy=- src/routes/projects.ts:53']],
    ['GET /projects/:id/by-member', ['read Member.findFirst byRequestId=true scopedBy=- src/routes/projects.ts:58', 'read Project.findFirst byRequestId=true scopedBy=- src/routes/projects.ts:60']],
  ])('%s', (route, expected) => {
    expect(lines('src/routes/projects.ts', route)).toEqual(expected);
  });

  it('the caller\'s own account carries the tenant; an account the client picks does not', () => {
    expect(lines('src/routes/documents.ts', 'GET /documents/:id')).toEqual([
      'read User.findUnique byRequestId=false scopedBy=query src/routes/documents.ts:8',
      'read Document.findFirst byRequestId=true scopedBy=query src/routes/documents.ts:10',
    ]);
    expect(lines('src/routes/documents.ts', 'GET /users/:userId/documents/:id')).toEqual([
      'read User.findUniqueOrThrow byRequestId=true scopedBy=- src/routes/documents.ts:17',
      'read Document.findFirst byRequestId=true scopedBy=- src/routes/documents.ts:18',
    ]);
  });

  it('reports exactly the optional memberships, the client-chosen membership and the client-chosen account', async () => {
    const result = await scan({ paths: [dir], cwd: repoRoot, missingAuth: 'strict' });
    expect(result.findings.map((f) => `${f.ruleId} ${f.route?.method} ${f.route?.path} ${f.loc.file}:${f.loc.line}`)).toEqual([
      'unscoped-query GET /api/users/:userId/documents/:id src/routes/documents.ts:18',
      'unscoped-query GET /api/projects/:id/optional-member src/routes/projects.ts:46',
      'unscoped-query GET /api/projects/:id/member-or-nothing src/routes/projects.ts:53',
      'unscoped-query GET /api/projects/:id/by-member src/routes/projects.ts:60',
    ]);
  });
});
