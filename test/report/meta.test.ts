import { describe, expect, it } from 'vitest';
import { firstParagraph, loadReportMeta } from '../../src/report/meta.js';
import { allRules } from '../../rules/index.js';

describe('report metadata', () => {
  it('takes the first non-heading paragraph of a rule page onto one line', () => {
    expect(firstParagraph('# missing-auth\n\n## Why\n\nFirst line\nsecond line.\n\nMore.')).toBe('First line second line.');
    expect(firstParagraph('# only a title\n')).toBe('');
  });

  it('loads one entry per registered rule, with the package version', async () => {
    const meta = await loadReportMeta();
    expect(meta.tool.name).toBe('auth-enforcer');
    expect(meta.tool.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(meta.rules.map((r) => r.id)).toEqual(allRules.map((r) => r.id));
  });
});
