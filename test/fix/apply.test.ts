import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Fix, TextEdit } from '../../src/model/types.js';
import { applyFixes } from '../../src/fix/apply.js';
import { fsOps } from '../../src/fix/atomic-write.js';
import { makeTempProject, removeTempProject } from '../helpers/temp-project.js';

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) removeTempProject(dir);
});

function project(files: Record<string, string>): string {
  const dir = makeTempProject('apply', files);
  dirs.push(dir);
  return dir;
}

const read = (dir: string, file: string) => fs.readFileSync(path.join(dir, file), 'utf8');
/** An edit replacing the first occurrence of `find` (or inserting before it when `insert`). */
function edit(dir: string, file: string, find: string, text: string, insert = false): TextEdit {
  const start = read(dir, file).indexOf(find);
  if (start < 0) throw new Error(`${find} not in ${file}`);
  return { file: path.join(dir, file), start, end: insert ? start : start + find.length, text };
}

const app = `import express from 'express';

const app = express();
app.get('/a', handlerA);
app.get('/b', handlerB);
`;

describe('applyFixes', () => {
  it('applies edits of several fixes bottom-up with offsets from the original text', () => {
    const dir = project({ 'src/app.ts': app });
    const fixes: Fix[] = [
      { description: 'guard a', edits: [edit(dir, 'src/app.ts', 'handlerA', 'requireAuth, ', true)] },
      { description: 'guard b', edits: [edit(dir, 'src/app.ts', 'handlerB', 'requireAuth, ', true)] },
      { description: 'import', edits: [{ file: path.join(dir, 'src/app.ts'), start: app.indexOf('\n') + 1, end: app.indexOf('\n') + 1, text: "import { requireAuth } from './auth.js';\n" }] },
    ];
    const result = applyFixes(dir, fixes, { dryRun: false });
    expect(result.skipped).toEqual([]);
    expect(result.written).toEqual(['src/app.ts']);
    expect(read(dir, 'src/app.ts')).toBe(`import express from 'express';
import { requireAuth } from './auth.js';

const app = express();
app.get('/a', requireAuth, handlerA);
app.get('/b', requireAuth, handlerB);
`);
  });

  it('drops a whole fix whose edits overlap an accepted fix, and keeps the rest of it unapplied', () => {
    const dir = project({ 'src/app.ts': app, 'src/other.ts': 'export const x = 1;\n' });
    const first: Fix = { description: 'first', edits: [edit(dir, 'src/app.ts', "'/a', handlerA", "'/a', one, handlerA")] };
    const second: Fix = {
      description: 'second',
      edits: [edit(dir, 'src/other.ts', '1', '2'), edit(dir, 'src/app.ts', 'handlerA', 'two(handlerA)')],
    };
    const result = applyFixes(dir, [first, second], { dryRun: false });
    expect(result.skipped).toEqual([{ description: 'second', reason: 'overlaps the fix "first" in src/app.ts' }]);
    expect(read(dir, 'src/app.ts')).toContain("app.get('/a', one, handlerA);");
    expect(read(dir, 'src/other.ts')).toBe('export const x = 1;\n');
    expect(result.written).toEqual(['src/app.ts']);
  });

  it('applies an identical edit from two fixes once', () => {
    const dir = project({ 'src/app.ts': app });
    const importEdit = { file: path.join(dir, 'src/app.ts'), start: 0, end: 0, text: "import { requireAuth } from './auth.js';\n" };
    const result = applyFixes(
      dir,
      [
        { description: 'a', edits: [importEdit, edit(dir, 'src/app.ts', 'handlerA', 'requireAuth, ', true)] },
        { description: 'b', edits: [{ ...importEdit }, edit(dir, 'src/app.ts', 'handlerB', 'requireAuth, ', true)] },
      ],
      { dryRun: false },
    );
    expect(result.skipped).toEqual([]);
    expect(read(dir, 'src/app.ts').match(/import \{ requireAuth \}/g)).toHaveLength(1);
    expect(read(dir, 'src/app.ts')).toContain("app.get('/b', requireAuth, handlerB);");
  });

  it('keeps insertions at one offset in acceptance order', () => {
    const dir = project({ 'a.ts': 'f();\n' });
    const at = (text: string): TextEdit => ({ file: path.join(dir, 'a.ts'), start: 0, end: 0, text });
    applyFixes(dir, [{ description: '1', edits: [at('one();\n')] }, { description: '2', edits: [at('two();\n')] }], { dryRun: false });
    expect(read(dir, 'a.ts')).toBe('one();\ntwo();\nf();\n');
  });

  it('drops a fix that would leave a file unparseable and writes nothing for it', () => {
    const dir = project({ 'src/app.ts': app });
    const broken: Fix = { description: 'broken', edits: [edit(dir, 'src/app.ts', 'handlerA);', 'handlerA;')] };
    const fine: Fix = { description: 'fine', edits: [edit(dir, 'src/app.ts', 'handlerB', 'requireAuth, ', true)] };
    const result = applyFixes(dir, [broken, fine], { dryRun: false });
    expect(result.skipped).toHaveLength(1);
    expect(result.skipped[0]!.description).toBe('broken');
    expect(result.skipped[0]!.reason).toMatch(/^it would leave src\/app\.ts unparseable \(line 4: '\)' expected\.\)$/);
    expect(read(dir, 'src/app.ts')).toContain("app.get('/a', handlerA);");
    expect(read(dir, 'src/app.ts')).toContain("app.get('/b', requireAuth, handlerB);");
  });

  it('does not blame a fix for syntax errors the file already had', () => {
    const dir = project({ 'bad.ts': 'const = 1;\nfoo();\n' });
    const result = applyFixes(dir, [{ description: 'x', edits: [edit(dir, 'bad.ts', 'foo', 'bar')] }], { dryRun: false });
    expect(result.skipped).toEqual([]);
    expect(read(dir, 'bad.ts')).toBe('const = 1;\nbar();\n');
  });

  it('reports edits for missing files or outside the file', () => {
    const dir = project({ 'a.ts': 'x;\n' });
    const result = applyFixes(
      dir,
      [
        { description: 'missing', edits: [{ file: path.join(dir, 'nope.ts'), start: 0, end: 0, text: 'x' }] },
        { description: 'outside', edits: [{ file: path.join(dir, 'a.ts'), start: 2, end: 99, text: 'x' }] },
      ],
      { dryRun: false },
    );
    expect(result.skipped.map((s) => s.reason)).toEqual(['nope.ts does not exist', 'an edit falls outside a.ts']);
  });

  it('creates new files only if absent and never a generated file that does not parse', () => {
    const dir = project({ 'src/app.ts': app, 'src/existing.ts': '// mine\n' });
    const result = applyFixes(
      dir,
      [
        {
          description: 'module',
          edits: [],
          newFiles: [
            { file: path.join(dir, 'src/auth/require-auth.ts'), text: 'export const requireAuth = 1;\n' },
            { file: path.join(dir, 'src/existing.ts'), text: 'export const overwritten = true;\n' },
          ],
        },
        { description: 'same module again', edits: [], newFiles: [{ file: 'src/auth/require-auth.ts', text: 'export const requireAuth = 1;\n' }] },
        { description: 'other module', edits: [], newFiles: [{ file: 'src/auth/require-auth.ts', text: 'export const requireAuth = 2;\n' }] },
        { description: 'bad module', edits: [], newFiles: [{ file: 'src/auth/bad.ts', text: 'export const = ;\n' }] },
      ],
      { dryRun: false },
    );
    expect(result.created).toEqual(['src/auth/require-auth.ts']);
    expect(read(dir, 'src/auth/require-auth.ts')).toBe('export const requireAuth = 1;\n');
    expect(read(dir, 'src/existing.ts')).toBe('// mine\n');
    expect(fs.existsSync(path.join(dir, 'src/auth/bad.ts'))).toBe(false);
    expect(result.skipped.map((s) => s.description)).toEqual(['other module', 'bad module']);
  });

  it('merges dependencies into the nearest package.json keeping indentation, order and newer versions', () => {
    const pkg = `{\n\t"name": "app",\n\t"type": "module",\n\t"dependencies": {\n\t\t"express": "^5.1.0",\n\t\t"zod": "^4.0.0"\n\t},\n\t"devDependencies": {\n\t\t"typescript": "^5.9.0"\n\t}\n}\n`;
    const dir = project({ 'package.json': '{ "name": "root" }\n', 'packages/api/package.json': pkg, 'packages/api/src/app.ts': app });
    const result = applyFixes(
      dir,
      [
        { description: 'auth', edits: [edit(dir, 'packages/api/src/app.ts', 'handlerA', 'requireAuth, ', true)], dependencies: { jose: '^6.2.18', zod: '^3.0.0' } },
      ],
      { dryRun: false },
    );
    expect(result.written).toEqual(['packages/api/package.json', 'packages/api/src/app.ts']);
    expect(read(dir, 'packages/api/package.json')).toBe(pkg.replace('\t\t"zod"', '\t\t"jose": "^6.2.18",\n\t\t"zod"'));
    expect(read(dir, 'package.json')).toBe('{ "name": "root" }\n');
  });

  it('dry run computes a git-applicable unified diff of every change and writes nothing', () => {
    const dir = project({ 'package.json': '{\n  "name": "app"\n}\n', 'src/app.ts': app });
    const before = fs.readdirSync(dir, { recursive: true }).sort();
    const result = applyFixes(
      dir,
      [
        {
          description: 'auth',
          edits: [edit(dir, 'src/app.ts', 'handlerA', 'requireAuth, ', true)],
          newFiles: [{ file: path.join(dir, 'src/auth.ts'), text: 'export function requireAuth() {}\n' }],
          dependencies: { jose: '^6.2.18' },
        },
      ],
      { dryRun: true },
    );
    expect(fs.readdirSync(dir, { recursive: true }).sort()).toEqual(before);
    expect(read(dir, 'src/app.ts')).toBe(app);
    expect(result.written).toEqual(['package.json', 'src/app.ts']);
    expect(result.created).toEqual(['src/auth.ts']);
    expect(result.diff).toContain('--- a/src/app.ts');
    expect(result.diff).toContain('+++ b/src/app.ts');
    expect(result.diff).toContain("-app.get('/a', handlerA);\n+app.get('/a', requireAuth, handlerA);");
    expect(result.diff).toContain('--- /dev/null');
    expect(result.diff).toContain('+++ b/src/auth.ts');
    expect(result.diff).toContain('+  "dependencies": {');

    // The diff is a real patch: git applies it and reproduces what a real run writes.
    execFileSync('git', ['init', '-q'], { cwd: dir });
    fs.writeFileSync(path.join(dir, 'fix.patch'), result.diff);
    execFileSync('git', ['apply', 'fix.patch'], { cwd: dir });
    const patched = { app: read(dir, 'src/app.ts'), pkg: read(dir, 'package.json'), auth: read(dir, 'src/auth.ts') };
    const clean = project({ 'package.json': '{\n  "name": "app"\n}\n', 'src/app.ts': app });
    applyFixes(
      clean,
      [
        {
          description: 'auth',
          edits: [edit(clean, 'src/app.ts', 'handlerA', 'requireAuth, ', true)],
          newFiles: [{ file: path.join(clean, 'src/auth.ts'), text: 'export function requireAuth() {}\n' }],
          dependencies: { jose: '^6.2.18' },
        },
      ],
      { dryRun: false },
    );
    expect({ app: read(clean, 'src/app.ts'), pkg: read(clean, 'package.json'), auth: read(clean, 'src/auth.ts') }).toEqual(patched);
  });

  it('writes atomically: a failure midway leaves no file half-written and no temp files', () => {
    const dir = project({ 'a.ts': 'a();\n', 'b.ts': 'b();\n' });
    const rename = fsOps.rename;
    let renames = 0;
    vi.spyOn(fsOps, 'rename').mockImplementation((from, to) => {
      if (++renames === 2) throw new Error('disk on fire');
      rename(from, to);
    });
    const fixes: Fix[] = [
      { description: 'a', edits: [edit(dir, 'a.ts', 'a()', 'aa()')] },
      { description: 'b', edits: [edit(dir, 'b.ts', 'b()', 'bb()')] },
    ];
    expect(() => applyFixes(dir, fixes, { dryRun: false })).toThrow('disk on fire');
    // Each file is either entirely old or entirely new.
    expect(read(dir, 'a.ts')).toBe('aa();\n');
    expect(read(dir, 'b.ts')).toBe('b();\n');
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('changes nothing when a failure happens while staging, and keeps file modes', () => {
    const dir = project({ 'a.ts': 'a();\n', 'b.ts': 'b();\n' });
    fs.chmodSync(path.join(dir, 'a.ts'), 0o755);
    let writes = 0;
    const writeFile = fsOps.writeFile;
    vi.spyOn(fsOps, 'writeFile').mockImplementation((file, text, mode) => {
      if (++writes === 2) throw new Error('ENOSPC');
      writeFile(file, text, mode);
    });
    const fixes: Fix[] = [
      { description: 'a', edits: [edit(dir, 'a.ts', 'a()', 'aa()')] },
      { description: 'b', edits: [edit(dir, 'b.ts', 'b()', 'bb()')] },
    ];
    expect(() => applyFixes(dir, fixes, { dryRun: false })).toThrow('ENOSPC');
    expect([read(dir, 'a.ts'), read(dir, 'b.ts')]).toEqual(['a();\n', 'b();\n']);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    vi.restoreAllMocks();
    applyFixes(dir, fixes, { dryRun: false });
    expect(fs.statSync(path.join(dir, 'a.ts')).mode & 0o777).toBe(0o755);
  });

  it('keeps a byte-order mark and applies offsets after it', () => {
    const dir = project({ 'a.ts': '\uFEFFfoo();\n' });
    applyFixes(dir, [{ description: 'x', edits: [{ file: path.join(dir, 'a.ts'), start: 0, end: 3, text: 'bar' }] }], { dryRun: false });
    expect(read(dir, 'a.ts')).toBe('\uFEFFbar();\n');
  });

  it('is a no-op on an empty list', () => {
    const dir = project({ 'a.ts': 'a();\n' });
    expect(applyFixes(dir, [], { dryRun: false })).toEqual({ written: [], created: [], diff: '', skipped: [], warnings: [] });
  });
});
