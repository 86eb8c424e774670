import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { globSync } from 'tinyglobby';
import { resolveRoot, SOURCE_EXTENSIONS } from '../discover/files.js';
import type { ScanOptions } from '../model/options.js';
import type { ScanResult } from '../model/types.js';
import { toolInfo } from '../report/meta.js';
import type { SliceInput } from '../discover/project.js';
import { mergeSlice, planSlice, sliceInput, type ScanBase } from './slice.js';
import { changedLibrary, type LibraryDigests } from './libraries.js';

/**
 * The scan cache: the last full scan of a root, with a digest of each of its inputs.
 *
 * - Every input unchanged: the stored result is the answer (a hit).
 * - Only source files changed, and the run reports on some files only (`--staged`, `--changed`,
 *   `--only-files`): a slice scan re-analyses what those changes can reach and merges it into the
 *   stored result (see slice.ts). The stored scan stays the base until the next full scan.
 * - Anything else (the tool, the options, the config, package.json, a tsconfig, a Prisma schema, a
 *   file added or removed): a full scan, stored for next time.
 *
 * The inputs: the tool (version and a digest of its own code), the options, the config file, every
 * file under the root outside node_modules/.git, build output and documentation, and package.json/
 * tsconfig files in the root's ancestors, and the files outside the root the scan read (a workspace sibling's
 * source, checked against their digests before anything stored is reused). A cache file that does not parse or whose checksum fails is
 * ignored and rewritten.
 */

const SCHEMA = 2;
const SKIPPED_DIRS = ['**/node_modules/**', '**/.git/**', '**/dist/**', '**/build/**', '**/coverage/**', '**/.next/**', '**/out/**'];
/** Files no scan reads: documentation and assets. */
const UNREAD = /\.(md|mdx|markdown|txt|rst|adoc|png|jpe?g|gif|svg|ico|webp|avif|css|scss|less|woff2?|ttf|eot|pdf)$/i;
const SOURCE = new RegExp(`\\.(${SOURCE_EXTENSIONS.join('|')})$`);

export type CacheStatus = 'hit' | 'miss' | 'corrupt' | 'off' | 'slice';

interface CacheFile {
  schema: number;
  /** Every input, digested: equal means the stored result is the answer. */
  key: string;
  /** Every input except source files: equal means a slice scan may start from the stored result. */
  context: string;
  /** sha256 of `result` and `base` as stored, so a truncated or edited file is never trusted. */
  checksum: string;
  /** The ScanResult, as JSON. */
  result: string;
  /** `{ sources, discovered, imports, libraries }` of the ScanBase, as JSON (empty lists for a slice's merged result). */
  base: string;
}

/** What the cache needs of the analysis: a full scan with its import graph, and a slice scan. */
export interface CacheScanner {
  full(opts: ScanOptions): Promise<{ result: ScanResult; discovered?: string[]; imports?: Record<string, string[]>; libraries?: LibraryDigests }>;
  /** A slice scan, with the files it composed routes from (relative), as widened from the plan's. */
  slice(opts: ScanOptions, slice: SliceInput): Promise<{ result: ScanResult; scope?: string[]; libraries?: LibraryDigests }>;
}

export interface CachedScan {
  result: ScanResult;
  status: CacheStatus;
  /** For a slice: how much was re-analysed; for a full scan after a stored one: why no slice. */
  detail?: string;
}

/** Where the cache of a scan root lives: its node_modules/.cache, only when it has node_modules. */
export function cacheDir(root: string): string | undefined {
  const nodeModules = path.join(root, 'node_modules');
  return fs.existsSync(nodeModules) ? path.join(nodeModules, '.cache', 'auth-enforcer') : undefined;
}

/**
 * @param report the files (absolute) the run reports on, when it reports on some only: then a slice
 *   scan may answer. Without it, only a hit or a full scan.
 */
