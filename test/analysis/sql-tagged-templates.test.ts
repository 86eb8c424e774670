// Bare tagged-template queries (postgres.js, Vercel Postgres, Neon, Prisma $queryRaw/$executeRaw) read like
// the raw SQL of query(): WHERE terms `column = ${value}` joined by AND. UPDATE ... SET values are written
// values (user-id-from-request), never a filter.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSql } from '../../src/analysis/data-access/sql-text.js';
import type { HandlerFacts } from '../../src/model/facts.js';
import { FixtureProject, identityLines, repoRoot } from './harness.js';

const p = new FixtureProject(path.join(repoRoot, 'fixtures/express/sql-tagged-templates'));
const lines = (f: HandlerFacts) =>
  f.dataAccesses.map((a) => `${a.kind} ${a.model} byRequestId=${a.byRequestId} owner=${a.ownerField ?? '-'} scopedBy=${a.scopedBy ?? '-'} line=${a.loc.line}`);
const fixes = (f: HandlerFacts) => f.dataAccesses.map((a) => a.fix?.edits.map((e) => e.text) ?? a.notFixableReason);

describe('postgres.js: const sql = postgres(url) in another module', () => {
  const facts = (route: string) => p.facts('src/routes/todos.ts', route);
  it.each([
    ['GET /', 'list todos byRequestId=false owner=user_id scopedBy=- line=8', ['WHERE user_id = ${req.user!.id} ']],
    ['GET /mine', 'list todos byRequestId=false owner=user_id scopedBy=query line=12', undefined],
    // the WHERE clause is an interpolated fragment: not read, not a list
    ['GET /filtered', 'read todos byRequestId=false owner=user_id scopedBy=- line=18', undefined],
    ['GET /:id', 'read todos byRequestId=true owner=user_id scopedBy=- line=22', [' AND user_id = ${req.user!.id}']],
    ['GET /:id/mine', 'read todos byRequestId=true owner=user_id scopedBy=query line=28', undefined],
    ['GET /:id/checked', 'read todos byRequestId=true owner=user_id scopedBy=check line=35', undefined],
    // OR, JOIN, and a fragment ANDed in: neither a selector nor a binding is claimed
    ['GET /:id/either', 'read todos byRequestId=false owner=user_id scopedBy=- line=42', undefined],
    ['GET /:id/joined', 'read todos byRequestId=false owner=user_id scopedBy=- line=46', undefined],
    ['GET /:id/fragment', 'read todos byRequestId=false owner=user_id scopedBy=- line=51', undefined],
    ['GET /:id/then', 'read todos byRequestId=true owner=user_id scopedBy=- line=55', [' AND user_id = ${req.user!.id}']],
    ['PATCH /:id', 'update todos byRequestId=true owner=user_id scopedBy=- line=63', [' AND user_id = ${req.user!.id}']],
    // SET user_id = ${me} writes the owner; it does not choose the row
    ['POST /:id/claim', 'update todos byRequestId=true owner=user_id scopedBy=- line=69', [' AND user_id = ${req.user!.id}']],
    ['PUT /:id/owner', 'update todos byRequestId=true owner=user_id scopedBy=query line=75', undefined],
    ['DELETE /:id', 'delete todos byRequestId=true owner=user_id scopedBy=- line=80', [' AND user_id = ${req.user!.id}']],
    ['DELETE /:id/in-transaction', 'delete todos byRequestId=true owner=user_id scopedBy=- line=87', [' AND user_id = ${req.user!.id}']],
    ['GET /tags/:id', 'read tags byRequestId=true owner=- scopedBy=- line=98', undefined],
  ])('%s', (route, expected, fix) => {
    const f = facts(route);
    expect(lines(f)).toEqual([expected]);
    expect(fixes(f)).toEqual([fix]);
  });

  it('a query in a repository function gets the principal threaded through a new parameter', () => {
    const f = facts('GET /:id/repo');
    expect(lines(f)).toEqual(['read todos byRequestId=true owner=user_id scopedBy=- line=11']);
    expect(fixes(f)).toEqual([[', user_id: string', ', req.user!.id', ' AND user_id = ${user_id}']]);
  });

  it('an UPDATE setting the owner from the body is user-id-from-request, fixed in the template', () => {
    const f = facts('PUT /:id/owner');
    expect(identityLines(f)).toEqual(['write user_id from body (req.body) into todos line=75']);
    expect(f.identityUses[0].fix?.edits.map((e) => e.text)).toEqual(['req.user!.id']);
  });

  it('an INSERT taking the owner from the body likewise; SET user_id = ${me} is no identity use', () => {
    const f = facts('POST /');
    expect(lines(f)).toEqual(['create todos byRequestId=false owner=user_id scopedBy=- line=93']);
    expect(identityLines(f)).toEqual(['write user_id from body (req.body) into todos line=93']);
    expect(identityLines(facts('POST /:id/claim'))).toEqual([]);
  });
});

