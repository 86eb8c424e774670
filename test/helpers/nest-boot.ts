// Boots a Nest fixture for real (compiled with tsc: esbuild drops the decorator metadata Nest injects
// with) and records every path Nest registers with the HTTP adapter (nest-route-hook.cjs).
import fs from 'node:fs';
import path from 'node:path';
import { compile, makeTempProject, repoRoot, startApp, type RunningApp } from './temp-project.js';

export interface BootedNest {
  dir: string;
  app: RunningApp;
  /** `METHOD /path` for every route Nest registered, sorted. */
  mapped: string[];
}

/** Copies the fixture under test/.tmp (so the root node_modules resolve), compiles it and starts dist/main.js on 127.0.0.1. */
export async function bootNestFixture(fixtureDir: string, env: Record<string, string> = {}): Promise<BootedNest> {
  const files: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'dist') walk(full);
      } else files[path.relative(fixtureDir, full)] = fs.readFileSync(full, 'utf8');
    }
  };
  walk(fixtureDir);
  const dir = makeTempProject(`nest-${path.basename(fixtureDir)}`, files);
  await compile(dir);
  const hook = path.join(repoRoot, 'test/helpers/nest-route-hook.cjs');
  const app = await startApp(dir, 'dist/main.js', { PORT: '0', NO_COLOR: '1', NODE_OPTIONS: `--require ${hook}`, ...env });
  const mapped = [...new Set([...app.output().matchAll(/^REGISTERED (\w+) (\S+)$/gm)].map((m) => `${m[1]} ${m[2]}`))].sort();
  return { dir, app, mapped };
}
