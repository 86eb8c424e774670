// Records written back after their read (issue 6): `repo.save(todo)`, `repo.remove(todo)`, Mongoose
// `todo.save()`, Sequelize `todo.update(values)` / `todo.destroy()` change the record the read selected, so
// they are updates and deletes by the read's id, scoped when the read was (or its record was checked).
// New objects (`repo.create(dto)`, `new Todo()`) are inserts. On authored content only real changes count.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fix, scan } from '../../src/api.js';
import { makeTempProject, removeTempProject } from '../helpers/temp-project.js';
import { FixtureProject, accessLines, repoRoot } from './harness.js';

const load = (name: string) => new FixtureProject(path.join(repoRoot, 'fixtures/express', name));
const fixTexts = (p: FixtureProject, file: string, route: string) =>
  p.facts(file, route).dataAccesses.map((a) => a.fix?.edits.map((e) => e.text) ?? a.notFixableReason ?? '-');

describe('TypeORM record writes (record-writes)', () => {
  const p = load('record-writes');

  it.each([
    // { ...todo, title }: a copy keeping the primary key, saved
    ['PATCH /:id/copy', ['read Todo.findOneBy byRequestId=true(req.params.id) owner=userId scopedBy=- line=17', 'update Todo.save byRequestId=true(req.params.id) owner=userId scopedBy=- line=18']],
    // AppDataSource.manager.save(Todo, todo)
    ['PATCH /:id/manager', ['read Todo.findOne byRequestId=true(req.params.id) owner=userId scopedBy=- line=23', 'update Todo.save byRequestId=true(req.params.id) owner=userId scopedBy=- line=26']],
    // if (!todo) todo = todos.create(...): the record read may still be the one saved
    ['PUT /:id', ['read Todo.findOneBy byRequestId=true(req.params.id) owner=userId scopedBy=- line=31', 'update Todo.save byRequestId=true(req.params.id) owner=userId scopedBy=- line=34']],
    // returned by loadTodo(), which read it: the read is in the helper
    ['POST /:id/done', ['read Todo.findOneBy byRequestId=true(req.params.id) owner=userId scopedBy=- line=10', 'update Todo.save byRequestId=true(req.params.id) owner=userId scopedBy=- line=41']],
    // the same helper, checked by the caller before the save
    ['POST /:id/undone', ['read Todo.findOneBy byRequestId=true(req.params.id) owner=userId scopedBy=check line=10', 'update Todo.save byRequestId=true(req.params.id) owner=userId scopedBy=check line=49']],
    // todos.create(...) and new Todo(): inserts
    ['POST /:id/duplicate', ['read Todo.findOneBy byRequestId=true(req.params.id) owner=userId scopedBy=query line=54', 'create Todo.save byRequestId=false owner=userId scopedBy=- line=57']],
    ['POST /:id/fresh', ['read Todo.findOneBy byRequestId=true(req.params.id) owner=userId scopedBy=query line=62', 'create Todo.save byRequestId=false owner=userId scopedBy=- line=66']],
  ])('todos %s', (route, expected) => {
    expect(accessLines(p.facts('src/routes/todos.ts', route))).toEqual(expected);
  });

  it.each([
    // post.likes++ on authored content: counted, not changed
    ['POST /:id/like', ['read Post.findOneBy byRequestId=true(req.params.id) owner=authorId scopedBy=- line=10', 'update Post.save byRequestId=true(req.params.id) owner=authorId scopedBy=query line=13']],
    ['PATCH /:id', ['read Post.findOneBy byRequestId=true(req.params.id) owner=authorId scopedBy=- line=18', 'update Post.save byRequestId=true(req.params.id) owner=authorId scopedBy=- line=21']],
    // post.tags.push(<the client's tag>)
    ['POST /:id/tags', ['read Post.findOneBy byRequestId=true(req.params.id) owner=authorId scopedBy=- line=26', 'update Post.save byRequestId=true(req.params.id) owner=authorId scopedBy=- line=29']],
    ['DELETE /:id', ['read Post.findOneBy byRequestId=true(req.params.id) owner=authorId scopedBy=- line=34', 'delete Post.remove byRequestId=true(req.params.id) owner=authorId scopedBy=- line=36']],
    ['PATCH /:id/mine', ['read Post.findOneBy byRequestId=true(req.params.id) owner=authorId scopedBy=query line=42', 'update Post.save byRequestId=true(req.params.id) owner=authorId scopedBy=query line=45']],
    ['DELETE /:id/checked', ['read Post.findOneBy byRequestId=true(req.params.id) owner=authorId scopedBy=check line=50', 'delete Post.softRemove byRequestId=true(req.params.id) owner=authorId scopedBy=check line=52']],
  ])('posts %s', (route, expected) => {
    expect(accessLines(p.facts('src/routes/posts.ts', route))).toEqual(expected);
  });

  it('fixes a write by scoping its read (the same edit as the read’s own fix), or says why not', () => {
    const [readFix, writeFix] = p.facts('src/routes/todos.ts', 'PUT /:id').dataAccesses.map((a) => a.fix);
    expect(readFix?.edits.map((e) => e.text)).toEqual([', userId: req.user!.id']);
    expect(writeFix?.edits).toEqual(readFix?.edits);
    expect(fixTexts(p, 'src/routes/todos.ts', 'PATCH /:id/manager')).toEqual([[', userId: req.user!.id'], [', userId: req.user!.id']]);
    expect(fixTexts(p, 'src/routes/posts.ts', 'PATCH /:id')[1]).toEqual([', authorId: req.user!.id']);
    const helper = "loadTodo() is called from 2 places (or cannot be told apart from calls of other functions named loadTodo); give it a parameter for the authenticated user's id, pass it from each caller, and add userId to the query";
    expect(fixTexts(p, 'src/routes/todos.ts', 'POST /:id/done')).toEqual([helper, helper]);
  });
});

