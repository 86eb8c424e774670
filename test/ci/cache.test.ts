import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempProject, removeTempProject } from '../helpers/temp-project.js';
import { run } from '../cli/fake.js';
import { expressProject, read, write } from './project.js';

let dir: string;
const cacheDir = () => path.join(dir, 'node_modules/.cache/auth-enforcer');
const cacheFile = () => path.join(cacheDir(), fs.readdirSync(cacheDir())[0]!);

beforeAll(() => {
  dir = expressProject('cache');
  fs.mkdirSync(path.join(dir, 'node_modules'));
});
afterAll(() => removeTempProject(dir));

async function scan(...args: string[]) {
  const r = await run(['scan', '--format', 'json', ...args], { cwd: dir, env: { AUTH_ENFORCER_DEBUG: '1' } });
  const json = JSON.parse(r.stdout) as { findings: { message: string; fingerprint: string }[]; summary: Record<string, number> };
  return { status: r.stderr, messages: json.findings.map((f) => f.message), findings: json.findings, summary: json.summary };
}

describe('scan cache', () => {
  it('misses, then hits with the same findings', async () => {
    const cold = await scan();
    expect(cold.status).toBe('auth-enforcer: cache miss\n');
    expect(fs.readdirSync(cacheDir())).toHaveLength(1);
    const warm = await scan();
    expect(warm.status).toBe('auth-enforcer: cache hit\n');
    expect(warm.findings).toEqual(cold.findings);
    expect({ ...warm.summary, durationMs: 0 }).toEqual({ ...cold.summary, durationMs: 0 });
  });

  it('any change to a source file, the config or another project file is a miss with fresh results', async () => {
    write(dir, 'src/app.ts', read(dir, 'src/app.ts').replace('app.listen(3000);', "app.get('/debug', (_req, res) => res.json({}));\napp.listen(3000);"));
    const changed = await scan();
    expect(changed.status).toBe('auth-enforcer: cache miss\n');
    expect(changed.messages.filter((m) => m.startsWith('GET /debug '))).toHaveLength(1);
    expect((await scan()).status).toBe('auth-enforcer: cache hit\n');

    write(dir, 'auth-enforcer.config.json', '{ "publicRoutes": [{ "route": "GET /debug", "reason": "test" }] }\n');
    const configured = await scan();
    expect(configured.status).toBe('auth-enforcer: cache miss\n');
    expect(configured.messages.filter((m) => m.startsWith('GET /debug '))).toEqual([]);

    write(dir, 'prisma/schema.prisma', 'model Todo {\n  id Int @id\n  userId String\n}\n');
    expect((await scan()).status).toBe('auth-enforcer: cache miss\n');
    expect((await scan()).status).toBe('auth-enforcer: cache hit\n');
  });

  it('a run reporting on some files after a source edit is a slice scan with the full scan’s findings; a full scan never reads a slice', async () => {
    await scan(); // the base a slice starts from
    write(dir, 'src/handlers/user-handlers.ts', read(dir, 'src/handlers/user-handlers.ts').replace('export', '// edited\nexport'));
    const sliced = await scan('--only-files', 'src/handlers/user-handlers.ts');
    expect(sliced.status).toMatch(/^auth-enforcer: cache slice \(\d+ of 5 source files re-analysed\)\n/);
    const whole = await scan('--only-files', 'src/handlers/user-handlers.ts', '--no-cache');
    expect(sliced.findings.length).toBeGreaterThan(0);
    expect(sliced.findings).toEqual(whole.findings);
    // The same state again: the last slice, merged, is the answer.
    const again = await scan('--only-files', 'src/handlers/user-handlers.ts');
    expect(again.status).toMatch(/^auth-enforcer: cache hit \(the last slice\)\n/);
    expect(again.findings).toEqual(whole.findings);
    // A whole-project scan analyses everything and becomes the new base.
    expect((await scan()).status).toBe('auth-enforcer: cache miss\n');
    expect((await scan()).status).toBe('auth-enforcer: cache hit\n');
  });

  it('a truncated or edited cache is ignored, the scan redone and the file rewritten', async () => {
    const good = await scan();
    const text = fs.readFileSync(cacheFile(), 'utf8');
    fs.writeFileSync(cacheFile(), text.slice(0, text.length / 2));
    let r = await scan();
    expect(r.status).toBe('auth-enforcer: cache corrupt\n');
    expect(r.findings).toEqual(good.findings);
    expect((await scan()).status).toBe('auth-enforcer: cache hit\n');

    // Valid JSON, right key, but the stored result was tampered with: the checksum catches it.
    const data = JSON.parse(fs.readFileSync(cacheFile(), 'utf8')) as { result: string };
    data.result = data.result.replace(/"severity":"error"/g, '"severity":"warning"');
    fs.writeFileSync(cacheFile(), JSON.stringify(data));
    r = await scan();
    expect(r.status).toBe('auth-enforcer: cache corrupt\n');
    expect(r.summary.errors).toBe(good.summary.errors);
  });

  it('--no-cache neither reads nor writes it', async () => {
    const before = fs.readFileSync(cacheFile(), 'utf8');
    write(dir, 'src/orders.ts', `${read(dir, 'src/orders.ts')}\n`);
    const r = await scan('--no-cache');
    expect(r.status).toBe('');
    expect(fs.readFileSync(cacheFile(), 'utf8')).toBe(before);
  });

  it('is off for a root without node_modules (nothing is created)', async () => {
    const bare = expressProject('cache-bare');
    try {
      const r = await run(['scan'], { cwd: bare, env: { AUTH_ENFORCER_DEBUG: '1' } });
      expect(r.stderr).toBe('auth-enforcer: cache off\n');
      expect(fs.existsSync(path.join(bare, 'node_modules'))).toBe(false);
    } finally {
      removeTempProject(bare);
    }
  });

  // A scan of apps/api in a monorepo reads the guard from packages/auth: that file is an input of the stored
  // result though it lies outside the root, so editing it must not give back the stored answer.
  it('a workspace file outside the root that the scan read is an input: editing it is a miss with fresh results', async () => {
    const requireUser = `import type { NextFunction, Request, Response } from 'express';
export function requireUser(req: Request, res: Response, next: NextFunction) {
  if (!req.headers.authorization) return res.status(401).json({ error: 'unauthorized' });
  next();
}
`;
    const mono = makeTempProject('cache-workspace', {
      'pnpm-workspace.yaml': "packages:\n  - 'apps/*'\n  - 'packages/*'\n",
      'package.json': JSON.stringify({ name: 'mono', private: true }),
      'packages/auth/package.json': JSON.stringify({ name: '@acme/auth', main: 'dist/index.js' }),
      'packages/auth/src/index.ts': requireUser,
      'apps/api/package.json': JSON.stringify({ name: 'api', dependencies: { express: '^5.0.0', '@acme/auth': 'workspace:*' } }),
      'apps/api/node_modules/.keep': '',
      'apps/api/src/app.ts': `import express from 'express';
import { requireUser } from '@acme/auth';

const app = express();
app.delete('/notes/:id', requireUser, (_req, res) => res.status(204).end());
app.listen(3000);
`,
    });
    try {
      const api = path.join(mono, 'apps/api');
      const scanApi = async () => {
        const r = await run(['scan', '--format', 'json'], { cwd: api, env: { AUTH_ENFORCER_DEBUG: '1' } });
        return { status: r.stderr, rules: (JSON.parse(r.stdout) as { findings: { ruleId: string }[] }).findings.map((f) => f.ruleId) };
      };
      expect(await scanApi()).toEqual({ status: 'auth-enforcer: cache miss\n', rules: [] });
      expect((await scanApi()).status).toBe('auth-enforcer: cache hit\n');
      const guard = path.join(mono, 'packages/auth/src/index.ts');
      fs.writeFileSync(guard, requireUser.replace("if (!req.headers.authorization) return res.status(401).json({ error: 'unauthorized' });\n", ''));
      const edited = await scanApi();
      expect(edited.status).toBe(`auth-enforcer: cache miss (${guard} changed since the cached scan)\n`);
      expect(edited.rules).toEqual(['missing-auth']);
      expect((await scanApi()).status).toBe('auth-enforcer: cache hit\n');
    } finally {
      removeTempProject(mono);
    }
  });
});
