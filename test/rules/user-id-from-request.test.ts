import { describe, expect, it } from 'vitest';
import { scan } from '../../src/api.js';
import { fixture, repoRoot } from '../helpers/fixtures.js';

async function findings(...parts: string[]) {
  const result = await scan({ paths: [fixture(...parts)], cwd: repoRoot, missingAuth: 'strict' });
  return result.findings
    .filter((f) => f.ruleId === 'user-id-from-request')
    .map((f) => `${f.loc.file}:${f.loc.line} ${f.messageId}: ${f.message}${f.fix ? ' [fix]' : ''}`);
}

describe('user-id-from-request', () => {
  it('reports identities from body, query, params and headers, mass assignment and decisions', async () => {
    expect(await findings('express', 'user-id-from-request')).toEqual([
      'src/routes/todos.ts:8 fromRequest: POST /api/todos takes userId from req.body instead of the authenticated user [fix]',
      'src/routes/todos.ts:14 fromRequest: POST /api/todos/destructured takes userId from req.body instead of the authenticated user [fix]',
      'src/routes/todos.ts:20 massAssignment: POST /api/todos/spread copies req.body into Todo, letting the client set userId [fix]',
      'src/routes/todos.ts:25 massAssignment: POST /api/todos/raw copies req.body into Todo, letting the client set userId [fix]',
      'src/routes/todos.ts:36 fromRequest: GET /api/todos/by-user takes userId from req.query instead of the authenticated user [fix]',
      "src/routes/todos.ts:41 fromRequest: GET /api/todos/by-header takes userId from req.get('x-user-id') instead of the authenticated user [fix]",
      'src/routes/todos.ts:62 fromRequest: POST /api/todos/:id/claimed takes userId from req.body instead of the authenticated user [fix]',
      'src/routes/users.ts:9 fromRequest: GET /api/users/:userId/todos takes userId from req.params instead of the authenticated user [fix]',
      'src/routes/users.ts:24 fromRequest: POST /api/users/:userId/comments takes authorId from req.body instead of the authenticated user [fix]',
      'src/routes/users.ts:31 decision: DELETE /api/users/:userId/todos/:id decides access on x-user-id from req.headers instead of the authenticated user',
    ]);
  });

  it('is silent on the scoping fixtures, and reports Model.create(req.body)', async () => {
    expect(await findings('express', 'prisma-owner-scoping')).toEqual([]);
    expect(await findings('express', 'mongoose-owner-scoping')).toEqual([
      'src/routes/todos.ts:33 massAssignment: POST /api/todos copies req.body into Todo, letting the client set owner [fix]',
      'src/routes/todos.ts:43 massAssignment: PUT /api/todos/:id copies req.body into Todo, letting the client set owner [fix]',
    ]);
  });
});

describe('user-id-from-request on facts', async () => {
  const { rule } = await import('../../rules/user-id-from-request.js');
  const { defaultConfig } = await import('../../src/model/config.js');
  const loc = { file: 'src/a.ts', line: 3, column: 1, endLine: 3, endColumn: 9 };
  const use = { field: 'userId', source: 'body', sink: 'write', model: 'Todo', loc, expression: 'req.body.userId' } as const;
  const route = { id: 'r', framework: 'express', method: 'POST', path: '/api/todos', loc, handler: { loc }, auth: { status: 'public', guards: [] } } as never;

  it('applies to public routes too, and names the request part when no source text is known', () => {
    const [f] = rule.check({ route, facts: { identityUses: [use], dataAccesses: [] }, config: defaultConfig() });
    expect(f.message).toBe('POST /api/todos takes userId from the request body instead of the authenticated user');
    expect(f.fingerprintKey).toBe('write:Todo:userId');
  });
});