describe('Mongoose documents and Sequelize instances written back', () => {
  it('Mongoose: findById then todo.save() is an update; a scoped findOne then deleteOne() is not reported', () => {
    const p = load('mongoose-owner-scoping');
    expect(accessLines(p.facts('src/routes/todos.ts', 'PATCH /:id'))).toEqual([
      'read Todo.findById byRequestId=true(req.params.id) owner=owner scopedBy=- line=49',
      'update Todo.save byRequestId=true(req.params.id) owner=owner scopedBy=- line=52',
    ]);
    expect(fixTexts(p, 'src/routes/todos.ts', 'PATCH /:id')).toEqual([
      ['findOne', '{ _id: req.params.id, owner: req.user!.id }'],
      ['findOne', '{ _id: req.params.id, owner: req.user!.id }'],
    ]);
    expect(accessLines(p.facts('src/routes/todos.ts', 'DELETE /:id/scoped'))).toEqual([
      'read Todo.findOne byRequestId=true(req.params.id) owner=owner scopedBy=query line=58',
      'delete Todo.deleteOne byRequestId=true(req.params.id) owner=owner scopedBy=query line=60',
    ]);
  });

  it('Sequelize: findByPk then todo.update(values) is an update; a scoped findOne then destroy() is not reported', () => {
    const p = load('sequelize-owner-scoping');
    expect(accessLines(p.facts('src/routes/todos.ts', 'PATCH /:id'))).toEqual([
      'read Todo.findByPk byRequestId=true(req.params.id) owner=ownerId scopedBy=- line=23',
      'update Todo.update byRequestId=true(req.params.id) owner=ownerId scopedBy=- line=25',
    ]);
    expect(fixTexts(p, 'src/routes/todos.ts', 'PATCH /:id')[1]).toEqual(['findOne', '{ where: { id: req.params.id, ownerId: req.user!.id } }']);
    expect(accessLines(p.facts('src/routes/todos.ts', 'DELETE /:id/mine'))).toEqual([
      'read Todo.findOne byRequestId=true(req.params.id) owner=ownerId scopedBy=query line=31',
      'delete Todo.destroy byRequestId=true(req.params.id) owner=ownerId scopedBy=query line=33',
    ]);
  });
});

