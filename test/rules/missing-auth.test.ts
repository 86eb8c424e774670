import { describe, expect, it } from 'vitest';
import { scan } from '../../src/api.js';
import type { Route } from '../../src/model/types.js';
import { fingerprint } from '../../src/pipeline/scan.js';
import fs from 'node:fs';
import path from 'node:path';
import { copyFixture, findingLines, fixture, repoRoot, routeLines } from '../helpers/fixtures.js';

describe('missing-auth', () => {
  const dir = fixture('express', 'public-and-suppressed');

  it('treats config and comment declarations as public, with their reasons', async () => {
    expect(await routeLines(dir)).toEqual([
      'ALL /api/auth/*splat public',
      'GET /debug unprotected',
      'GET /health public',
      'GET /metrics unprotected',
      'GET /pricing public',
      'GET /reports unprotected',
    ]);
    const result = await scan({ paths: [dir], cwd: repoRoot, missingAuth: 'strict' });
    const pricing = result.routes.find((r) => r.path === '/pricing')!;
    expect(pricing.auth.reason).toBe('declared public: marketing page, no user data');
    expect(result.routes.find((r) => r.path === '/health')!.auth.reason).toBe('declared public in config: liveness probe');
  });

  it('reports unprotected routes as errors; a reasoned suppression silences, a bare one is reported too', async () => {
    expect(await findingLines(dir)).toEqual([
      'missing-auth GET /debug src/app.ts:22',
      'missing-auth GET /reports src/app.ts:26',
      'suppression-without-reason - src/app.ts:21',
    ]);
    const result = await scan({ paths: [dir], cwd: repoRoot, missingAuth: 'strict' });
    expect(result.suppressed.map((f) => `${f.ruleId} ${f.route?.path}`)).toEqual(['missing-auth /metrics']);
    const reports = result.findings.find((f) => f.route?.path === '/reports')!;
    expect(reports).toMatchObject({ severity: 'error', messageId: 'unprotected', message: 'GET /reports is reachable without authentication' });
    expect(reports.fix?.edits.length).toBeGreaterThan(0);
  });

  it('reports unknown chains under unresolved-auth, as warnings with the reason: not a claim that they are holes', async () => {
    const result = await scan({ paths: [fixture('express', 'registrar-and-factories')], cwd: repoRoot });
    const sdk = result.findings.find((f) => f.route?.path === '/sdk')!;
    expect(result.findings.filter((f) => f.route?.path === '/sdk').map((f) => f.ruleId)).toEqual(['unresolved-auth']);
    expect(sdk).toMatchObject({
      ruleId: 'unresolved-auth',
      severity: 'warning',
      messageId: 'unknown',
      message:
        "GET /sdk: cannot tell whether authentication runs (some-auth-sdk.verifyToken comes from a package the scan cannot read; name it in the config's guards or notGuards)",
    });
  });

  it('gives fingerprints that survive line moves and unrelated edits', async () => {
    const before = await scan({ paths: [dir], cwd: repoRoot, missingAuth: 'strict' });
    const fps = before.findings.map((f) => f.fingerprint);
    expect(new Set(fps).size).toBe(fps.length);
    for (const fp of fps) expect(fp).toMatch(/^[0-9a-f]{16}$/);

    const copy = copyFixture('express', 'public-and-suppressed');
    const app = path.join(copy, 'src', 'app.ts');
    fs.writeFileSync(app, `// a comment\nconst unrelated = 1;\nvoid unrelated;\n\n${fs.readFileSync(app, 'utf8')}`);
    const after = await scan({ paths: [copy], cwd: repoRoot, missingAuth: 'strict' });
    expect(after.findings.map((f) => f.loc.line)).not.toEqual(before.findings.map((f) => f.loc.line));
    expect(after.findings.map((f) => f.fingerprint)).toEqual(fps);
    fs.rmSync(copy, { recursive: true, force: true });
  });

  it('keeps a fingerprint when a path parameter is renamed, not when the path changes', () => {
    const route = (p: string) => ({ ...baseRoute, path: p });
    expect(fingerprint('unscoped-query', route('/articles/:article'))).toBe(fingerprint('unscoped-query', route('/articles/:slug')));
    expect(fingerprint('unscoped-query', route('/articles/:slug'))).not.toBe(fingerprint('unscoped-query', route('/articles/:slug/comments')));
    expect(fingerprint('unscoped-query', route('/articles/:slug'))).not.toBe(fingerprint('missing-auth', route('/articles/:slug')));
  });
});

const baseRoute: Route = {
  id: 'x',
  framework: 'express',
  method: 'GET',
  path: '/',
  loc: { file: 'a.ts', line: 1, column: 1, endLine: 1, endColumn: 1 },
  handler: { name: 'show', loc: { file: 'a.ts', line: 1, column: 1, endLine: 1, endColumn: 1 } },
  auth: { status: 'unprotected', guards: [] },
};
