import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { formatStylish } from '../../src/report/index.js';
import { makeResult, makeRoot, missingAuth } from './sample.js';

const root = makeRoot();
afterAll(() => rmSync(root, { recursive: true, force: true }));

const ANSI = /\u001b\[/;

describe('stylish reporter', () => {
  it('groups by file with code frames, a summary and diagnostics, without colour', () => {
    const out = formatStylish(makeResult(root), { format: 'stylish', color: false, root, maxWarnings: 0 });
    expect(out).not.toMatch(ANSI);
    expect(out).toBe(
      [
        'src/users.ts',
        '  3:1   error    GET /users/:id has no authentication guard  missing-auth',
        '',
        '      2 | export const users = Router();',
        "    > 3 | users.get('/users/:id', async (req, res) => {",
        '        | ^^^^^^^^^',
        '      4 |   const user = await db.user.findUnique({ where: { id: req.params.id } });',
        '',
        '  4:22  warning  GET /users/:id reads user by req.params.id without checking the owner  unscoped-query',
        '',
        "      3 | users.get('/users/:id', async (req, res) => {",
        '    > 4 |   const user = await db.user.findUnique({ where: { id: req.params.id } });',
        '        |                      ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
        '      5 |   res.json(user);',
        '',
        '✖ 2 problems (1 error, 1 warning)',
        '  1 problem can be fixed with --fix (preview with --fix --dry-run)',
        'auth-enforcer found too many warnings (maximum: 0).',
        '',
        'Diagnostics:',
        "  warning  src/app.ts:2  cannot resolve './auth'  unresolved-import",
        '',
      ].join('\n'),
    );
  });

  it('colours only when asked', () => {
    const out = formatStylish(makeResult(root), { format: 'stylish', color: true, root });
    expect(out).toMatch(ANSI);
    expect(out).toContain('\u001b[31merror  \u001b[39m');
  });

  it('tolerates a missing source file (no frame) and a span running past the line', () => {
    const f = { ...missingAuth, loc: { file: 'src/gone.ts', line: 1, column: 1, endLine: 9, endColumn: 1 } };
    const out = formatStylish(makeResult(root, { findings: [f], diagnostics: [] }), { format: 'stylish', color: false, root });
    expect(out).toBe(
      [
        'src/gone.ts',
        '  1:1  error    GET /users/:id has no authentication guard  missing-auth',
        '',
        '✖ 1 problem (1 error, 0 warnings)',
        '  1 problem can be fixed with --fix (preview with --fix --dry-run)',
        '',
      ].join('\n'),
    );
  });

  it('says so when there are no problems, counting routes and suppressions', () => {
    const out = formatStylish(makeResult(root, { findings: [], suppressed: [missingAuth], diagnostics: [] }), {
      format: 'stylish',
      color: false,
      root,
    });
    expect(out).toBe('✔ No problems found in 1 route (1 suppressed)\n');
  });
});