describe('Sequelize includes of the parent a record belongs to (sequelize-owner-scoping)', () => {
  const p = load('sequelize-owner-scoping');

  it('reads the belongsTo associations of each model', () => {
    const todo = p.schema.get('Todo', 'sequelize');
    expect(todo?.parents).toEqual([
      { model: 'User', foreignKey: 'ownerId' },
      { model: 'User', foreignKey: 'assigneeId', as: 'assignee' },
      { model: 'Project', foreignKey: 'projectId' },
    ]);
    expect(p.schema.get('Label', 'sequelize')?.parents).toEqual([{ model: 'User', foreignKey: 'ownerId' }]);
  });

  it.each([
    // include: [{ model: Project, where: { ownerId: me } }] (required by its where)
    ['GET /:id/in-my-project', 'query'],
    // include: [{ model: User, where: { id: me } }] through the owner association
    ['GET /:id/owned', 'query'],
    // required: false
    ['GET /:id/with-project', '-'],
    // as: 'assignee': another association with User
    ['GET /:id/assigned', '-'],
    // belongsToMany(Label): not a parent
    ['GET /:id/labelled', '-'],
  ])('%s scopedBy=%s', (route, scopedBy) => {
    const [access] = p.facts('src/routes/todos.ts', route).dataAccesses;
    expect(`${access.kind} ${access.model}.${access.operation} byRequestId=${access.byRequestId} scopedBy=${access.scopedBy ?? '-'}`).toBe(
      `read Todo.findOne byRequestId=true scopedBy=${scopedBy}`,
    );
  });

  it('fixes an include that does not scope by binding the todo’s own owner', () => {
    expect(fixTexts(p, 'src/routes/todos.ts', 'GET /:id/with-project')).toEqual([[', ownerId: req.user!.id']]);
  });
});

