// Precision decisions of issue 6: reads of authored content are public by design (writes are not),
// `privateModels` overrides that, a login in the path (`/:owner/:repo`) is a namespace, and a route
// behind a guard the config names in `privilegedGuards` may look records up by id.
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/api.js';
import { rule } from '../../rules/unscoped-query.js';
import { defaultConfig } from '../../src/model/config.js';
import { fixture, repoRoot } from '../helpers/fixtures.js';

describe('public-content fixture', () => {
  it('reports writes of authored content, private drafts, private todos by :userId, joining a private todo; not reads of articles, /:owner/:repo, admin lookups, a favorite, or an update checked one call up', async () => {
    const result = await scan({ paths: [fixture('express', 'public-content')], cwd: repoRoot, missingAuth: 'strict' });
    expect(result.findings.map((f) => `${f.ruleId} ${f.route?.method} ${f.route?.path} ${f.loc.file}:${f.loc.line}`)).toEqual([
      'unscoped-query PUT /api/articles/:slug src/routes/content.ts:18',
      'unscoped-query GET /api/drafts/:id src/routes/content.ts:23',
      'unscoped-query GET /api/users/:userId/todos src/routes/content.ts:33',
      'user-id-from-request GET /api/users/:userId/todos src/routes/content.ts:33',
      // linking oneself to someone's private record
      'unscoped-query POST /api/todos/:id/join src/routes/content.ts:53',
      // the helper's update without the service's author check
      'unscoped-query POST /api/articles/:slug/retag src/services/articles.ts:6',
    ]);
  });
});

describe('unscoped-query: privileged guards and authored content on facts', () => {
  const loc = { file: 'src/a.ts', line: 3, column: 1, endLine: 3, endColumn: 9 };
  const read = { layer: 'prisma', model: 'Todo', operation: 'findUnique', kind: 'read', byRequestId: true, ownerField: 'userId', loc, expression: 'x' } as const;
  const route = (guards: string[]) =>
    ({ id: 'r', framework: 'express', method: 'GET', path: '/todos/:id', loc, handler: { loc }, auth: { status: 'protected', guards: guards.map((name) => ({ name })) } }) as never;
  const check = (guards: string[], accesses: object[], config = defaultConfig()) =>
    rule.check({ route: route(guards), facts: { identityUses: [], dataAccesses: accesses as never }, config }).length;

  it('a configured privileged guard (by name, or name with arguments) silences the route', () => {
    const config = { ...defaultConfig(), privilegedGuards: ['requireRole', 'AdminGuard'] };
    expect(check(['requireAuth'], [read], config)).toBe(1);
    expect(check(['requireAuth', "requireRole('admin')"], [read], config)).toBe(0);
    expect(check(['AdminGuard'], [read], config)).toBe(0);
    expect(check(['AdminGuardian'], [read], config)).toBe(1);
    expect(check(["requireRole('admin')"], [read])).toBe(1); // not configured
  });

  it('authored models: reads are public, writes are not, privateModels restores reads', () => {
    const article = { ...read, model: 'Article', ownerField: 'authorId' };
    expect(check([], [article, { ...article, kind: 'list', byRequestId: false }])).toBe(0);
    expect(check([], [{ ...article, kind: 'update', operation: 'update' }, { ...article, kind: 'delete', operation: 'delete' }])).toBe(2);
    expect(check([], [article], { ...defaultConfig(), privateModels: ['article'] })).toBe(1);
  });
});
