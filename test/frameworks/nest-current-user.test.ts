// A user-id fix in a Nest handler that has no principal parameter: the adapter offers `user.id` together with the
// edits that make it valid (a `@CurrentUser() user` parameter, its import, the generated decorator), and the result compiles.
import fs from 'node:fs';
import path from 'node:path';
import { ts } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { applyEdits } from '../../src/fix/edits.js';
import { runScan } from '../../src/pipeline/scan.js';
import { copyFixture, fixture, repoRoot } from '../helpers/fixtures.js';
import { compile, removeTempProject } from '../helpers/temp-project.js';

function identifierIn(node: ts.Node, text: string, inCall: boolean): ts.Identifier | undefined {
  let found: ts.Identifier | undefined;
  const visit = (n: ts.Node): void => {
    if (!found && ts.isIdentifier(n) && n.text === text && (!inCall || ts.isCallExpression(n.parent))) found = n;
    ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

describe('nest: @CurrentUser() insertion for user-id fixes', () => {
  it('offers user.id with the parameter, the import and the generated decorator; none where req.user is reachable', async () => {
    const dir = copyFixture('nest', 'current-user-insertion');
    try {
      const run = runScan({ paths: [dir], cwd: repoRoot });
      const create = run.records.find((r) => r.route.method === 'POST' && r.route.path === '/notes')!;
      const mine = run.records.find((r) => r.route.path === '/notes/mine')!;
      const at = identifierIn(create.handler!, 'ownerId', true)!;
      expect(create.requestSpec!.principalIdText(at)).toBeUndefined();
      const setup = create.requestSpec!.principalSetup!(at)!;
      expect(setup.text).toBe('user.id');
      const controller = path.join(dir, 'src/notes/notes.controller.ts');
      const generated = path.join(dir, 'src/auth/current-user.decorator.ts');
      expect(setup.edits.map((e) => ({ ...e, file: path.relative(dir, e.file) }))).toEqual([
        expect.objectContaining({ file: 'src/notes/notes.controller.ts', text: ', @CurrentUser() user: { id: string }' }),
        expect.objectContaining({ file: 'src/notes/notes.controller.ts', text: "import { CurrentUser } from '../auth/current-user.decorator';\n" }),
      ]);
      expect(setup.newFiles!.map((f) => path.relative(dir, f.file))).toEqual(['src/auth/current-user.decorator.ts']);
      const mineAt = identifierIn(mine.handler!, 'req', false)!;
      expect(mine.requestSpec!.principalIdText(mineAt)).toBe('req.user!.id');
      expect(mine.requestSpec!.principalSetup!(mineAt)).toBeUndefined();

      // Apply the fix as the analysis would: the client's value replaced, plus the setup.
      const text = fs.readFileSync(controller, 'utf8');
      const replace = { file: controller, start: at.getStart(), end: at.getEnd(), text: setup.text };
      fs.writeFileSync(controller, applyEdits(text, [replace, ...setup.edits.filter((e) => e.file === controller)]));
      fs.mkdirSync(path.dirname(generated), { recursive: true });
      fs.writeFileSync(generated, setup.newFiles![0].text);
      const fixed = fs.readFileSync(controller, 'utf8');
      expect(fixed).toContain("  create(@Body('ownerId') ownerId: string, @Body('title') title: string, @CurrentUser() user: { id: string }) {");
      expect(fixed).toContain('    return this.notes.create(user.id, title);');
      await compile(dir, ['--noEmit']);
    } finally {
      removeTempProject(dir);
    }
  }, 600_000);
});