// The shape of lujakob/nestjs-realworld-example-app's PUT /articles/:slug on TypeORM 0.2: findOne takes the
// conditions themselves, the record gets the client's values by Object.assign and is saved back.
describe('TypeORM 0.2 find conditions in a Nest service', () => {
  const files: Record<string, string> = {
    'package.json': JSON.stringify({ name: 'legacy', dependencies: { '@nestjs/common': '^7.0.0', '@nestjs/core': '^7.0.0', '@nestjs/typeorm': '^7.0.0', typeorm: '^0.2.24' } }),
    'src/user.entity.ts': [
      "import { Entity, PrimaryGeneratedColumn } from 'typeorm';",
      '@Entity()',
      'export class UserEntity {',
      '  @PrimaryGeneratedColumn() id: number;',
      '}',
      '',
    ].join('\n'),
    'src/article.entity.ts': [
      "import { Column, Entity, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';",
      "import { UserEntity } from './user.entity';",
      '@Entity()',
      'export class ArticleEntity {',
      '  @PrimaryGeneratedColumn() id: number;',
      '  @Column() slug: string;',
      '  @Column() title: string;',
      '  @Column({ default: 0 }) favoriteCount: number;',
      '  @ManyToOne(type => UserEntity) author: UserEntity;',
      '}',
      '',
    ].join('\n'),
    'src/article.service.ts': [
      "import { Injectable } from '@nestjs/common';",
      "import { InjectRepository } from '@nestjs/typeorm';",
      "import { Repository } from 'typeorm';",
      "import { ArticleEntity } from './article.entity';",
      '@Injectable()',
      'export class ArticleService {',
      '  constructor(@InjectRepository(ArticleEntity) private readonly articleRepository: Repository<ArticleEntity>) {}',
      '  async update(slug: string, articleData: any) {',
      '    let toUpdate = await this.articleRepository.findOne({ slug: slug });',
      '    let updated = Object.assign(toUpdate, articleData);',
      '    return await this.articleRepository.save(updated);',
      '  }',
      '  async remove(id: number) {',
      '    const article = await this.articleRepository.findOne(id);',
      '    await this.articleRepository.remove(article);',
      '  }',
      '  async favorite(slug: string) {',
      '    let article = await this.articleRepository.findOne({ slug });',
      '    article.favoriteCount++;',
      '    article = await this.articleRepository.save(article);',
      '    return article;',
      '  }',
      '}',
      '',
    ].join('\n'),
    'src/article.controller.ts': [
      "import { Body, Controller, Delete, Param, Post, Put, UseGuards } from '@nestjs/common';",
      "import { ArticleService } from './article.service';",
      "import { AuthGuard } from './auth.guard';",
      '@UseGuards(AuthGuard)',
      "@Controller('articles')",
      'export class ArticleController {',
      '  constructor(private readonly articleService: ArticleService) {}',
      "  @Put(':slug')",
      "  async update(@Param() params, @Body('article') articleData) {",
      '    return this.articleService.update(params.slug, articleData);',
      '  }',
      "  @Delete(':id')",
      "  async remove(@Param('id') id) {",
      '    return this.articleService.remove(id);',
      '  }',
      "  @Post(':slug/favorite')",
      "  async favorite(@Param('slug') slug) {",
      '    return await this.articleService.favorite(slug);',
      '  }',
      '}',
      '',
    ].join('\n'),
    'src/app.module.ts': [
      "import { Module } from '@nestjs/common';",
      "import { ArticleController } from './article.controller';",
      "import { ArticleService } from './article.service';",
      '@Module({ controllers: [ArticleController], providers: [ArticleService] })',
      'export class AppModule {}',
      '',
    ].join('\n'),
    'src/main.ts': [
      "import { NestFactory } from '@nestjs/core';",
      "import { AppModule } from './app.module';",
      'async function bootstrap() {',
      '  const app = await NestFactory.create(AppModule);',
      '  await app.listen(3000);',
      '}',
      'bootstrap();',
      '',
    ].join('\n'),
    'src/auth.guard.ts': [
      "import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';",
      '@Injectable()',
      'export class AuthGuard implements CanActivate {',
      '  canActivate(context: ExecutionContext): boolean {',
      '    const request = context.switchToHttp().getRequest();',
      '    if (!request.headers.authorization) throw new UnauthorizedException();',
      '    request.user = { id: 1 };',
      '    return true;',
      '  }',
      '}',
      '',
    ].join('\n'),
  };
  const dir = makeTempProject('typeorm-legacy-find', files);
  afterAll(() => removeTempProject(dir));

  it('reports the save and the removal of an article read by its key, not the favourite count', async () => {
    const result = await scan({ paths: [dir], cwd: dir });
    expect(result.findings.filter((f) => f.ruleId === 'unscoped-query').map((f) => `${f.route?.method} ${f.route?.path} ${f.loc.file}:${f.loc.line} ${f.message}`)).toEqual([
      'PUT /articles/:slug src/article.service.ts:11 PUT /articles/:slug updates ArticleEntity by a request id without scoping it to the authenticated user',
      // findOne(id), then remove(article)
      'DELETE /articles/:id src/article.service.ts:15 DELETE /articles/:id deletes ArticleEntity by a request id without scoping it to the authenticated user',
    ]);
  });

  it('fixes them by binding the author in the read’s conditions', async () => {
    const first = await fix({ paths: [dir], cwd: dir, force: true, dryRun: false });
    expect(first.result.findings.filter((f) => f.ruleId === 'unscoped-query')).toEqual([]);
    const service = fs.readFileSync(path.join(dir, 'src/article.service.ts'), 'utf8');
    expect(service).toContain('  async update(slug: string, articleData: any, authorId: string) {\n    let toUpdate = await this.articleRepository.findOne({ slug: slug, author: { id: authorId } });');
    expect(service).toContain('  async remove(id: number, authorId: string) {\n    const article = await this.articleRepository.findOne({ id, author: { id: authorId } });');
    expect(service).toContain('    let article = await this.articleRepository.findOne({ slug });');
    const second = await fix({ paths: [dir], cwd: dir, force: true, dryRun: false });
    expect([second.written, second.created]).toEqual([[], []]);
  });
});
