// Ownership across calls: services, repositories and helpers several levels down, helpers called twice
// with differently-sourced arguments, reassigned variables, filters completed after they are built,
// refusals in else, and checks that come after the query they should protect.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HandlerFacts } from '../../src/model/facts.js';
import { FixtureProject, applyFixes, copyFixture, identityLines, repoRoot } from './harness.js';

const p = new FixtureProject(path.join(repoRoot, 'fixtures/express/layered-services'));
const facts = (route: string) => p.facts('src/routes/todos.ts', route);
const lines = (f: HandlerFacts) =>
  f.dataAccesses.map((a) => `${a.kind} ${a.model}.${a.operation} byRequestId=${a.byRequestId} scopedBy=${a.scopedBy ?? '-'} ${a.loc.file}:${a.loc.line}`);
const fixOf = (f: HandlerFacts) => f.dataAccesses.map((a) => a.fix?.edits.map((e) => e.text) ?? a.notFixableReason);

describe('interprocedural ownership (layered-services)', () => {
  it.each([
    // handler → service → repository
    ['GET /:id', 'read Todo.findUnique byRequestId=true scopedBy=- src/repositories/todo-repository.ts:5'],
    ['GET /:id/own', 'read Todo.findFirst byRequestId=true scopedBy=query src/repositories/todo-repository.ts:9'],
    // handler → service → repository → base, the filter object built one level above the query
    ['GET /:id/own-deep', 'read Todo.findFirst byRequestId=true scopedBy=query src/repositories/base.ts:5'],
    ['GET /:id/any-deep', 'read Todo.findFirst byRequestId=true scopedBy=- src/repositories/base.ts:5'],
    ['DELETE /:id', 'delete Todo.delete byRequestId=true scopedBy=query src/repositories/todo-repository.ts:21'],
    // let ownerId = req.user.id; if (...) ownerId = req.query.as
    ['GET /:id/as', 'read Todo.findFirst byRequestId=true scopedBy=- src/routes/todos.ts:51'],
    // reassigned, but to the principal on every path
    ['GET /:id/reassigned', 'read Todo.findFirst byRequestId=true scopedBy=query src/routes/todos.ts:59'],
    // where.userId = req.user!.id after the literal
    ['GET /:id/built', 'read Todo.findFirst byRequestId=true scopedBy=query src/routes/todos.ts:67'],
    ['GET /:id/else', 'read Todo.findUnique byRequestId=true scopedBy=check src/routes/todos.ts:72'],
    ['GET /:id/early-return', 'read Todo.findUnique byRequestId=true scopedBy=check src/routes/todos.ts:82'],
    ['GET /:id/else-logs', 'read Todo.findUnique byRequestId=true scopedBy=- src/routes/todos.ts:91'],
    ['GET /by-user/:userId/late', 'list Todo.findMany byRequestId=false scopedBy=- src/routes/todos.ts:102'],
    ['GET /by-user/:userId/early', 'list Todo.findMany byRequestId=false scopedBy=query src/routes/todos.ts:110'],
  ])('%s', (route, expected) => {
    expect(lines(facts(route))).toEqual([expected]);
  });

  it('analyses a helper once per argument signature: the principal call is scoped, the client one is not', () => {
    const f = facts('GET /:id/compare');
    expect(lines(f)).toEqual([
      'read Todo.findFirst byRequestId=true scopedBy=query src/repositories/todo-repository.ts:9',
      'read Todo.findFirst byRequestId=true scopedBy=- src/repositories/todo-repository.ts:9',
    ]);
    // reported at the handler's argument, where the client's value enters
    expect(identityLines(f)).toEqual(['filter userId from query (req.query) into Todo line=38']);
  });

  it('a record returned up through helpers and checked by an owner-comparing helper covers the later delete', () => {
    expect(lines(facts('DELETE /:id/checked-by-helpers'))).toEqual([
      'read Todo.findUnique byRequestId=true scopedBy=check src/repositories/todo-repository.ts:5',
      'delete Todo.delete byRequestId=true scopedBy=check src/repositories/todo-repository.ts:25',
    ]);
    expect(lines(facts('DELETE /:id/unchecked-helpers'))).toEqual([
      'read Todo.findUnique byRequestId=true scopedBy=- src/repositories/todo-repository.ts:5',
      'delete Todo.delete byRequestId=true scopedBy=- src/repositories/todo-repository.ts:25',
    ]);
  });

  it('a :userId check after the query does not verify it; before the query it does', () => {
    expect(identityLines(facts('GET /by-user/:userId/late'))).toEqual(['filter userId from params (req.params) into Todo line=102']);
    expect(identityLines(facts('GET /by-user/:userId/early'))).toEqual([]);
  });

  it('threads the principal into a service method called from one place; explains the other cases', () => {
    expect(fixOf(facts('GET /:id/direct'))).toEqual([[', userId: string', ', req.user!.id', 'findFirst', ', userId']]);
    expect(fixOf(facts('GET /:id/shared-a'))).toEqual([
      "shared() is called from 2 places (or cannot be told apart from calls of other functions named shared); give it a parameter for the authenticated user's id, pass it from each caller, and add userId to the query",
    ]);
    expect(fixOf(facts('GET /:id'))).toEqual([
      "the query is in findById(), 2 calls away from the handler; pass the authenticated user's id down to it and add userId to the query there",
    ]);
  });

  describe('after the threading fix', () => {
    const dir = copyFixture('express/layered-services');
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const before = new FixtureProject(dir).facts('src/routes/todos.ts', 'GET /:id/direct');
    const texts = applyFixes(dir, before.dataAccesses.flatMap((a) => (a.fix ? [a.fix] : [])));

    it('writes the parameter, the argument and the owner filter', () => {
      expect(texts['src/services/todo-service.ts']).toContain('  find(id: string, userId: string) {\n    return prisma.todo.findFirst({ where: { id, userId } });');
      expect(texts['src/routes/todos.ts']).toContain('res.json(await todoService.find(req.params.id, req.user!.id));');
    });

    it('re-scans as scoped, with nothing left to fix', () => {
      const after = new FixtureProject(dir).facts('src/routes/todos.ts', 'GET /:id/direct');
      expect(lines(after)).toEqual(['read Todo.findFirst byRequestId=true scopedBy=query src/services/todo-service.ts:23']);
      expect(after.dataAccesses[0].fix).toBeUndefined();
    });
  });
});
