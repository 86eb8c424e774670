import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fix } from '../../src/api.js';
import { copyFixture, repoRoot } from '../helpers/fixtures.js';
import { compile } from '../helpers/temp-project.js';

describe('express auth insertion: strategy', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("uses the project's own Better Auth session when it hosts one, route-level, and type-checks", async () => {
    dir = copyFixture('express', 'hosts-better-auth');
    const outcome = await fix({ paths: [dir], cwd: repoRoot, dryRun: false, force: false });
    expect(outcome.created).toEqual(['src/auth/require-auth.ts']);
    const module = fs.readFileSync(path.join(dir, 'src/auth/require-auth.ts'), 'utf8');
    expect(module).toContain('auth.api.getSession');
    expect(module).toContain("from '../lib/auth.js'");
    expect(module).not.toContain('createRemoteJWKSet');
    const app = fs.readFileSync(path.join(dir, 'src/app.ts'), 'utf8');
    expect(app).toContain("app.get('/api/me', requireAuth, (req, res) => {");
    expect(app).toContain("app.all('/api/auth/*splat', toNodeHandler(auth));");
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).dependencies.jose).toBeUndefined();
    expect(outcome.result.findings.filter((f) => f.ruleId === 'missing-auth')).toEqual([]);
    // Better Auth's own handler is public by nature: no config needed, nothing inserted there.
    const handler = outcome.result.routes.find((r) => r.path === '/api/auth/*splat')!;
    expect(handler.auth).toMatchObject({ status: 'public', reason: "Better Auth's own endpoints (sign-in, sign-up, session), served by toNodeHandler" });
    await compile(dir, ['--noEmit']);
  });

  it('generates JWT verification instead when asked with --auth-strategy jwt', async () => {
    dir = copyFixture('express', 'hosts-better-auth');
    const outcome = await fix({ paths: [dir], cwd: repoRoot, dryRun: true, force: false, authStrategy: 'jwt' });
    expect(outcome.diff).toContain('+const JWKS = createRemoteJWKSet(');
    expect(outcome.diff).toContain('+    "jose": "^6.2.18"');
    expect(fs.existsSync(path.join(dir, 'src/auth/require-auth.ts'))).toBe(false);
  });
});
