import fs from 'node:fs';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { globSync } from 'tinyglobby';
import { UsageError } from '../model/errors.js';

export const SOURCE_EXTENSIONS = ['ts', 'tsx', 'mts', 'cts', 'js', 'jsx', 'mjs', 'cjs'];

/** Never project source: dependencies, build output, and test code (tests spin up throwaway apps). */
const ALWAYS_SKIPPED = [
  '**/node_modules/**',
  '**/coverage/**',
  '**/.git/**',
  '**/.next/**',
  '**/*.d.ts',
  '**/*.d.mts',
  '**/*.d.cts',
  '**/*.{test,spec}.{ts,tsx,mts,cts,js,jsx,mjs,cjs}',
  // Test support beside the code: `goalSyncRouteTestHelper.ts`, `test-utils.ts` build apps with stub guards.
  '**/*{TestHelper,TestHelpers,testHelper,testHelpers,test-helper,test-helpers,TestUtils,testUtils,test-utils}.{ts,tsx,mts,cts,js,jsx,mjs,cjs}',
  '**/__tests__/**',
  '**/__mocks__/**',
];

/**
 * Compiled output: a `dist`, `build` or `out` directory next to a package.json (or at the root), where compilers and
 * bundlers write. One elsewhere is source: `src/core/build/build.module.ts`, a workspace package named `build`.
 */
export function isBuildOutput(root: string, file: string): boolean {
  const parts = path.relative(root, file).split(path.sep);
  for (let i = 0; i < parts.length - 1; i++) {
    if (!OUTPUT_DIRS.has(parts[i]!)) continue;
    const parent = path.join(root, ...parts.slice(0, i));
    if (i === 0 || hasPackageJson(parent)) return true;
  }
  return false;
}

const OUTPUT_DIRS = new Set(['dist', 'build', 'out']);
const hasPackageJson = (dir: string) => fs.existsSync(path.join(dir, 'package.json'));

export interface DiscoverInput {
  root: string;
  /** Absolute paths the user asked for (files or directories under root). */
  paths: string[];
  include: string[];
  exclude: string[];
}

/** The root is the one directory scanned, or cwd when several paths are given. */
export function resolveRoot(paths: string[], cwd: string): { root: string; paths: string[] } {
  const absolute = (paths.length ? paths : ['.']).map((p) => path.resolve(cwd, p));
  for (const p of absolute) {
    if (!fs.existsSync(p)) throw new UsageError(`path not found: ${path.relative(cwd, p) || p}`);
  }
  if (absolute.length === 1 && fs.statSync(absolute[0]).isDirectory()) return { root: absolute[0], paths: absolute };
  return { root: path.resolve(cwd), paths: absolute };
}

/** Source files to analyse, absolute, sorted: globbed, minus .gitignore'd and always-skipped ones. */
export function discoverFiles(input: DiscoverInput): string[] {
  const { root } = input;
  const patterns = input.include.length ? input.include : [`**/*.{${SOURCE_EXTENSIONS.join(',')}}`];
  const found = new Set<string>();
  for (const p of input.paths) {
    if (fs.statSync(p).isFile()) {
      found.add(p);
      continue;
    }
    const files = globSync(patterns, {
      cwd: p,
      absolute: true,
      ignore: [...ALWAYS_SKIPPED, ...input.exclude],
      dot: false,
      followSymbolicLinks: false,
    });
    for (const f of files) if (!isBuildOutput(p, f)) found.add(path.normalize(f));
  }
  const ignores = new GitIgnores(root);
  return [...found].filter((f) => !ignores.ignored(f)).sort();
}

/** .gitignore files from the root down to each file's directory, applied like git does. */
class GitIgnores {
  private readonly perDir = new Map<string, Ignore | null>();
  constructor(private readonly root: string) {}

  ignored(file: string): boolean {
    const rel = path.relative(this.root, file);
    if (rel.startsWith('..')) return false;
    const parts = rel.split(path.sep);
    for (let i = 0; i < parts.length; i++) {
      const dir = path.join(this.root, ...parts.slice(0, i));
      const ig = this.load(dir);
      const sub = parts.slice(i).join('/');
      if (ig && ig.ignores(sub)) return true;
    }
    return false;
  }

  private load(dir: string): Ignore | null {
    if (!this.perDir.has(dir)) {
      const file = path.join(dir, '.gitignore');
      this.perDir.set(dir, fs.existsSync(file) ? ignore().add(fs.readFileSync(file, 'utf8')) : null);
    }
    return this.perDir.get(dir)!;
  }
}
