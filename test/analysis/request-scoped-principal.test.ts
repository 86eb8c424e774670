// The current user read outside the handler's parameters. Nest: a request-scoped provider that injects
// REQUEST, nestjs-cls keys, a request-scoped context the guard fills through a setter, the same context
// as a singleton, and a base service's getter over a key a passport-jwt strategy sets. Express: an AsyncLocalStorage entered by a middleware and express-http-context keys. A
// store counts as the principal only when every write stores the verified user; a header (or query value)
// written into it is the client's claim; a key nothing sets, a value set before the guards run and a
// singleton's field are unknown.
import { describe, expect, it } from 'vitest';
import { analyzeHandler } from '../../src/analysis/handler-facts.js';
import { loadOwnerSchema } from '../../src/analysis/schema/index.js';
import { scan } from '../../src/api.js';
import { runScan } from '../../src/pipeline/scan.js';
import { Resolver } from '../../src/syntax/resolve.js';
import { fixture, repoRoot } from '../helpers/fixtures.js';
import { FixtureProject, identityLines } from './harness.js';

const findingLines = async (dir: string) =>
  (await scan({ paths: [dir], cwd: repoRoot, missingAuth: 'strict' })).findings.map((f) => `${f.ruleId} ${f.route?.method} ${f.route?.path} ${f.loc.file}:${f.loc.line} ${f.message}`);

describe('nest: request-scoped providers and nestjs-cls (request-scoped-principal)', () => {
  const dir = fixture('nest', 'request-scoped-principal');

  it('reports the header claims, the unset, pre-guard and unknown-strategy cls keys and the singleton-held user; nothing else', async () => {
    expect(await findingLines(dir)).toEqual([
      'unscoped-query GET /strategy-todos/:id/shared-options src/strategy-todos/strategy-todos.service.ts:18 GET /strategy-todos/:id/shared-options reads Todo by a request id without scoping it to the authenticated user',
      'unscoped-query GET /todos/:id/claimed-user src/todos/todos.service.ts:25 GET /todos/:id/claimed-user reads Todo by a request id without scoping it to the authenticated user',
      'user-id-from-request GET /todos/:id/claimed-user src/todos/todos.service.ts:25 GET /todos/:id/claimed-user takes userId from this.request.headers instead of the authenticated user',
      'unscoped-query GET /todos/:id/cls-claimed-user src/todos/todos.service.ts:35 GET /todos/:id/cls-claimed-user reads Todo by a request id without scoping it to the authenticated user',
      'user-id-from-request GET /todos/:id/cls-claimed-user src/todos/todos.service.ts:35 GET /todos/:id/cls-claimed-user takes userId from request.headers instead of the authenticated user',
      'unscoped-query GET /todos/:id/cls-early-user src/todos/todos.service.ts:40 GET /todos/:id/cls-early-user reads Todo by a request id without scoping it to the authenticated user',
      'unscoped-query GET /todos/:id/cls-unset-user src/todos/todos.service.ts:45 GET /todos/:id/cls-unset-user reads Todo by a request id without scoping it to the authenticated user',
      'unscoped-query DELETE /todos/:id/shared-state src/todos/todos.service.ts:57 DELETE /todos/:id/shared-state reads Todo by a request id without scoping it to the authenticated user',
      'unscoped-query DELETE /todos/:id/shared-state src/todos/todos.service.ts:59 DELETE /todos/:id/shared-state deletes Todo by a request id without scoping it to the authenticated user',
    ]);
  });

  it('says how each query is bound', () => {
    const run = runScan({ paths: [dir], cwd: repoRoot, missingAuth: 'strict' });
    const schema = loadOwnerSchema(run.project.files, run.project.root, run.project.config);
    const resolver = new Resolver(run.project.modules, run.project.files);
    const lines: string[] = [];
    for (const r of run.records) {
      const facts = analyzeHandler(r.handler!, r.requestSpec!, { resolver, schema, config: run.project.config, root: run.project.root });
      for (const a of facts.dataAccesses) lines.push(`${r.route.method} ${r.route.path}: ${a.model}.${a.operation} scopedBy=${a.scopedBy ?? '-'}`);
    }
    expect(lines).toEqual([
      // the getter of the REQUEST-injected provider returns request.user.id
      'GET /todos/:id/request-user: Todo.findFirst scopedBy=query',
      'GET /todos/:id/claimed-user: Todo.findFirst scopedBy=-',
      // cls.set('userId', request.user?.id) in the ClsModule interceptor, after the guard
      'GET /todos/:id/cls-user: Todo.findFirst scopedBy=query',
      'GET /todos/:id/cls-claimed-user: Todo.findFirst scopedBy=-',
      'GET /todos/:id/cls-early-user: Todo.findFirst scopedBy=-',
      'GET /todos/:id/cls-unset-user: Todo.findFirst scopedBy=-',
      // the guard's setUser(user) with a verified payload, in a request-scoped provider: the check counts
      'DELETE /todos/:id: Todo.findUnique scopedBy=check',
      'DELETE /todos/:id: Todo.delete scopedBy=check',
      'DELETE /todos/:id/shared-state: Todo.findUnique scopedBy=-',
      'DELETE /todos/:id/shared-state: Todo.delete scopedBy=-',
      // a base service's getter reads the key passport-jwt's validate(payload) sets from the verified payload
      'GET /strategy-todos/:id: Todo.findFirst scopedBy=query',
      // the same, set by a strategy whose options (passReqToCallback?) are built elsewhere
      'GET /strategy-todos/:id/shared-options: Todo.findFirst scopedBy=-',
    ]);
  });
});

