// --nest-global-guard: one APP_GUARD in the root module, @Public() on every route that was public.
// Planned through the adapter to check the plan, applied by the real CLI flag, compiled and served.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nestAdapter } from '../../src/frameworks/nest/index.js';
import { runScan } from '../../src/pipeline/scan.js';
import { Resolver } from '../../src/syntax/resolve.js';
import { startBetterAuth, type BetterAuthHarness } from '../helpers/better-auth.js';
import { fixture, repoRoot } from '../helpers/fixtures.js';
import { compile, makeTempProject, removeTempProject, startApp, type RunningApp } from '../helpers/temp-project.js';

let harness: BetterAuthHarness;
let dir: string;
let app: RunningApp;

function planGlobal(root: string) {
  const run = runScan({ paths: [root], cwd: repoRoot });
  const ctx = { project: run.project, resolver: new Resolver(run.project.modules, run.project.files) };
  const all = run.records.filter((r) => r.route.framework === 'nest');
  const flagged = all.filter((r) => r.route.auth.status === 'unprotected');
  return { flagged, planned: nestAdapter.planAuthFixes(ctx, { flagged, all, nestGlobalGuard: true }) };
}

beforeAll(async () => {
  harness = await startBetterAuth();
  const src = fixture('nest', 'todo-app');
  const files: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else files[path.relative(src, full)] = fs.readFileSync(full, 'utf8');
    }
  };
  walk(src);
  dir = makeTempProject('nest-global-guard', files);
}, 600_000);

afterAll(async () => {
  await app?.stop();
  await harness?.close();
  if (dir) removeTempProject(dir);
});

describe('nest: global guard mode', () => {
  it('registers APP_GUARD in AppModule and keeps the declared-public route public with @Public()', async () => {
    const { flagged, planned } = planGlobal(dir);
    expect(flagged.map((r) => `${r.route.method} ${r.route.path}`).sort()).toEqual(['GET /todos', 'GET /todos/:id', 'POST /todos']);
    const fixes = [...planned.values()].map((p) => p.fix!);
    expect(fixes[0].description).toBe('register AuthGuard as APP_GUARD in AppModule and mark public routes @Public()');
    // Applied by the real CLI, as a user would run it.
    const cli = await promisify(execFile)(process.execPath, [path.join(repoRoot, 'bin/auth-enforcer.js'), 'scan', dir, '--fix', '--nest-global-guard'], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1' },
    }).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect(cli.stderr).not.toContain('skipped');
    expect(fs.readFileSync(path.join(dir, 'src/app.module.ts'), 'utf8')).toBe(`import { Module } from '@nestjs/common';
import { HealthController } from './health/health.controller';
import { TodosModule } from './todos/todos.module';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth/auth.guard';

@Module({
  imports: [TodosModule],
  controllers: [HealthController],
  providers: [{ provide: APP_GUARD, useClass: AuthGuard }],
})
export class AppModule {}
`);
    expect(fs.readFileSync(path.join(dir, 'src/health/health.controller.ts'), 'utf8')).toContain(
      "  // auth-enforcer-public: load balancer probe\n  @Public()\n  @Get()\n  check() {",
    );
    // Idempotent: nothing is flagged any more, so nothing is planned.
    expect(planGlobal(dir).flagged).toEqual([]);
    await compile(dir);
    app = await startApp(dir, 'dist/main.js', { PORT: '0', BETTER_AUTH_URL: harness.baseURL });
    const alice = await harness.signUp('carol@example.com');
    expect((await fetch(`${app.url}/todos`)).status).toBe(401);
    expect((await fetch(`${app.url}/todos`, { headers: { authorization: `Bearer ${alice.jwt}` } })).status).toBe(200);
    expect((await fetch(`${app.url}/health`)).status).toBe(200);
  }, 600_000);
});
