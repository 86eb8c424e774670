import fs from 'node:fs';
import path from 'node:path';
import semver from 'semver';

const cache = new Map<string, number | undefined>();

/**
 * The major version of Prisma the file's package depends on (`@prisma/client` or `prisma` in the
 * nearest package.json that names either), or undefined when no package names it (a hand-written or
 * wrapped client).
 */
export function prismaMajorVersion(file: string): number | undefined {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    if (cache.has(dir)) return cache.get(dir);
    const found = declaredMajor(path.join(dir, 'package.json'));
    if (found !== 'absent') {
      cache.set(dir, found);
      return found;
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

function declaredMajor(manifest: string): number | undefined | 'absent' {
  let pkg: { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  try {
    pkg = JSON.parse(fs.readFileSync(manifest, 'utf8'));
  } catch {
    return 'absent';
  }
  const deps = { ...pkg.devDependencies, ...pkg.dependencies };
  const range = deps['@prisma/client'] ?? deps.prisma;
  if (!range) return 'absent';
  return semver.validRange(range) ? (semver.minVersion(range)?.major ?? undefined) : undefined;
}
