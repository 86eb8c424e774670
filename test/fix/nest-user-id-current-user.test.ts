// Issue 3: a client-supplied owner in a Nest handler that has no principal parameter. The user-id fix adds
// `@CurrentUser() user` (and the generated decorator) and passes `user.id` instead, through the real CLI.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../../src/api.js';
import { copyFixture, repoRoot } from '../helpers/fixtures.js';
import { compile, removeTempProject } from '../helpers/temp-project.js';

const cli = (args: string[]) =>
  promisify(execFile)(process.execPath, [path.join(repoRoot, 'bin/auth-enforcer.js'), ...args], { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1' } }).catch(
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

describe('nest: user-id fix without a principal parameter', () => {
  let dir: string;
  beforeAll(() => {
    dir = copyFixture('nest', 'user-id-without-principal');
  });
  afterAll(() => removeTempProject(dir));

  it('adds @CurrentUser() user, passes user.id, compiles, re-scans clean and is idempotent', async () => {
    const before = await scan({ paths: [dir], cwd: repoRoot, missingAuth: 'strict' });
    expect(before.findings.map((f) => `${f.ruleId} ${f.loc.file}:${f.loc.line}`)).toEqual(['user-id-from-request src/todos/todos.controller.ts:11']);

    await cli(['scan', dir, '--fix']);
    const controller = fs.readFileSync(path.join(dir, 'src/todos/todos.controller.ts'), 'utf8');
    expect(controller).toBe(`import { Body, Controller, Post } from '@nestjs/common';
import { TodosService } from './todos.service';
import { CurrentUser } from '../auth/current-user.decorator';

@Controller('todos')
export class TodosController {
  constructor(private readonly todosService: TodosService) {}

  // The owner comes from the client, and the handler has no principal to take it from instead.
  @Post()
  create(@Body('ownerId') ownerId: string, @Body('title') title: string, @CurrentUser() user: { id: string }) {
    return this.todosService.create(user.id, title);
  }
}
`);
    expect(fs.existsSync(path.join(dir, 'src/auth/current-user.decorator.ts'))).toBe(true);
    await compile(dir, ['--noEmit']);
    expect((await scan({ paths: [dir], cwd: repoRoot, missingAuth: 'strict' })).findings).toEqual([]);

    await cli(['scan', dir, '--fix']);
    expect(fs.readFileSync(path.join(dir, 'src/todos/todos.controller.ts'), 'utf8')).toBe(controller);
  }, 600_000);
});
