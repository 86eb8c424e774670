// Drizzle on Hono: owner columns learnt from table definitions, every query shape read as scoped or
// not, and the scoping fixes written into the query (on a copy of the fixture).
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOwnerSchema } from '../../src/analysis/schema/index.js';
import { fix, scan } from '../../src/api.js';
import { loadProject } from '../../src/discover/project.js';
import { defaultConfig } from '../../src/model/config.js';
import { fixture, repoRoot } from '../helpers/fixtures.js';
import { compile, removeTempProject } from '../helpers/temp-project.js';


const made: string[] = [];
afterEach(() => {
  while (made.length) removeTempProject(made.pop()!);
});

async function analysisFindings(dir: string): Promise<string[]> {
  const result = await scan({ paths: [dir], cwd: repoRoot, missingAuth: 'strict' });
  return result.findings
    .filter((f) => f.ruleId !== 'missing-auth')
    .map((f) => `${f.ruleId} ${f.route!.method} ${f.route!.path} ${f.loc.file}:${f.loc.line}${f.fix ? ' [fix]' : ''}`);
}

describe('drizzle: owner schema', () => {
  it('finds the owner by a reference to the user table, or by an identity column name; user and unowned tables have none', () => {
    const models = (name: string) => {
      const root = fixture('hono', name);
      const config = defaultConfig();
      return loadOwnerSchema(loadProject(root, [root], config).files, root, config)
        .models.filter((m) => m.layer === 'drizzle')
        .map((m) => `${m.name} id=${m.idField} owner=${m.ownerField ?? '-'} aliases=${m.aliases.join(',')}`);
    };
    expect(models('drizzle-shapes')).toEqual(['accounts id=id owner=- aliases=', 'notes id=id owner=writer aliases=', 'countries id=code owner=- aliases=']);
    expect(models('drizzle-todos')).toEqual(['users id=id owner=- aliases=', 'todos id=id owner=userId aliases=', 'tags id=id owner=- aliases=']);
  });
});

describe('drizzle: query shapes', () => {
  it('reports unscoped select/query/update/list and a client-chosen owner; not the scoped ones or unowned tables', async () => {
    expect(await analysisFindings(fixture('hono', 'drizzle-shapes'))).toEqual([
      'unscoped-query GET /notes/:id src/app.ts:20 [fix]',
      'unscoped-query GET /query/:id src/app.ts:31 [fix]',
      'unscoped-query PUT /notes/:id src/app.ts:42 [fix]',
      'unscoped-query GET /by-writer/:writer src/app.ts:52 [fix]',
      'user-id-from-request GET /by-writer/:writer src/app.ts:52 [fix]',
      'unscoped-query GET /notes src/app.ts:55 [fix]',
    ]);
  });

  it('fixes each shape in the query itself, once, and the result type-checks', async () => {
    const dir = path.join(repoRoot, 'test/.tmp', `hono-drizzle-shapes-${process.pid}`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.cpSync(fixture('hono', 'drizzle-shapes'), dir, { recursive: true });
    made.push(dir);
    const first = await fix({ paths: [dir], cwd: dir, force: true, dryRun: false });
    expect(first.written).toEqual(['src/app.ts']);
    const text = fs.readFileSync(path.join(dir, 'src/app.ts'), 'utf8');
    const original = fs.readFileSync(fixture('hono', 'drizzle-shapes', 'src/app.ts'), 'utf8');
    const changed = text.split('\n').filter((line) => !original.split('\n').includes(line));
    expect(changed).toEqual([
      "  const [note] = await db.select().from(notes).where(and(eq(notes.id, c.req.param('id')), eq(notes.writer, c.get('user').id)));",
      "  const note = await db.query.notes.findFirst({ where: and(eq(notes.id, c.req.param('id')), eq(notes.writer, c.get('user').id)) });",
      "  await db.update(notes).set({ body }).where(and(eq(notes.id, c.req.param('id')), eq(notes.writer, c.get('user').id)));",
      "  return c.json(await db.select().from(notes).where(eq(notes.writer, c.get('user').id)));",
      "app.get('/notes', async (c) => c.json(await db.query.notes.findMany({ where: eq(notes.writer, c.get('user').id) })));",
    ]);
    expect(await analysisFindings(dir)).toEqual([]);
    const second = await fix({ paths: [dir], cwd: dir, force: true, dryRun: false });
    expect([second.written, second.created]).toEqual([[], []]);
    await compile(dir);
  }, 600_000);
  it("writes c.get('user')!.id where the app types user as nullable, and the result type-checks", async () => {
    const dir = path.join(repoRoot, 'test/.tmp', `hono-drizzle-nullable-${process.pid}`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.cpSync(fixture('hono', 'drizzle-shapes'), dir, { recursive: true });
    made.push(dir);
    const app = path.join(dir, 'src/app.ts');
    const declared = "type Env = { Variables: { user: { id: string } } };";
    expect(fs.readFileSync(app, 'utf8')).toContain(declared);
    // The same app with user nullable, its own code written for that.
    const nullable = fs.readFileSync(app, 'utf8')
      .replace(declared, "type Env = { Variables: { user: { id: string } | null } };")
      .replace("eq(notes.writer, user.id)", "eq(notes.writer, user!.id)")
      .replace("c.var.user.id", "c.var.user!.id")
      .replace("eq(notes.writer, c.get('user').id)", "eq(notes.writer, c.get('user')!.id)");
    fs.writeFileSync(app, nullable);
    await fix({ paths: [dir], cwd: dir, force: true, dryRun: false });
    const text = fs.readFileSync(app, 'utf8');
    expect(text).toContain("  await db.update(notes).set({ body }).where(and(eq(notes.id, c.req.param('id')), eq(notes.writer, c.get('user')!.id)));");
    expect(text).not.toContain("c.get('user').id");
    await compile(dir);
  }, 600_000);
});
