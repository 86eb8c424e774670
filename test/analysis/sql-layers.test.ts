// Raw SQL (better-sqlite3 here; node-postgres/mysql shapes share the reader), Knex and Kysely, with owner
// columns learnt from a SQL migration, a Knex migration and a Kysely migration.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSql } from '../../src/analysis/data-access/sql-text.js';
import type { HandlerFacts } from '../../src/model/facts.js';
import { FixtureProject, identityLines, repoRoot } from './harness.js';

const p = new FixtureProject(path.join(repoRoot, 'fixtures/express/sql-layers'));
const lines = (f: HandlerFacts) => f.dataAccesses.map((a) => `${a.layer} ${a.kind} ${a.model} byRequestId=${a.byRequestId} owner=${a.ownerField ?? '-'} scopedBy=${a.scopedBy ?? '-'} line=${a.loc.line}`);
const fixes = (f: HandlerFacts) => f.dataAccesses.map((a) => a.fix?.edits.map((e) => e.text) ?? a.notFixableReason);

describe('owner columns from migrations', () => {
  it('SQL CREATE TABLE with FOREIGN KEY, Knex createTable with references().inTable(), Kysely addColumn with references()', () => {
    const owner = (t: string) => [p.schema.get(t)?.layer, p.schema.get(t)?.ownerField];
    expect(owner('todos')).toEqual(['sql', 'user_id']);
    expect(owner('users')).toEqual(['sql', undefined]);
    expect(owner('tags')).toEqual(['sql', undefined]);
    expect(owner('notes')).toEqual(['knex', 'user_id']);
    expect(owner('projects')).toEqual(['kysely', 'owner_id']);
  });
});

describe('raw SQL', () => {
  const facts = (route: string) => p.facts('src/routes/raw.ts', route);
  it.each([
    ['GET /todos', 'sql list todos byRequestId=false owner=user_id scopedBy=- line=7', ['req.user!.id', 'WHERE user_id = ? ']],
    ['GET /todos/:id', 'sql read todos byRequestId=true owner=user_id scopedBy=- line=11', [', req.user!.id', ' AND user_id = ?']],
    ['GET /todos/:id/mine', 'sql read todos byRequestId=true owner=user_id scopedBy=query line=15', undefined],
    // WHERE id = ? OR user_id = ?: neither a selector nor a binding is claimed
    ['GET /todos/:id/or', 'sql read todos byRequestId=false owner=user_id scopedBy=- line=20', undefined],
    ['DELETE /todos/:id', 'sql delete todos byRequestId=true owner=user_id scopedBy=- line=24', [', req.user!.id', ' AND user_id = ?']],
    ['GET /tags/:id', 'sql read tags byRequestId=true owner=- scopedBy=- line=34', undefined],
  ])('%s', (route, expected, fix) => {
    const f = facts(route);
    expect(lines(f)).toEqual([expected]);
    expect(fixes(f)).toEqual([fix]);
  });

  it('an INSERT taking user_id from the body is user-id-from-request, fixed at the argument', () => {
    const f = facts('POST /todos');
    expect(identityLines(f)).toEqual(['write user_id from body (req.body) into todos line=29']);
    expect(f.identityUses[0].fix?.edits.map((e) => e.text)).toEqual(['req.user!.id']);
  });

  it('an UPDATE setting user_id from the body is user-id-from-request; its SET value does not count as the WHERE binding', () => {
    const f = facts('PUT /todos/:id/owner');
    expect(lines(f)).toEqual(['sql update todos byRequestId=true owner=user_id scopedBy=query line=39']);
    expect(identityLines(f)).toEqual(['write user_id from body (req.body) into todos line=39']);
    expect(f.identityUses[0].fix?.edits.map((e) => e.text)).toEqual(['req.user!.id']);
  });

  it('reads WHERE clauses: placeholders, AND, OR, clauses after WHERE, INSERT columns', () => {
    expect(parseSql('select * from todos where id = $1 and user_id = $2 order by id')).toMatchObject({
      op: 'select', table: 'todos', where: [{ column: 'id', index: 0 }, { column: 'user_id', index: 1 }], whereEnd: 50,
    });
    expect(parseSql('UPDATE todos SET title = ?, done = ? WHERE id = ? AND user_id = ?')?.where.map((w) => w.index)).toEqual([2, 3]);
    expect(parseSql('DELETE FROM "todos" WHERE id = ${0} RETURNING *')?.where).toEqual([{ column: 'id', placeholder: '${0}', index: 0 }]);
    expect(parseSql('SELECT * FROM todos WHERE id = $1 OR user_id = $2')).toMatchObject({ hasWhere: true, where: [] });
    expect(parseSql('SELECT t.* FROM todos t JOIN users u ON u.id = t.user_id WHERE t.id = $1')).toMatchObject({ hasWhere: true, where: [] });
    expect(parseSql('INSERT INTO todos (title, user_id) VALUES ($1, $2)')?.insert.map((b) => `${b.column}:${b.index}`)).toEqual(['title:0', 'user_id:1']);
    expect(parseSql('SHOW TABLES')).toBeUndefined();
  });
});

describe('Knex', () => {
  const facts = (route: string) => p.facts('src/routes/knex.ts', route);
  it.each([
    ['GET /todos/:id', 'knex read todos byRequestId=true owner=user_id scopedBy=- line=7', [', user_id: req.user!.id']],
    ['GET /todos/:id/mine', 'knex read todos byRequestId=true owner=user_id scopedBy=query line=11', undefined],
    ['PATCH /todos/:id', 'knex update todos byRequestId=true owner=user_id scopedBy=- line=15', [".where('user_id', req.user!.id)"]],
    // orWhere: the owner binding is an alternative, so nothing is bound (and no id selection is claimed)
    ['GET /todos/:id/either', 'knex read todos byRequestId=false owner=user_id scopedBy=- line=20', undefined],
    ['GET /notes', 'knex list notes byRequestId=false owner=user_id scopedBy=- line=24', [".where('user_id', req.user!.id)"]],
  ])('%s', (route, expected, fix) => {
    const f = facts(route);
    expect(lines(f)).toEqual([expected]);
    expect(fixes(f)).toEqual([fix]);
  });
});

describe('Kysely', () => {
  const facts = (route: string) => p.facts('src/routes/kysely.ts', route);
  it.each([
    ['GET /todos/:id', 'kysely read todos byRequestId=true owner=user_id scopedBy=- line=7', [".where('user_id', '=', req.user!.id)"]],
    ['GET /todos/:id/mine', 'kysely read todos byRequestId=true owner=user_id scopedBy=query line=11', undefined],
    ['GET /todos/:id/callback', 'kysely read todos byRequestId=false owner=user_id scopedBy=- line=16', undefined],
    ['DELETE /projects/:id', 'kysely delete projects byRequestId=true owner=owner_id scopedBy=- line=20', [".where('owner_id', '=', req.user!.id)"]],
  ])('%s', (route, expected, fix) => {
    const f = facts(route);
    expect(lines(f)).toEqual([expected]);
    expect(fixes(f)).toEqual([fix]);
  });
});
