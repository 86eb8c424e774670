import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FixtureProject, accessLines, identityLines, repoRoot } from './harness.js';

const root = path.join(repoRoot, 'fixtures/express/prisma-owner-scoping');
const project = new FixtureProject(root);
const todos = (route: string) => project.facts('src/routes/todos.ts', route);

describe('analyzeHandler on Prisma (prisma-owner-scoping)', () => {
  it.each([
    ['GET /', 'list Todo.findMany byRequestId=false owner=userId scopedBy=- line=9'],
    ['GET /mine', 'list Todo.findMany byRequestId=false owner=userId scopedBy=query line=14'],
    ['GET /:id', 'read Todo.findUnique byRequestId=true(req.params.id) owner=userId scopedBy=- line=20'],
    // const { id } = req.params; findFirst({ where: { id, userId: req.user!.id } })
    ['GET /:id/scoped', 'read Todo.findFirst byRequestId=true(req.params.id) owner=userId scopedBy=query line=27'],
    // if (!todo || todo.userId !== req.user!.id) return res.status(404)...
    ['GET /:id/checked', 'read Todo.findUnique byRequestId=true(req.params.id) owner=userId scopedBy=check line=33'],
    // the comparison only logs: not a check
    ['GET /:id/logged', 'read Todo.findUnique byRequestId=true(req.params.id) owner=userId scopedBy=- line=42'],
    // req.user in the response is not scoping
    ['GET /:id/mentioned', 'read Todo.findUnique byRequestId=true(req.params.id) owner=userId scopedBy=- line=51'],
    ['PATCH /:id', 'update Todo.update byRequestId=true(req.params.id) owner=userId scopedBy=- line=56'],
    ['DELETE /:id', 'delete Todo.delete byRequestId=true(req.params.id) owner=userId scopedBy=- line=61'],
  ])('%s', (route, expected) => {
    const facts = todos(route);
    expect(accessLines(facts)).toEqual([expected]);
    expect(facts.identityUses).toEqual([]);
  });

  it('an update after a refusing ownership check of the same id is covered by the check', () => {
    expect(accessLines(todos('PUT /:id'))).toEqual([
      'read Todo.findUnique byRequestId=true(req.params.id) owner=userId scopedBy=check line=67',
      'update Todo.update byRequestId=true(req.params.id) owner=userId scopedBy=check line=71',
    ]);
  });

  it('a check delegated to a helper that throws on mismatch counts', () => {
    expect(accessLines(todos('GET /:id/asserted'))).toEqual(['read Todo.findUnique byRequestId=true(req.params.id) owner=userId scopedBy=check line=77']);
  });

  it('a model without an owner field carries no owner', () => {
    expect(accessLines(project.facts('src/routes/tags.ts', 'GET /:id'))).toEqual([
      'read Tag.findUnique byRequestId=true(req.params.id) owner=- scopedBy=- line=8',
    ]);
  });

  it('offers type-correct fixes, and explains when there is none', () => {
    const fixOf = (route: string) => {
      const a = todos(route).dataAccesses[0];
      return a.fix ? a.fix.edits.map((e) => e.text) : a.notFixableReason;
    };
    expect(fixOf('GET /')).toEqual(['{ where: { userId: req.user!.id } }']);
    expect(fixOf('GET /:id')).toEqual(['findFirst', ', userId: req.user!.id']);
    // Prisma 6 (package.json): the owner joins the unique where of update/delete.
    expect(fixOf('DELETE /:id')).toEqual([', userId: req.user!.id']);
    expect(fixOf('PATCH /:id')).toEqual([', userId: req.user!.id']);
  });

  it('finds no inline authentication in handlers that rely on middleware', () => {
    expect(todos('GET /').inlineAuth).toBeUndefined();
  });
});

