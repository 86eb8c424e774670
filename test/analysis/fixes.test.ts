import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import unscopedQuery from '../../rules/unscoped-query.js';
import userIdFromRequest from '../../rules/user-id-from-request.js';
import { defaultConfig } from '../../src/model/config.js';
import type { Fix, Route } from '../../src/model/types.js';
import { FixtureProject, applyFixes, copyFixture, repoRoot } from './harness.js';

const copies: string[] = [];
afterAll(() => {
  for (const dir of copies) fs.rmSync(dir, { recursive: true, force: true });
});

/** A throwaway copy that still resolves express, mongoose, ... from the repository's node_modules. */
function workingCopy(name: string): string {
  const dir = copyFixture(`express/${name}`);
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  copies.push(dir);
  return dir;
}

/** Findings of both rules on every handler, as `file route ruleId fixable`. */
function findings(root: string): { line: string; fix?: Fix }[] {
  const project = new FixtureProject(root);
  const out: { line: string; fix?: Fix }[] = [];
  for (const { file, route } of project.routes()) {
    const [method, routePath] = route.split(' ');
    const facts = project.facts(file, route);
    const fakeRoute = { method, path: routePath, auth: { status: 'protected', guards: [] } } as unknown as Route;
    for (const rule of [unscopedQuery, userIdFromRequest]) {
      for (const f of rule.check({ route: fakeRoute, facts, config: defaultConfig() })) {
        out.push({ line: `${file} ${route} ${rule.id}${f.fix ? '' : ' (not fixable)'}`, fix: f.fix });
      }
    }
  }
  return out.sort((a, b) => a.line.localeCompare(b.line));
}

function typeCheck(dir: string): void {
  execFileSync(path.join(repoRoot, 'node_modules/.bin/tsc'), ['-p', dir, '--noEmit'], { encoding: 'utf8' });
}

describe('fixes', () => {
  it.each([
    ['prisma-owner-scoping', []],
    ['user-id-from-request', ['src/routes/users.ts DELETE /:userId/todos/:id user-id-from-request (not fixable)']],
    ['mongoose-owner-scoping', []],
    ['sequelize-owner-scoping', []],
    ['mongodb-driver-owner-scoping', ['src/routes/todos.ts GET /:id unscoped-query (not fixable)']],
    ['sql-layers', []],
    ['typeorm-todos', []],
    // a record read by a helper with two callers (loadTodo), saved back: its read and its save
    // A read whose record is written back is reported once, at the write.
    ['record-writes', ['src/routes/todos.ts POST /:id/done unscoped-query (not fixable)']],
    [
      'layered-services',
      [
        // two and three calls away from the handler, and a service method shared by two handlers
        // read two calls down; delete in a repository function with two callers
        'src/routes/todos.ts DELETE /:id/unchecked-helpers unscoped-query (not fixable)',
        'src/routes/todos.ts DELETE /:id/unchecked-helpers unscoped-query (not fixable)',
        'src/routes/todos.ts GET /:id unscoped-query (not fixable)',
        'src/routes/todos.ts GET /:id/any-deep unscoped-query (not fixable)',
        'src/routes/todos.ts GET /:id/shared-a unscoped-query (not fixable)',
        'src/routes/todos.ts GET /:id/shared-b unscoped-query (not fixable)',
      ],
    ],
  ])('%s: after --fix only the unfixable findings remain, and the project still type-checks', (name, remaining) => {
    const dir = workingCopy(name);
    const before = findings(dir);
    applyFixes(dir, before.flatMap((f) => (f.fix ? [f.fix] : [])));
    expect(findings(dir).map((f) => f.line)).toEqual(remaining);
    typeCheck(dir);
    // A second pass has nothing left to change.
    expect(findings(dir).filter((f) => f.fix)).toEqual([]);
  }, 600_000);

  it('rewrites the Prisma handlers in the file style', () => {
    const dir = workingCopy('prisma-owner-scoping');
    const texts = applyFixes(dir, findings(dir).flatMap((f) => (f.fix ? [f.fix] : [])));
    const todos = texts['src/routes/todos.ts'];
    expect(todos).toContain('const todos = await prisma.todo.findMany({ where: { userId: req.user!.id } });');
    expect(todos).toContain('const todo = await prisma.todo.findFirst({ where: { id: req.params.id, userId: req.user!.id } });');
    expect(todos).toContain('await prisma.todo.delete({ where: { id: req.params.id, userId: req.user!.id } });');
    expect(todos).toContain('await prisma.todo.update({ where: { id: req.params.id, userId: req.user!.id }, data: { title: req.body.title } });');
    // Checked, scoped and unowned accesses are left alone.
    expect(todos).toContain("const todo = await prisma.todo.findUnique({ where: { id: req.params.id } });\n  if (!todo || todo.userId !== req.user!.id) {");
    expect(texts['src/routes/tags.ts']).toBeUndefined();
  });

  it('rewrites identities taken from the request', () => {
    const dir = workingCopy('user-id-from-request');
    const texts = applyFixes(dir, findings(dir).flatMap((f) => (f.fix ? [f.fix] : [])));
    const todos = texts['src/routes/todos.ts'];
    expect(todos).toContain('data: { title: req.body.title, userId: req.user!.id }');
    expect(todos).toContain('const { title } = req.body;\n  const todo = await prisma.todo.create({ data: { title, userId: req.user!.id } });');
    expect(todos).toContain('data: { ...req.body, userId: req.user!.id }');
    expect(todos).toContain('where: { userId: req.user!.id }');
    expect(texts['src/routes/users.ts']).toContain('await addComment(req.user!.id, req.body.text)');
  });

  it('on Prisma 4, turns an update/delete whose result is unused into updateMany/deleteMany, and leaves a used one', () => {
    const dir = workingCopy('prisma-owner-scoping');
    const manifest = path.join(dir, 'package.json');
    fs.writeFileSync(manifest, fs.readFileSync(manifest, 'utf8').replace('"^6.0.0"', '"^4.16.0"'));
    expect(findings(dir).filter((f) => !f.fix).map((f) => f.line)).toEqual(['src/routes/todos.ts PATCH /:id unscoped-query (not fixable)']);
    const texts = applyFixes(dir, findings(dir).flatMap((f) => (f.fix ? [f.fix] : [])));
    expect(texts['src/routes/todos.ts']).toContain('await prisma.todo.deleteMany({ where: { id: req.params.id, userId: req.user!.id } });');
  });

  it('appends to a multi-line object on its own line with the same indentation', () => {
    const dir = workingCopy('sequelize-owner-scoping');
    const file = path.join(dir, 'src/routes/todos.ts');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('{ where: { id: req.params.id } }', '{\n    where: {\n      id: req.params.id,\n    },\n  }'));
    const texts = applyFixes(dir, findings(dir).flatMap((f) => (f.fix ? [f.fix] : [])));
    expect(texts['src/routes/todos.ts']).toContain('    where: {\n      id: req.params.id,\n      ownerId: req.user!.id,\n    },');
  });
});
