import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatReport } from '../../src/report/index.js';
import { makeResult, makeRoot, missingAuth } from './sample.js';

const root = makeRoot();
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('json reporter', () => {
  it('prints exactly the documented contract, findings sorted by location', () => {
    const out = formatReport(makeResult(root), { format: 'json', color: true, root });
    expect(out.endsWith('}\n')).toBe(true);
    expect(JSON.parse(out)).toStrictEqual({
      schemaVersion: 1,
      findings: [
        {
          ruleId: 'missing-auth',
          severity: 'error',
          message: 'GET /users/:id has no authentication guard',
          file: 'src/users.ts',
          line: 3,
          column: 1,
          endLine: 3,
          endColumn: 10,
          route: { method: 'GET', path: '/users/:id' },
          fingerprint: 'fp-missing-auth-1',
          fixable: true,
        },
        {
          ruleId: 'unscoped-query',
          severity: 'warning',
          message: 'GET /users/:id reads user by req.params.id without checking the owner',
          file: 'src/users.ts',
          line: 4,
          column: 22,
          endLine: 4,
          endColumn: 74,
          route: { method: 'GET', path: '/users/:id' },
          fingerprint: 'fp-unscoped-1',
          fixable: false,
        },
      ],
      summary: { files: 2, routes: 1, errors: 1, warnings: 1, durationMs: 12 },
      diagnostics: [
        { level: 'warning', code: 'unresolved-import', message: "cannot resolve './auth'", file: 'src/app.ts', line: 2 },
      ],
    });
  });

  it('makes absolute paths relative and posix, and gives route null when a finding has none', () => {
    const f = { ...missingAuth, loc: { ...missingAuth.loc, file: path.join(root, 'src', 'users.ts') } };
    delete (f as { route?: unknown }).route;
    const out = JSON.parse(formatReport(makeResult(root, { findings: [f], diagnostics: [] }), { format: 'json', color: false, root }));
    expect(out.findings[0].file).toBe('src/users.ts');
    expect(out.findings[0].route).toBeNull();
    expect(out.diagnostics).toEqual([]);
  });

  it('rejects an unknown format', () => {
    expect(() => formatReport(makeResult(root), { format: 'xml' as never, color: false, root })).toThrow(
      'unknown format "xml" (expected one of: stylish, json, sarif, github, markdown)',
    );
  });
});
