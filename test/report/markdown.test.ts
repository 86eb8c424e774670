import { describe, expect, it } from 'vitest';
import { formatMarkdown } from '../../src/report/index.js';
import { cell, code, text } from '../../src/report/markdown.js';
import { makeResult, missingAuth } from './sample.js';

const meta = {
  tool: { name: 'auth-enforcer', version: '1.0.0', informationUri: 'https://example.test' },
  rules: [{ id: 'missing-auth', description: 'd', defaultSeverity: 'error' as const, helpUri: 'https://example.test/missing-auth' }],
};

describe('markdown reporter', () => {
  it('prints a heading, summary, table and folded diagnostics', () => {
    const out = formatMarkdown(makeResult('/r'), { format: 'markdown', color: true, root: '/r' }, meta);
    expect(out).toBe(
      [
        '## auth-enforcer',
        '',
        '❌ **2 problems (1 error, 1 warning)** across 1 route in 2 files.',
        '',
        '| Severity | Rule | Route | Location | Message |',
        '| --- | --- | --- | --- | --- |',
        '| 🔴 error | [`missing-auth`](https://example.test/missing-auth) | `GET /users/:id` | `src/users.ts:3:1` | GET /users/:id has no authentication guard |',
        '| 🟡 warning | `unscoped-query` | `GET /users/:id` | `src/users.ts:4:22` | GET /users/:id reads user by req.params.id without checking the owner |',
        '',
        '1 problem can be fixed automatically with `auth-enforcer scan --fix`.',
        '',
        '<details><summary>1 diagnostic</summary>',
        '',
        "- **warning** `unresolved-import` `src/app.ts:2`: cannot resolve './auth'",
        '',
        '</details>',
        '',
      ].join('\n'),
    );
  });

  it('keeps user text from breaking the table or rendering as HTML', () => {
    const f = { ...missingAuth, message: 'GET /a|b uses <script> and *stars*\nline', route: { method: 'GET', path: '/a|b' } };
    const out = formatMarkdown(makeResult('/r', { findings: [f], diagnostics: [] }), { format: 'markdown', color: false, root: '/r' }, meta);
    const row = out.split('\n').find((l) => l.startsWith('| 🔴'))!;
    expect(row).toBe(
      '| 🔴 error | [`missing-auth`](https://example.test/missing-auth) | `GET /a\\|b` | `src/users.ts:3:1` | GET /a\\|b uses &lt;script&gt; and \\*stars\\* line |',
    );
    expect(cell('a|b\nc')).toBe('a\\|b c');
    expect(code('a`b')).toBe('``a`b``');
    expect(text('[x](y) _z_')).toBe('\\[x\\](y) \\_z\\_');
  });

  it('reports a clean scan in one line', () => {
    const out = formatMarkdown(makeResult('/r', { findings: [], diagnostics: [] }), { format: 'markdown', color: false, root: '/r' }, meta);
    expect(out).toBe('## auth-enforcer\n\n✅ No problems found in 1 route.\n');
  });
});