describe('other SQL clients', () => {
  it.each([
    // import { sql } from '@vercel/postgres'
    ['GET /:id', 'read projects byRequestId=true owner=owner_id scopedBy=- line=8', [' AND owner_id = ${req.user!.id}']],
    ['GET /:id/mine', 'read projects byRequestId=true owner=owner_id scopedBy=query line=13', undefined],
    // const neonSql = neon(url) from @neondatabase/serverless
    ['DELETE /:id', 'delete projects byRequestId=true owner=owner_id scopedBy=- line=18', [' AND owner_id = ${req.user!.id}']],
  ])('Vercel Postgres and Neon: %s', (route, expected, fix) => {
    const f = p.facts('src/routes/projects.ts', route);
    expect(lines(f)).toEqual([expected]);
    expect(fixes(f)).toEqual([fix]);
  });

  const prismaReason = 'the SQL name of userId in Invoice is not known here; add it to the WHERE clause by hand';
  it.each([
    ['GET /:id', 'read Invoice byRequestId=true owner=userId scopedBy=- line=8', prismaReason],
    // "userId" quoted, as Prisma names the column
    ['GET /:id/mine', 'read Invoice byRequestId=true owner=userId scopedBy=query line=12', undefined],
    // $executeRaw(Prisma.sql`...`): the fragment passed to the call
    ['DELETE /:id', 'delete Invoice byRequestId=true owner=userId scopedBy=- line=16', prismaReason],
    ['PUT /:id/account', 'update Invoice byRequestId=true owner=userId scopedBy=query line=22', undefined],
  ])('Prisma $queryRaw/$executeRaw on a model known only from schema.prisma (reported, not fixed): %s', (route, expected, fix) => {
    const f = p.facts('src/routes/invoices.ts', route);
    expect(lines(f)).toEqual([expected]);
    expect(fixes(f)).toEqual([fix]);
  });

  it('Prisma: an owner set from the body in UPDATE ... SET is fixed (the value, not the column, is replaced)', () => {
    const f = p.facts('src/routes/invoices.ts', 'PUT /:id/account');
    expect(identityLines(f)).toEqual(['write userId from body (req.body) into Invoice line=22']);
    expect(f.identityUses[0].fix?.edits.map((e) => e.text)).toEqual(['req.user!.id']);
  });

  it.each(['GET /:id/drizzle', 'GET /:id/explain'])('not a query: a drizzle-orm fragment, a project tag (%s)', (route) => {
    const f = p.facts('src/routes/fragments.ts', route);
    expect(f.dataAccesses).toEqual([]);
    expect(f.identityUses).toEqual([]);
  });
});

describe('reading template SQL', () => {
  it('UPDATE ... SET assignments are written values, kept apart from the WHERE terms', () => {
    const s = parseSql('UPDATE todos SET title = ${0}, user_id = ${1} WHERE id = ${2} RETURNING *');
    expect(s?.set).toEqual([{ column: 'title', placeholder: '${0}', index: 0 }, { column: 'user_id', placeholder: '${1}', index: 1 }]);
    expect(s?.where).toEqual([{ column: 'id', placeholder: '${2}', index: 2 }]);
    expect(parseSql('UPDATE todos SET user_id = ? , done = COALESCE(?, done) WHERE id = ?')).toMatchObject({
      set: [{ column: 'user_id', index: 0 }],
      where: [{ column: 'id', index: 2 }],
    });
    expect(parseSql('UPDATE todos SET user_id = $1')).toMatchObject({ set: [{ column: 'user_id', index: 0 }], where: [], hasWhere: false });
  });

  it('an interpolated fragment where a condition may stand makes the WHERE clause unreadable', () => {
    expect(parseSql('SELECT * FROM todos WHERE id = ${0} AND ${1}')).toMatchObject({ hasWhere: true, where: [] });
    expect(parseSql('SELECT * FROM todos ${0} ORDER BY id')).toMatchObject({ hasWhere: true, where: [] });
    // values after operators, IN and LIMIT are values
    expect(parseSql('SELECT * FROM todos WHERE id = ${0} AND tag IN ${1} LIMIT ${2}')?.where).toEqual([{ column: 'id', placeholder: '${0}', index: 0 }]);
    expect(parseSql('SELECT * FROM todos ORDER BY id LIMIT ${0}')).toMatchObject({ hasWhere: false, where: [] });
  });

  it('a sub-select anywhere has a FROM and WHERE of its own: nothing is read', () => {
    expect(parseSql('SELECT *, (SELECT count(*) FROM tags WHERE tags.todo_id = todos.id) FROM todos WHERE id = $1')).toMatchObject({ hasWhere: true, where: [] });
    expect(parseSql('UPDATE todos SET n = (SELECT count(*) FROM tags WHERE id = $1) WHERE id = $2')).toMatchObject({ hasWhere: true, where: [], set: [] });
  });
});
