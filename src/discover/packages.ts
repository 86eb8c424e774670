import fs from 'node:fs';
import path from 'node:path';
import { globSync } from 'tinyglobby';

export interface PackageInfo {
  dir: string;
  name?: string;
  /** dependencies, devDependencies and peerDependencies, merged. */
  deps: Record<string, string>;
  type: 'module' | 'commonjs';
}

/** Every package.json under the root (monorepo packages included), outside node_modules. */
export function findPackages(root: string): PackageInfo[] {
  const manifests = globSync(['**/package.json'], {
    cwd: root,
    absolute: true,
    ignore: ['**/node_modules/**', '**/dist/**', '**/build/**', '**/.git/**'],
  });
  const packages: PackageInfo[] = [];
  for (const file of manifests.sort()) {
    try {
      const json = JSON.parse(fs.readFileSync(file, 'utf8'));
      packages.push({
        dir: path.dirname(path.normalize(file)),
        name: json.name,
        deps: { ...json.peerDependencies, ...json.devDependencies, ...json.dependencies },
        type: json.type === 'module' ? 'module' : 'commonjs',
      });
    } catch {
      // An unreadable manifest says nothing about frameworks; imports still do.
    }
  }
  return packages;
}

/** The package that owns a file: the deepest package directory containing it. */
export function packageOf(packages: PackageInfo[], file: string): PackageInfo | undefined {
  let best: PackageInfo | undefined;
  for (const p of packages) {
    if (file.startsWith(p.dir + path.sep) && (!best || p.dir.length > best.dir.length)) best = p;
  }
  return best;
}
