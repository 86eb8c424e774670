import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { globSync } from 'tinyglobby';
import { resolveRoot } from '../discover/files.js';
import type { ScanOptions } from '../model/options.js';
import type { ScanResult } from '../model/types.js';
import { toolInfo } from '../report/meta.js';

/**
 * A memo of whole scans. The analysis is cross-file (a guard in one file protects routes in others,
 * a mount changes paths elsewhere), so per-file results cannot be reused safely once any file
 * changes; what can is a whole result whose every input is unchanged. The key covers:
 * the tool (version and a digest of its own code), the options, the config file, every file under
 * the root outside node_modules/.git and build output (sources, package.json, tsconfigs, lockfiles,
 * Prisma schemas, .gitignore), and package.json/tsconfig files in the root's ancestors. Any change
 * means a full scan. A cache file that does not parse or whose checksum fails is ignored and rewritten.
 */

const SCHEMA = 1;
const SKIPPED_DIRS = ['**/node_modules/**', '**/.git/**', '**/dist/**', '**/build/**', '**/coverage/**', '**/.next/**', '**/out/**'];

export type CacheStatus = 'hit' | 'miss' | 'corrupt' | 'off';

interface CacheFile {
  schema: number;
  key: string;
  /** sha256 of `result` as stored, so a truncated or edited file is never trusted. */
  checksum: string;
  result: string;
}

/** Where the cache of a scan root lives: its node_modules/.cache, only when it has node_modules. */
export function cacheDir(root: string): string | undefined {
  const nodeModules = path.join(root, 'node_modules');
  return fs.existsSync(nodeModules) ? path.join(nodeModules, '.cache', 'auth-enforcer') : undefined;
}

export async function cachedScan(
  opts: ScanOptions,
  scan: (opts: ScanOptions) => Promise<ScanResult>,
): Promise<{ result: ScanResult; status: CacheStatus }> {
  const { root } = resolveRoot(opts.paths, opts.cwd);
  const dir = cacheDir(root);
  if (!dir) return { result: await scan(opts), status: 'off' };
  const started = performance.now();
  const key = scanKey(root, opts);
  const file = path.join(dir, `scan-${sha256(JSON.stringify([root, [...opts.paths].sort(), opts.configPath ?? ''])).slice(0, 16)}.json`);
  const { result: stored, status } = readCache(file, key);
  if (stored) {
    stored.summary.durationMs = Math.round(performance.now() - started);
    return { result: stored, status };
  }
  const result = await scan(opts);
  writeCache(dir, file, key, result);
  return { result, status };
}

function readCache(file: string, key: string): { result?: ScanResult; status: CacheStatus } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return { status: 'miss' };
  }
  try {
    const data = JSON.parse(text) as Partial<CacheFile>;
    if (data.schema !== SCHEMA || typeof data.result !== 'string' || typeof data.key !== 'string') return { status: 'corrupt' };
    if (data.checksum !== sha256(data.result)) return { status: 'corrupt' };
    if (data.key !== key) return { status: 'miss' };
    return { result: JSON.parse(data.result) as ScanResult, status: 'hit' };
  } catch {
    return { status: 'corrupt' };
  }
}

function writeCache(dir: string, file: string, key: string, result: ScanResult): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    const body = JSON.stringify(result);
    const data: CacheFile = { schema: SCHEMA, key, checksum: sha256(body), result: body };
    // Write then rename: a reader sees the old file or the new one, never half of one.
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(data));
    fs.renameSync(tmp, file);
  } catch {
    // A read-only node_modules only costs the speed-up.
  }
}

/** Every input of a scan, digested. */
export function scanKey(root: string, opts: ScanOptions): string {
  const h = crypto.createHash('sha256');
  const { version } = toolInfo();
  h.update(`tool\0${version}\0${toolDigest()}\0`);
  h.update(`opts\0${JSON.stringify([root, [...opts.paths].sort(), opts.configPath ?? ''])}\0`);
  const extra = [...ancestorManifests(root), ...(opts.configPath ? [path.resolve(opts.cwd, opts.configPath)] : [])];
  const files = globSync(['**/*'], { cwd: root, absolute: true, dot: true, ignore: SKIPPED_DIRS, followSymbolicLinks: false }).sort();
  for (const f of [...files, ...extra]) {
    h.update(`${f}\0`);
    try {
      h.update(fs.readFileSync(f));
    } catch {
      h.update('\0unreadable\0');
    }
    h.update('\0');
  }
  return h.digest('hex');
}

/** package.json and tsconfig files above the root: a monorepo's settings reach into a package's scan. */
function ancestorManifests(root: string): string[] {
  const out: string[] = [];
  for (let dir = path.dirname(root); ; dir = path.dirname(dir)) {
    for (const name of ['package.json', 'tsconfig.json', 'tsconfig.base.json']) {
      const f = path.join(dir, name);
      if (fs.existsSync(f)) out.push(f);
    }
    if (path.dirname(dir) === dir) return out;
  }
}

let digest: string | undefined;

/** The tool's own code (src or dist, and the rules), so a rebuilt tool never reads an older tool's results. */
function toolDigest(): string {
  if (digest) return digest;
  const here = path.dirname(fileURLToPath(import.meta.url)); // <src or dist/src>/cache
  const codeRoot = path.resolve(here, '..', '..'); // repository root, or dist
  const files = globSync(['src/**/*.{ts,js}', 'rules/**/*.{ts,js}'], { cwd: codeRoot, absolute: true, ignore: ['**/*.d.ts', '**/*.map'] }).sort();
  const h = crypto.createHash('sha256');
  for (const f of files) h.update(`${path.relative(codeRoot, f)}\0`).update(fs.readFileSync(f)).update('\0');
  digest = h.digest('hex');
  return digest;
}

function sha256(s: string): string {
  return crypto.createHash('sha256').update(s).digest('hex');
}
