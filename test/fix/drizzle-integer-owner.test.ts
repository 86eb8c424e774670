// Drizzle owner columns of numbers (`integer('user_id')`) with a string principal id (`req.user.id: string`):
// the scoping fix and the owner taken from the token compare the column with `Number(req.user!.id)`, and the
// fixed project type-checks under the strictest options.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fix, scan } from '../../src/api.js';
import { copyFixture } from '../helpers/fixtures.js';
import { compile, removeTempProject, strictCompilerOptions } from '../helpers/temp-project.js';

const rules = ['unscoped-query', 'user-id-from-request'];
const dir = copyFixture('express', 'drizzle-integer-owner');
afterAll(() => removeTempProject(dir));

describe('fix: Drizzle integer owner column, string principal id (drizzle-integer-owner)', () => {
  it('binds every query with Number(req.user!.id), type-checks strictly, re-scans clean, and a second fix changes nothing', async () => {
    const before = await scan({ paths: [dir], cwd: dir });
    expect(before.findings.map((f) => `${f.ruleId} ${f.loc.line}${f.fix ? ' [fix]' : ''}`)).toEqual([
      'unscoped-query 10 [fix]',
      'unscoped-query 15 [fix]',
      'unscoped-query 21 [fix]',
      'unscoped-query 27 [fix]',
      'user-id-from-request 30 [fix]',
    ]);

    await fix({ paths: [dir], cwd: dir, dryRun: false, force: true, rules });
    const text = fs.readFileSync(path.join(dir, 'src/routes/todos.ts'), 'utf8');
    expect(text).toContain('res.json(await db.select().from(todos).where(eq(todos.userId, Number(req.user!.id))));');
    expect(text).toContain('.where(and(eq(todos.id, Number(req.params.id)), eq(todos.userId, Number(req.user!.id))));\n  res.json(todo ?? null);');
    expect(text).toContain('await db.delete(todos).where(and(eq(todos.id, Number(req.params.id)), eq(todos.userId, Number(req.user!.id))));');
    expect(text).toContain('.where(and(eq(todos.id, Number(req.params.id)), eq(todos.userId, Number(req.user!.id))));\n  res.sendStatus(204);\n});\n\n// Scoped');
    // The owner the body chose now comes from the token, converted the same way.
    expect(text).not.toContain('req.body.userId');

    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...strictCompilerOptions, types: ['node'], noEmit: true }, include: ['src'] }));
    await compile(dir);

    const after = await scan({ paths: [dir], cwd: dir });
    expect(after.findings.filter((f) => rules.includes(f.ruleId))).toEqual([]);
    const again = await fix({ paths: [dir], cwd: dir, dryRun: false, force: true, rules });
    expect(again.written).toEqual([]);
  });
});
