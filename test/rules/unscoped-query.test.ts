import { describe, expect, it } from 'vitest';
import { scan } from '../../src/api.js';
import { fixture, repoRoot } from '../helpers/fixtures.js';

async function findings(...parts: string[]) {
  const result = await scan({ paths: [fixture(...parts)], cwd: repoRoot, missingAuth: 'strict' });
  return result.findings.filter((f) => f.ruleId === 'unscoped-query').map((f) => `${f.loc.file}:${f.loc.line} ${f.message}${f.fix ? ' [fix]' : ''}`);
}

describe('unscoped-query', () => {
  it('Prisma: reports unscoped reads, writes and lists; not query-scoped, checked or unowned ones', async () => {
    expect(await findings('express', 'prisma-owner-scoping')).toEqual([
      'src/routes/todos.ts:9 GET /api/todos lists Todo without filtering by the authenticated user [fix]',
      'src/routes/todos.ts:20 GET /api/todos/:id reads Todo by a request id without scoping it to the authenticated user [fix]',
      'src/routes/todos.ts:42 GET /api/todos/:id/logged reads Todo by a request id without scoping it to the authenticated user [fix]',
      'src/routes/todos.ts:51 GET /api/todos/:id/mentioned reads Todo by a request id without scoping it to the authenticated user [fix]',
      'src/routes/todos.ts:56 PATCH /api/todos/:id updates Todo by a request id without scoping it to the authenticated user [fix]',
      'src/routes/todos.ts:61 DELETE /api/todos/:id deletes Todo by a request id without scoping it to the authenticated user [fix]',
    ]);
  });

  it('Mongoose, Sequelize and the MongoDB driver', async () => {
    expect(await findings('express', 'mongoose-owner-scoping')).toEqual([
      'src/routes/todos.ts:7 GET /api/todos/:id reads Todo by a request id without scoping it to the authenticated user [fix]',
      'src/routes/todos.ts:27 DELETE /api/todos/:id deletes Todo by a request id without scoping it to the authenticated user [fix]',
      'src/routes/todos.ts:38 GET /api/todos lists Todo without filtering by the authenticated user [fix]',
      'src/routes/todos.ts:43 PUT /api/todos/:id updates Todo by a request id without scoping it to the authenticated user [fix]',
      // findById, then todo.save(): the read and the write; DELETE /:id/scoped (findOne with the owner, then deleteOne()) stays silent
      'src/routes/todos.ts:52 PATCH /api/todos/:id updates Todo by a request id without scoping it to the authenticated user [fix]',
    ]);
    expect(await findings('express', 'sequelize-owner-scoping')).toEqual([
      'src/routes/todos.ts:11 GET /api/todos/:id reads Todo by a request id without scoping it to the authenticated user [fix]',
      'src/routes/todos.ts:17 DELETE /api/todos/:id deletes Todo by a request id without scoping it to the authenticated user [fix]',
      // findByPk, then todo.update(values); DELETE /:id/mine (scoped findOne, then destroy()) stays silent
      'src/routes/todos.ts:25 PATCH /api/todos/:id updates Todo by a request id without scoping it to the authenticated user [fix]',
      // includes that do not scope: required: false, the assignee association, a many-to-many label; the
      // required project include (/in-my-project) and the owner association (/owned) scope their todos
      'src/routes/todos.ts:53 GET /api/todos/:id/with-project reads Todo by a request id without scoping it to the authenticated user [fix]',
      'src/routes/todos.ts:60 GET /api/todos/:id/assigned reads Todo by a request id without scoping it to the authenticated user [fix]',
      'src/routes/todos.ts:67 GET /api/todos/:id/labelled reads Todo by a request id without scoping it to the authenticated user [fix]',
    ]);
    expect(await findings('express', 'mongodb-driver-owner-scoping')).toEqual([
      'src/routes/todos.ts:14 GET /api/todos/:id reads todos by a request id without scoping it to the authenticated user',
    ]);
  });

  it('keeps two findings of one handler apart in their fingerprints', async () => {
    const result = await scan({ paths: [fixture('express', 'prisma-owner-scoping')], cwd: repoRoot, missingAuth: 'strict' });
    const prints = result.findings.filter((f) => f.ruleId === 'unscoped-query').map((f) => f.fingerprint);
    expect(new Set(prints).size).toBe(prints.length);
  });
});

describe('unscoped-query on facts', async () => {
  const { rule } = await import('../../rules/unscoped-query.js');
  const { defaultConfig } = await import('../../src/model/config.js');
  const loc = { file: 'src/a.ts', line: 3, column: 1, endLine: 3, endColumn: 9 };
  const read = { layer: 'prisma', model: 'Todo', operation: 'findUnique', kind: 'read', byRequestId: true, ownerField: 'userId', loc, expression: 'x' } as const;
  const route = (status: string) => ({ id: 'r', framework: 'express', method: 'GET', path: '/todos/:id', loc, handler: { loc }, auth: { status, guards: [] } }) as never;
  const check = (status: string, dataAccesses: object[]) =>
    rule.check({ route: route(status), facts: { identityUses: [], dataAccesses: dataAccesses as never }, config: defaultConfig() });

  it('skips public routes and reports protected, unprotected and unknown ones', () => {
    expect(check('public', [read])).toEqual([]);
    for (const status of ['protected', 'unprotected', 'unknown']) expect(check(status, [read])).toHaveLength(1);
  });

  it('ignores scoped, unowned and create accesses', () => {
    expect(check('protected', [{ ...read, scopedBy: 'check' }, { ...read, ownerField: undefined }, { ...read, kind: 'create', operation: 'create' }])).toEqual([]);
  });

  it('gives two accesses of one handler different fingerprint keys', () => {
    const keys = check('protected', [read, read, { ...read, operation: 'delete', kind: 'delete' }]).map((f) => f.fingerprintKey);
    expect(keys).toEqual(['Todo.findUnique', 'Todo.findUnique#2', 'Todo.delete']);
  });
});