export async function cachedScan(opts: ScanOptions, scanner: CacheScanner, report?: ReadonlySet<string>): Promise<CachedScan> {
  const { root } = resolveRoot(opts.paths, opts.cwd);
  const dir = cacheDir(root);
  if (!dir) return { result: (await scanner.full(opts)).result, status: 'off' };
  const started = performance.now();
  const inputs = scanInputs(root, opts);
  const file = path.join(dir, `scan-${sha256(JSON.stringify([root, [...opts.paths].sort(), opts.configPath ?? ''])).slice(0, 16)}.json`);
  const read = readCache(file);
  const { status } = read;
  const since = () => Math.round(performance.now() - started);
  // A workspace file outside the root that the stored scan read has changed: nothing stored can be reused.
  const libraryChange = read.stored && changedLibrary(read.stored.base.libraries);
  const stored = libraryChange ? undefined : read.stored;
  if (stored && stored.key === inputs.key) {
    stored.result.summary.durationMs = since();
    return { result: stored.result, status: 'hit' };
  }
  let detail: string | undefined;
  // The last slice's merged result, for runs that report on some files only: the same staged state
  // checked twice (a hook run again after a failed commit) is then a hit. Never read by a full scan.
  const memo = file.replace(/scan-([^/\\]+)$/, 'slice-$1');
  if (report) {
    const last = readCache(memo).stored;
    if (last && last.key === inputs.key && !changedLibrary(last.base.libraries)) {
      last.result.summary.durationMs = since();
      return { result: last.result, status: 'hit', detail: 'the last slice' };
    }
  }
  if (stored && report && stored.context === inputs.context) {
    const realRoot = fs.realpathSync(root);
    const rel = (f: string) => path.relative(realRoot, f).split(path.sep).join('/');
    const plan = planSlice({ ...stored.base, result: stored.result }, inputs.sources, [...report].map(rel));
    if (plan.kind === 'slice') {
      const { result: slice, scope, libraries } = await scanner.slice(opts, sliceInput(root, plan, stored.base, inputs.contents));
      // A failed adapter lost routes the plan counts on: only a full scan can say what they are.
      if (!slice.diagnostics.some((d) => d.code === 'adapter-failed')) {
        const result = mergeSlice(stored.result, slice, plan, scope);
        writeCache(dir, memo, inputs, result, { discovered: [], imports: {}, libraries: { ...stored.base.libraries, ...libraries } });
        result.summary.durationMs = since();
        return { result, status: 'slice', detail: `${scope?.length ?? plan.files.length} of ${Object.keys(inputs.sources).length} source files re-analysed` };
      }
      detail = 'an adapter failed on the slice';
    } else detail = plan.why;
  }
  if (libraryChange) detail = `${libraryChange} changed since the cached scan`;
  const { result, imports, discovered, libraries } = await scanner.full(opts);
  writeCache(dir, file, inputs, result, { discovered: discovered ?? [], imports: imports ?? {}, libraries });
  return { result, status: status === 'corrupt' ? 'corrupt' : 'miss', detail };
}

interface StoredScan {
  key: string;
  context: string;
  result: ScanResult;
  base: Omit<ScanBase, 'result'>;
}

function readCache(file: string): { stored?: StoredScan; status: CacheStatus } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return { status: 'miss' };
  }
  try {
    const data = JSON.parse(text) as Partial<CacheFile>;
    if (data.schema !== SCHEMA) return { status: 'miss' };
    if (typeof data.result !== 'string' || typeof data.base !== 'string' || typeof data.key !== 'string' || typeof data.context !== 'string') {
      return { status: 'corrupt' };
    }
    if (data.checksum !== checksum(data.result, data.base)) return { status: 'corrupt' };
    return {
      stored: { key: data.key, context: data.context, result: JSON.parse(data.result) as ScanResult, base: JSON.parse(data.base) as StoredScan['base'] },
      status: 'miss',
    };
  } catch {
    return { status: 'corrupt' };
  }
}

function writeCache(dir: string, file: string, inputs: ScanInputs, result: ScanResult, graph: Pick<ScanBase, 'discovered' | 'imports' | 'libraries'>): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    const body = JSON.stringify(result);
    const base = JSON.stringify({ sources: inputs.sources, ...graph });
    const data: CacheFile = { schema: SCHEMA, key: inputs.key, context: inputs.context, checksum: checksum(body, base), result: body, base };
    // Write then rename: a reader sees the old file or the new one, never half of one.
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(data));
    fs.renameSync(tmp, file);
  } catch {
    // A read-only node_modules only costs the speed-up.
  }
}

interface ScanInputs {
  key: string;
  context: string;
  /** Source files relative to the root (posix) → content digest. */
  sources: Record<string, string>;
  /** Their bytes, read once: a slice scan parses from them. */
  contents: Map<string, Buffer>;
}

/** Every input of a scan, digested: the source files one by one, everything else together. */
export function scanInputs(root: string, opts: ScanOptions): ScanInputs {
  const context = crypto.createHash('sha256');
  const { version } = toolInfo();
  context.update(`tool\0${version}\0${toolDigest()}\0`);
  context.update(`opts\0${JSON.stringify([root, [...opts.paths].sort(), opts.configPath ?? '', opts.missingAuth ?? ''])}\0`);
  const extra = [...ancestorManifests(root), ...(opts.configPath ? [path.resolve(opts.cwd, opts.configPath)] : [])];
  const files = globSync(['**/*'], { cwd: root, dot: true, ignore: SKIPPED_DIRS, followSymbolicLinks: false }).sort();
  const sources: Record<string, string> = {};
  const contents = new Map<string, Buffer>();
  const read = (f: string) => {
    try {
      return fs.readFileSync(f);
    } catch {
      return undefined;
    }
  };
  const digest = (bytes: Buffer | undefined) => (bytes ? sha256(bytes) : 'unreadable');
  for (const f of files) {
    if (UNREAD.test(f)) continue;
    const bytes = read(path.join(root, f));
    if (SOURCE.test(f)) {
      sources[f] = digest(bytes);
      if (bytes) contents.set(f, bytes);
    } else context.update(`${f}\0${digest(bytes)}\0`);
  }
  for (const f of extra) context.update(`${f}\0${digest(read(f))}\0`);
  const contextKey = context.digest('hex');
  return { key: sha256(`${contextKey}\0${JSON.stringify(sources)}`), context: contextKey, sources, contents };
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

function sha256(s: string | Buffer): string {
  return crypto.createHash('sha256').update(s).digest('hex');
}

function checksum(result: string, base: string): string {
  return sha256(`${result}\0${base}`);
}