describe('express: AsyncLocalStorage and express-http-context (request-context-stores)', () => {
  const dir = fixture('express', 'request-context-stores');
  const p = new FixtureProject(dir);
  const scoped = (route: string) => p.facts('src/routes/todos.ts', route).dataAccesses.map((a) => `${a.model}.${a.operation} scopedBy=${a.scopedBy ?? '-'}`);

  it.each([
    // requestContext.run({ userId: req.user!.id, ... }, next) after requireAuth
    ['GET /:id', 'Todo.findFirst scopedBy=query'],
    // const { userId } = requestContext.getStore()!
    ['POST /:id/done', 'Todo.updateMany scopedBy=query'],
    ['GET /:id/claimed', 'Todo.findFirst scopedBy=-'],
    ['GET /:id/acting-for', 'Todo.findFirst scopedBy=-'],
    ['GET /:id/http-context', 'Todo.findFirst scopedBy=query'],
    ['GET /:id/http-context/acting-for', 'Todo.findFirst scopedBy=-'],
    ['GET /:id/http-context/impersonating', 'Todo.findFirst scopedBy=-'],
  ])('%s: %s', (route, expected) => {
    expect(scoped(route)).toEqual([expected]);
  });

  it('a header or query value copied into a store is the client claim, reported where the store is read', () => {
    expect(identityLines(p.facts('src/routes/todos.ts', 'GET /:id/claimed'))).toEqual(["filter userId from headers (req.get('x-user-id')) into Todo line=19"]);
    expect(identityLines(p.facts('src/routes/todos.ts', 'GET /:id/http-context/acting-for'))).toEqual(['filter userId from query (req.query) into Todo line=33']);
    expect(identityLines(p.facts('src/routes/todos.ts', 'GET /:id/acting-for'))).toEqual([]);
  });

  it('reports exactly the unscoped reads and the client claims', async () => {
    expect(await findingLines(dir)).toEqual([
      'unscoped-query GET /api/todos/:id/claimed src/repositories/todos.ts:19 GET /api/todos/:id/claimed reads Todo by a request id without scoping it to the authenticated user',
      "user-id-from-request GET /api/todos/:id/claimed src/repositories/todos.ts:19 GET /api/todos/:id/claimed takes userId from req.get('x-user-id') instead of the authenticated user",
      'unscoped-query GET /api/todos/:id/acting-for src/repositories/todos.ts:24 GET /api/todos/:id/acting-for reads Todo by a request id without scoping it to the authenticated user',
      'unscoped-query GET /api/todos/:id/http-context/acting-for src/repositories/todos.ts:33 GET /api/todos/:id/http-context/acting-for reads Todo by a request id without scoping it to the authenticated user',
      'user-id-from-request GET /api/todos/:id/http-context/acting-for src/repositories/todos.ts:33 GET /api/todos/:id/http-context/acting-for takes userId from req.query instead of the authenticated user',
      'unscoped-query GET /api/todos/:id/http-context/impersonating src/repositories/todos.ts:37 GET /api/todos/:id/http-context/impersonating reads Todo by a request id without scoping it to the authenticated user',
    ]);
  });
});

