// The gate for slice scans: on every fixture, for every source file, the slice a run reporting on that
// file would analyse, merged into the full scan, must give exactly the full scan's routes and findings.
// A slice that misses a file some route needs (a mount, a guard, a module, a caller) shows up here as
// a route or finding that differs.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanForCache } from '../../src/api.js';
import { scanInputs } from '../../src/cache/scan-cache.js';
import { mergeSlice, planSlice, sliceInput } from '../../src/cache/slice.js';
import type { ScanResult } from '../../src/model/types.js';
import { allFixtures, fixture, repoRoot } from '../helpers/fixtures.js';

const fixtures = allFixtures().map(([fw, name]) => `${fw}/${name}`);

/**
 * Routes and findings as every report shows them. A finding's fix is shown as fixable or not: the edits
 * themselves are planned by `--fix`, which always scans the whole project, and a slice may place them
 * elsewhere (where to insert a guard depends on every route a router serves).
 */
function comparable(r: ScanResult) {
  return {
    routes: r.routes.map((x) => ({ ...x })).sort((a, b) => a.id.localeCompare(b.id)),
    findings: r.findings.map((f) => ({ ...f, fix: f.fix !== undefined })).sort((a, b) => a.fingerprint.localeCompare(b.fingerprint) || a.loc.line - b.loc.line),
  };
}

describe('slice scans give the full scan’s results', () => {
  it.each(fixtures)('%s', async (name) => {
    const dir = fixture(...name.split('/'));
    const opts = { paths: [dir], cwd: repoRoot };
    const full = await scanForCache(opts);
    const inputs = scanInputs(dir, opts);
    const base = { result: full.result, sources: inputs.sources, imports: full.imports ?? {}, discovered: full.discovered ?? [] };
    const expected = comparable(full.result);
    let sliced = 0;
    for (const file of Object.keys(full.imports ?? {})) {
      // Any share of the project: a fixture is a few files, and the gate is about what a slice holds.
      const plan = planSlice(base, inputs.sources, [file], 1);
      if (plan.kind !== 'slice') continue;
      sliced++;
      const slice = await scanForCache(opts, sliceInput(dir, plan, base));
      const merged = mergeSlice(full.result, slice.result, plan, slice.scope);
      expect({ file, ...comparable(merged) }).toEqual({ file, ...expected });
    }
    // Every fixture is small enough for some file to be sliced, so the gate checks something.
    expect(sliced).toBeGreaterThan(0);
  });
});
