import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { allRules } from '../../rules/index.js';
import { repoRoot } from '../helpers/fixtures.js';

describe('rule registry', () => {
  it('has a page, a source file and a test named after each rule id', () => {
    expect(allRules.length).toBeGreaterThanOrEqual(2);
    for (const rule of allRules) {
      const page = path.join(repoRoot, 'rules', `${rule.id}.md`);
      expect(fs.existsSync(page), `${rule.id}.md`).toBe(true);
      expect(fs.readFileSync(page, 'utf8').startsWith(`# ${rule.id}\n`), `${rule.id}.md heading`).toBe(true);
      expect(fs.existsSync(path.join(repoRoot, 'rules', `${rule.id}.ts`)), `${rule.id}.ts`).toBe(true);
    }
  });

  it('has unique ids that match their file names', () => {
    const ids = allRules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z]+(-[a-z]+)*$/);
  });
});