describe('analyzeHandler: identity from the request (user-id-from-request)', () => {
  const p = new FixtureProject(path.join(repoRoot, 'fixtures/express/user-id-from-request'));
  const facts = (file: string, route: string) => p.facts(`src/routes/${file}.ts`, route);

  it.each([
    ['todos', 'POST /', ['write userId from body (req.body) into Todo line=8']],
    ['todos', 'POST /destructured', ['write userId from body (req.body) into Todo line=14']],
    ['todos', 'POST /spread', ['mass-assignment userId from body (req.body) into Todo line=20']],
    ['todos', 'POST /raw', ['mass-assignment userId from body (req.body) into Todo line=25']],
    ['todos', 'POST /safe', []],
    ['todos', 'GET /by-user', ['filter userId from query (req.query) into Todo line=36']],
    ['todos', 'GET /by-header', ["filter userId from headers (req.get('x-user-id')) into Todo line=41"]],
    ['users', 'GET /:userId/todos', ['filter userId from params (req.params) into Todo line=9']],
    // compared with req.user and refused on mismatch: legitimate
    ['users', 'GET /:userId/todos/checked', []],
    // written by a helper: reported at the handler's argument
    ['users', 'POST /:userId/comments', ['write authorId from body (req.body) into Comment line=24']],
    ['users', 'DELETE /:userId/todos/:id', ['decision x-user-id from headers (req.headers) into - line=31']],
    // validated by a schema without userId; `req.body.userId !== undefined` is a presence test, not a decision
    ['todos', 'PATCH /:id', []],
    ['todos', 'GET /:id', []],
  ] as const)('%s %s', (file, route, expected) => {
    expect(identityLines(facts(file, route))).toEqual(expected);
  });

  it('a verified :userId also scopes the list it filters', () => {
    expect(accessLines(facts('users', 'GET /:userId/todos/checked'))).toEqual(['list Todo.findMany byRequestId=false owner=userId scopedBy=query line=19']);
  });

  it('an owner bound to a request value is not scoping', () => {
    expect(accessLines(facts('todos', 'GET /by-user'))).toEqual(['list Todo.findMany byRequestId=false owner=userId scopedBy=- line=36']);
    // where: { id: req.params.id, userId: req.body.userId }
    const claimed = facts('todos', 'POST /:id/claimed');
    expect(accessLines(claimed)).toEqual(['read Todo.findFirst byRequestId=true(req.params.id) owner=userId scopedBy=- line=62']);
    expect(identityLines(claimed)).toEqual(['filter userId from body (req.body) into Todo line=62']);
    // Both fixes make the same edit, which is applied once.
    expect(claimed.dataAccesses[0].fix?.edits).toEqual(claimed.identityUses[0].fix?.edits);
  });

  it('a compound unique input that includes the owner scopes the query', () => {
    expect(accessLines(facts('todos', 'GET /:id'))).toEqual(['read Todo.findUnique byRequestId=true(req.params.id) owner=userId scopedBy=query line=56']);
    expect(accessLines(facts('todos', 'PATCH /:id'))).toEqual(['update Todo.update byRequestId=true(req.params.id) owner=userId scopedBy=query line=50']);
  });

  it('fixes replace the request value with the principal', () => {
    const edits = (file: string, route: string) => facts(file, route).identityUses.map((u) => u.fix?.edits.map((e) => e.text) ?? u.notFixableReason);
    expect(edits('todos', 'POST /')).toEqual([['req.user!.id']]);
    // The destructured userId is no longer used: it leaves the pattern.
    expect(edits('todos', 'POST /destructured')).toEqual([['userId: req.user!.id', '']]);
    expect(edits('todos', 'POST /spread')).toEqual([[', userId: req.user!.id']]);
    expect(edits('todos', 'POST /raw')).toEqual([['{ ...req.body, userId: req.user!.id }']]);
    expect(edits('users', 'POST /:userId/comments')).toEqual([['req.user!.id']]);
    expect(edits('users', 'DELETE /:userId/todos/:id')).toEqual(['compare the record with the authenticated user instead; the intended check cannot be inferred']);
  });
});
