// The gate for slice scans after an edit: on every fixture, for every line that places or protects
// routes (a use(), a hook, a register(), @UseGuards, APP_GUARD, a route option), delete the line and
// check that a run reporting on that file, answered by a slice planned from the scan before the edit,
// reports exactly what a whole-project scan of the edited project reports for that file.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanForCache } from '../../src/api.js';
import { scanInputs } from '../../src/cache/scan-cache.js';
import { mergeSlice, planSlice, sliceInput } from '../../src/cache/slice.js';
import { selectChanged } from '../../src/changes/filter.js';
import type { ScanResult } from '../../src/model/types.js';
import { allFixtures, copyFixture, repoRoot } from '../helpers/fixtures.js';

const fixtures = allFixtures();

/** Lines whose deletion changes where routes are or what protects them. */
const STRUCTURAL = /\.(use|addHook|register|route|basePath)\(|@UseGuards|APP_GUARD|preHandler|onRequest|useGlobalGuards|forRoutes/;
/** Per file, so the whole gate stays within a minute. */
const MAX_EDITS_PER_FILE = 3;

const copies: string[] = [];
const tally = { edits: 0, changedWhatIsReported: 0 };
afterAll(() => copies.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** What `scan --only-files <file>` shows: the findings the change filter keeps, fix edits reduced to fixable. */
function reported(result: ScanResult, file: string) {
  const selection = selectChanged(result, new Set([fs.realpathSync(file)]));
  return result.findings
    .filter(selection.keep)
    .map((f) => ({ ...f, fix: f.fix !== undefined }))
    .sort((a, b) => a.fingerprint.localeCompare(b.fingerprint) || a.loc.line - b.loc.line);
}

describe('slice scans after an edit report what a full scan reports', () => {
  it.each(fixtures)('%s/%s', async (fw, name) => {
    const dir = copyFixture(fw, name);
    copies.push(dir);
    const opts = { paths: [dir], cwd: repoRoot };
    const before = await scanForCache(opts);
    const base = { result: before.result, sources: scanInputs(dir, opts).sources, imports: before.imports ?? {}, discovered: before.discovered ?? [] };
    for (const rel of Object.keys(before.imports ?? {})) {
      const file = path.join(dir, rel);
      const original = fs.readFileSync(file, 'utf8');
      const lines = original.split('\n');
      const targets = lines.flatMap((l, i) => (STRUCTURAL.test(l) ? [i] : [])).slice(0, MAX_EDITS_PER_FILE);
      for (const at of targets) {
        fs.writeFileSync(file, lines.filter((_, i) => i !== at).join('\n'));
        try {
          const plan = planSlice(base, scanInputs(dir, opts).sources, [rel], 1);
          expect(plan.kind).toBe('slice');
          if (plan.kind !== 'slice') continue;
          const slice = await scanForCache(opts, sliceInput(dir, plan, base));
          const full = await scanForCache(opts);
          const edit = `${rel}: deleted line ${at + 1}: ${lines[at].trim()}`;
          const expected = reported(full.result, file);
          expect({ edit, findings: reported(mergeSlice(before.result, slice.result, plan, slice.scope), file) }).toEqual({ edit, findings: expected });
          tally.edits++;
          // Line numbers aside: did the deletion change which problems the file is reported for?
          const what = (fs: typeof expected) => fs.map((f) => `${f.ruleId} ${f.route?.method} ${f.route?.path} ${f.message}`).sort().join('\n');
          if (what(expected) !== what(reported(before.result, file))) tally.changedWhatIsReported++;
        } finally {
          fs.writeFileSync(file, original);
        }
      }
    }
  });

  it('made edits that matter', () => {
    expect(tally.edits).toBeGreaterThan(150);
    expect(tally.changedWhatIsReported).toBeGreaterThan(100);
  });
});
