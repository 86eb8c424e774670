// A Nest controller whose handlers take no principal, calling a TypeORM service: fix() adds the
// generated @CurrentUser() user parameter, threads user.id into each single-caller service method as a
// new parameter and scopes the query with it (for an article saved back after its read, the read). The result type-checks, re-scans clean, and a second
// run changes nothing.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fix, scan } from '../../src/api.js';
import { compile, removeTempProject, repoRoot } from '../helpers/temp-project.js';

const dir = path.join(repoRoot, 'test/.tmp', `nest-typeorm-ownership-${process.pid}`);
fs.rmSync(dir, { recursive: true, force: true });
fs.cpSync(path.join(repoRoot, 'fixtures/nest/typeorm-ownership'), dir, { recursive: true });
afterAll(() => removeTempProject(dir));
const read = (file: string) => fs.readFileSync(path.join(dir, file), 'utf8');

describe('nest + TypeORM: threading the principal into a service', () => {
  it('reports each unscoped service query before the fix', async () => {
    const result = await scan({ paths: [dir], cwd: dir });
    expect(result.findings.map((f) => `${f.ruleId} ${f.route?.method} ${f.route?.path} ${f.loc.file}:${f.loc.line}${f.fix ? ' [fix]' : ''}`)).toEqual([
      // The article read by slug is public, its save back after a change is not; favouriting only counts it.
      'unscoped-query PATCH /articles/:slug src/articles/articles.service.ts:15 [fix]',
      'unscoped-query GET /todos/:id src/todos/todos.service.ts:11 [fix]',
      'unscoped-query PATCH /todos/:id src/todos/todos.service.ts:15 [fix]',
      'unscoped-query GET /todos src/todos/todos.service.ts:19 [fix]',
    ]);
  });

  it('writes the parameter, the argument and the owner filter, exactly', async () => {
    const first = await fix({ paths: [dir], cwd: dir, force: true, dryRun: false });
    expect(first.result.findings).toEqual([]);
    expect(read('src/todos/todos.service.ts')).toContain(`  findOne(id: string, ownerId: string) {
    return this.todos.findOneBy({ id, ownerId });
  }

  rename(id: string, title: string, ownerId: string) {
    return this.todos.update({ id, ownerId }, { title });
  }

  list(ownerId: string) {
    return this.todos.find({ where: { ownerId } });
  }`);
    const controller = read('src/todos/todos.controller.ts');
    expect(controller).toContain("import { CurrentUser } from '../auth/current-user.decorator';");
    expect(controller).toContain(`  findOne(@Param('id') id: string, @CurrentUser() user: { id: string }) {
    return this.todosService.findOne(id, user.id);`);
    expect(controller).toContain(`  rename(@Param('id') id: string, @Body('title') title: string, @CurrentUser() user: { id: string }) {
    return this.todosService.rename(id, title, user.id);`);
    expect(controller).toContain(`  list(@CurrentUser() user: { id: string }) {
    return this.todosService.list(user.id);`);
    // The save's fix scopes the read that selected the record.
    const articles = read('src/articles/articles.service.ts');
    expect(articles).toContain(`  async retitle(slug: string, title: string, authorId: string) {
    const article = await this.articles.findOneBy({ slug, author: { id: authorId } });`);
    expect(articles).toContain(`  async favorite(slug: string) {
    const article = await this.articles.findOneBy({ slug });`);
    expect(read('src/articles/articles.controller.ts')).toContain(`  retitle(@Param('slug') slug: string, @Body('title') title: string, @CurrentUser() user: { id: string }) {
    return this.articlesService.retitle(slug, title, user.id);`);
    const second = await fix({ paths: [dir], cwd: dir, force: true, dryRun: false });
    expect([second.written, second.created]).toEqual([[], []]);
  });

  it('type-checks after the fix', async () => {
    await compile(dir, ['--noEmit']);
  }, 600_000);
});
