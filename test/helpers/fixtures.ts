import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listRoutes, scan } from '../../src/api.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function fixture(...parts: string[]): string {
  return path.join(repoRoot, 'fixtures', ...parts);
}

/** Every fixture project as [framework, name], in a stable order. */
export function allFixtures(): (readonly [string, string])[] {
  return ['express', 'fastify', 'hono', 'nest'].flatMap((fw) =>
    fs
      .readdirSync(fixture(fw))
      .filter((d) => fs.statSync(fixture(fw, d)).isDirectory())
      .sort()
      .map((d) => [fw, d] as const),
  );
}

/**
 * `METHOD /path status` per route, sorted, for exact comparisons of the chains as resolved: strict mode, so no
 * route is inferred public by design (test/rules/route-claims.test.ts covers inference).
 */
export async function routeLines(dir: string): Promise<string[]> {
  const { routes } = await listRoutes({ paths: [dir], cwd: repoRoot, missingAuth: 'strict' });
  return routes.map((r) => `${r.method} ${r.path} ${r.auth.status}`).sort();
}

/** `ruleId METHOD /path line` per finding, sorted; strict mode, like routeLines. */
export async function findingLines(dir: string): Promise<string[]> {
  const result = await scan({ paths: [dir], cwd: repoRoot, missingAuth: 'strict' });
  return result.findings.map((f) => `${f.ruleId} ${f.route ? `${f.route.method} ${f.route.path}` : '-'} ${f.loc.file}:${f.loc.line}`).sort();
}

/** A fresh copy of a fixture under test/.tmp (inside the repo, so packages resolve from the root node_modules). */
export function copyFixture(...parts: string[]): string {
  const tmpRoot = path.join(repoRoot, 'test', '.tmp');
  fs.mkdirSync(tmpRoot, { recursive: true });
  const dir = fs.mkdtempSync(path.join(tmpRoot, `${parts.join('-')}-`));
  fs.cpSync(fixture(...parts), dir, { recursive: true });
  return dir;
}
