import { describe, expect, it, vi } from 'vitest';
import { scan } from '../../src/api.js';
import { fixture, repoRoot } from '../helpers/fixtures.js';

vi.mock('../../rules/index.js', async (original) => (await import('./registry-with-analysis-rules.js')).withAnalysisRules(original as never));

async function findings(...parts: string[]) {
  const result = await scan({ paths: [fixture(...parts)], cwd: repoRoot });
  return result.findings.filter((f) => f.ruleId === 'unscoped-query').map((f) => `${f.loc.file}:${f.loc.line} ${f.message}${f.fix ? ' [fix]' : ''}`);
}

describe('unscoped-query', () => {
  it('Prisma: reports unscoped reads, writes and lists; not query-scoped, checked or unowned ones', async () => {
    expect(await findings('express', 'prisma-owner-scoping')).toEqual([
      'src/routes/todos.ts:8 GET /api/todos lists Todo without filtering by the authenticated user [fix]',
      'src/routes/todos.ts:19 GET /api/todos/:id reads Todo by a request id without scoping it to the authenticated user [fix]',
      'src/routes/todos.ts:41 GET /api/todos/:id/logged reads Todo by a request id without scoping it to the authenticated user [fix]',
      'src/routes/todos.ts:50 GET /api/todos/:id/mentioned reads Todo by a request id without scoping it to the authenticated user [fix]',
      'src/routes/todos.ts:55 PATCH /api/todos/:id updates Todo by a request id without scoping it to the authenticated user',
      'src/routes/todos.ts:60 DELETE /api/todos/:id deletes Todo by a request id without scoping it to the authenticated user [fix]',
    ]);
  });

  it('Mongoose, Sequelize and the MongoDB driver', async () => {
    expect(await findings('express', 'mongoose-owner-scoping')).toEqual([
      'src/routes/todos.ts:7 GET /api/todos/:id reads Todo by a request id without scoping it to the authenticated user [fix]',
      'src/routes/todos.ts:27 DELETE /api/todos/:id deletes Todo by a request id without scoping it to the authenticated user [fix]',
    ]);
    expect(await findings('express', 'sequelize-owner-scoping')).toEqual([
      'src/routes/todos.ts:11 GET /api/todos/:id reads Todo by a request id without scoping it to the authenticated user [fix]',
      'src/routes/todos.ts:17 DELETE /api/todos/:id deletes Todo by a request id without scoping it to the authenticated user [fix]',
    ]);
    expect(await findings('express', 'mongodb-driver-owner-scoping')).toEqual([
      'src/routes/todos.ts:14 GET /api/todos/:id reads todos by a request id without scoping it to the authenticated user',
    ]);
  });

  it('keeps two findings of one handler apart in their fingerprints', async () => {
    const result = await scan({ paths: [fixture('express', 'prisma-owner-scoping')], cwd: repoRoot });
    const prints = result.findings.filter((f) => f.ruleId === 'unscoped-query').map((f) => f.fingerprint);
    expect(new Set(prints).size).toBe(prints.length);
  });
});
