// `privilegedGuards` in every framework: a route behind a configured admin-only guard is exempt from
// unscoped-query, a route beside it without that guard is still reported.
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/api.js';
import { rule } from '../../rules/unscoped-query.js';
import { defaultConfig } from '../../src/model/config.js';
import { fixture, repoRoot } from '../helpers/fixtures.js';

async function findings(...parts: string[]) {
  const result = await scan({ paths: [fixture(...parts)], cwd: repoRoot, missingAuth: 'strict' });
  return result.findings.filter((f) => f.ruleId === 'unscoped-query').map((f) => `${f.route?.method} ${f.route?.path} ${f.loc.file}:${f.loc.line}`);
}

describe('privilegedGuards per framework (fixtures */privileged-guards)', () => {
  it('Fastify: a preHandler hook named in the config (the hook array [requireAdmin] holds it)', async () => {
    expect(await findings('fastify', 'privileged-guards')).toEqual(['GET /todos/:id src/app.ts:30']);
  });

  it('Nest: @Roles(admin) under a global RolesGuard, and AdminGuard in @UseGuards; not a route the RolesGuard lets through', async () => {
    expect(await findings('nest', 'privileged-guards')).toEqual(['GET /todos/:id src/todos.controller.ts:20', 'GET /staff/peek/:id src/todos.controller.ts:37']);
  });

  it('Hono: a route-level middleware', async () => {
    expect(await findings('hono', 'privileged-guards')).toEqual(['GET /api/todos/:id src/app.ts:27']);
  });
});

describe('privileged guard names', () => {
  const loc = { file: 'src/a.ts', line: 3, column: 1, endLine: 3, endColumn: 9 };
  const read = { layer: 'prisma', model: 'Todo', operation: 'findUnique', kind: 'read', byRequestId: true, ownerField: 'userId', loc, expression: 'x' } as const;
  const reported = (guard: string, privileged: string[]) =>
    rule.check({
      route: { id: 'r', framework: 'fastify', method: 'GET', path: '/todos/:id', loc, handler: { loc }, auth: { status: 'protected', guards: [{ name: guard }] } } as never,
      facts: { identityUses: [], dataAccesses: [read] as never },
      config: { ...defaultConfig(), privilegedGuards: privileged },
    }).length;

  it('an array hook is each of its elements; a decorated member matches by its name; nothing else matches', () => {
    expect(reported('[authenticate, requireAdmin]', ['requireAdmin'])).toBe(0);
    expect(reported('[authenticate, requireRole(["admin", "staff"])]', ['requireRole'])).toBe(0);
    expect(reported('[fastify.authenticate, fastify.requireAdmin]', ['requireAdmin'])).toBe(0);
    expect(reported('[authenticate, requireAdministrator]', ['requireAdmin'])).toBe(1);
    expect(reported('[authenticate]', ['requireAdmin'])).toBe(1);
    expect(reported("requireRole('a.b')", ['b'])).toBe(1);
  });
});
