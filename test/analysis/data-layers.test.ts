import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FixtureProject, accessLines, identityLines, repoRoot } from './harness.js';

const load = (name: string) => new FixtureProject(path.join(repoRoot, 'fixtures/express', name));
const fixTexts = (p: FixtureProject, route: string) =>
  p.facts('src/routes/todos.ts', route).dataAccesses.map((a) => a.fix?.edits.map((e) => e.text) ?? a.notFixableReason);

describe('Mongoose (mongoose-owner-scoping)', () => {
  const p = load('mongoose-owner-scoping');
  it.each([
    ['GET /:id', 'read Todo.findById byRequestId=true(req.params.id) owner=owner scopedBy=- line=7'],
    ['GET /:id/scoped', 'read Todo.findOne byRequestId=true(req.params.id) owner=owner scopedBy=query line=13'],
    // findById(...).lean() then `!todo.owner.equals(req.user!.id)` refused with 404
    ['GET /:id/checked', 'read Todo.findById byRequestId=true(req.params.id) owner=owner scopedBy=check line=19'],
    ['DELETE /:id', 'delete Todo.findByIdAndDelete byRequestId=true(req.params.id) owner=owner scopedBy=- line=27'],
    ['POST /', 'create Todo.create byRequestId=false owner=owner scopedBy=- line=33'],
  ])('%s', (route, expected) => {
    expect(accessLines(p.facts('src/routes/todos.ts', route))).toEqual([expected]);
  });

  it('lists without an owner filter, and updates by id with the whole body', () => {
    expect(accessLines(p.facts('src/routes/todos.ts', 'GET /'))).toEqual(['list Todo.find byRequestId=false owner=owner scopedBy=- line=38']);
    expect(fixTexts(p, 'GET /')).toEqual([['{ owner: req.user!.id }']]);
    const put = p.facts('src/routes/todos.ts', 'PUT /:id');
    expect(accessLines(put)).toEqual(['update Todo.findByIdAndUpdate byRequestId=true(req.params.id) owner=owner scopedBy=- line=43']);
    expect(identityLines(put)).toEqual(['mass-assignment owner from body (req.body) into Todo line=43']);
    expect(fixTexts(p, 'PUT /:id')).toEqual([['findOneAndUpdate', '{ _id: req.params.id, owner: req.user!.id }']]);
  });

  it('rewrites findById and findByIdAndDelete into owner-scoped findOne forms', () => {
    expect(fixTexts(p, 'GET /:id')).toEqual([['findOne', '{ _id: req.params.id, owner: req.user!.id }']]);
    expect(fixTexts(p, 'DELETE /:id')).toEqual([['findOneAndDelete', '{ _id: req.params.id, owner: req.user!.id }']]);
  });

  it('reports Model.create(req.body) as mass assignment of the owner', () => {
    expect(identityLines(p.facts('src/routes/todos.ts', 'POST /'))).toEqual(['mass-assignment owner from body (req.body) into Todo line=33']);
  });
});

describe('Sequelize (sequelize-owner-scoping)', () => {
  const p = load('sequelize-owner-scoping');
  it.each([
    ['GET /', 'list Todo.findAll byRequestId=false owner=ownerId scopedBy=query line=7'],
    ['GET /:id', 'read Todo.findByPk byRequestId=true(req.params.id) owner=ownerId scopedBy=- line=11'],
    ['DELETE /:id', 'delete Todo.destroy byRequestId=true(req.params.id) owner=ownerId scopedBy=- line=17'],
  ])('%s', (route, expected) => {
    expect(accessLines(p.facts('src/routes/todos.ts', route))).toEqual([expected]);
  });

  it('rewrites findByPk into findOne with the owner, and adds the owner to destroy', () => {
    expect(fixTexts(p, 'GET /:id')).toEqual([['findOne', '{ where: { id: req.params.id, ownerId: req.user!.id } }']]);
    expect(fixTexts(p, 'DELETE /:id')).toEqual([[', ownerId: req.user!.id']]);
  });
});

describe('MongoDB driver (mongodb-driver-owner-scoping)', () => {
  const p = load('mongodb-driver-owner-scoping');
  it.each([
    ['POST /', 'create todos.insertOne byRequestId=false owner=userId scopedBy=- line=9'],
    // { _id: new ObjectId(req.params.id) }
    ['GET /:id', 'read todos.findOne byRequestId=true(req.params.id) owner=userId scopedBy=- line=14'],
    ['GET /:id/scoped', 'read todos.findOne byRequestId=true(req.params.id) owner=userId scopedBy=query line=20'],
  ])('%s', (route, expected) => {
    expect(accessLines(p.facts('src/routes/todos.ts', route))).toEqual([expected]);
  });

  it('does not guess the stored type of the owner', () => {
    expect(fixTexts(p, 'GET /:id')).toEqual(['the stored type of userId in todos is unknown; add `userId` to the filter by hand']);
  });
});

describe('inline authentication', () => {
  it('records a handler that refuses with 401 when the principal is absent', () => {
    const p = load('prisma-owner-scoping');
    expect(p.facts('src/routes/tags.ts', 'GET /').inlineAuth).toEqual({
      evidence: "if (!req.user) return res.status(401).json({ error: 'sign in fir…",
      loc: { file: 'src/routes/tags.ts', line: 14, column: 3, endLine: 16, endColumn: 4 },
    });
  });
});
