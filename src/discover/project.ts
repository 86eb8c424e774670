import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../model/config.js';
import type { Diagnostic, Route } from '../model/types.js';
import { ModuleResolver } from '../syntax/modules.js';
import { discoverFiles } from './files.js';
import { findPackages, type PackageInfo } from './packages.js';
import { importsOf } from './import-graph.js';
import { ProjectFiles } from './project-files.js';
import { TsConfigs } from './tsconfig.js';
import { enclosingWorkspace, workspaceLibraryFilter } from './workspace.js';

/** Everything discovery learns about the scanned tree; read-only for later stages. */
export interface ScanProject {
  root: string;
  config: Config;
  /** The source files, parsed on use; in a slice scan, route composition starts from a part of them. */
  files: ProjectFiles;
  packages: PackageInfo[];
  modules: ModuleResolver;
  tsconfigs: TsConfigs;
  /** Unreadable files and tsconfig problems; parse errors come from `files` (see projectDiagnostics). */
  diagnostics: Diagnostic[];
  /** Set for a slice scan. */
  slice?: SliceInput;
}

/** What a slice scan starts from (see src/cache/slice.ts). */
export interface SliceInput {
  /** The files route composition starts from (absolute). */
  scope: readonly string[];
  /** The files discovery found when the cached scan ran (absolute): unchanged, since no file came or went. */
  discovered?: readonly string[];
  /** File contents already read (absolute path → bytes), to save reading them again. */
  contents?: ReadonlyMap<string, Buffer>;
  /**
   * The changed and selected files (absolute), and the cached scan's import graph: what a seed newly
   * imports joins the scope (see newlyImported).
   */
  seeds?: readonly string[];
  imports?: ReadonlyMap<string, readonly string[]>;
  /** The routes the slice is for (see SlicePlan.inSlice): only theirs need handler facts. */
  needs?: (route: Route) => boolean;
}

/**
 * @param slice a slice scan: every file is still known and read, but parsed only when reached, and route
 *   composition starts from the slice. Undefined: the whole project, all parsed up front.
 */
export function loadProject(root: string, paths: string[], config: Config, slice?: SliceInput): ScanProject {
  const diagnostics: Diagnostic[] = [];
  const tsconfigs = new TsConfigs(root);
  const candidates =
    slice?.discovered ??
    discoverFiles({ root, paths, include: config.include, exclude: config.exclude }).filter((f) => !tsconfigs.excludes(f));
  const texts = new Map<string, string>();
  for (const file of candidates) {
    try {
      const bytes = slice?.contents?.get(file) ?? fs.readFileSync(file);
      // Without a byte-order mark: fix offsets are computed on the text after it, as the fixer applies them.
      texts.set(path.normalize(file), bytes.toString('utf8').replace(/^\uFEFF/, ''));
    } catch (err) {
      diagnostics.push({ level: 'error', code: 'read-error', message: (err as Error).message, file: rel(root, file) });
    }
  }
  const workspace = enclosingWorkspace(root);
  const files = new ProjectFiles(texts, slice && new Set(slice.scope.map((f) => path.normalize(f))), workspaceLibraryFilter(root, workspace));
  for (const p of tsconfigs.problems) {
    diagnostics.push({ level: 'warning', code: 'tsconfig', message: p.message, file: rel(root, p.file) });
  }
  const packages = findPackages(root);
  // Sibling packages are for resolving imports only; the root's own come first and win a name clash.
  const siblings = workspace ? findPackages(workspace).filter((p) => !p.dir.startsWith(root + path.sep) && p.dir !== root) : [];
  const modules = new ModuleResolver(tsconfigs, (f) => files.has(f), [...packages, ...siblings]);
  if (slice?.seeds) files.widenScope(newlyImported(slice.seeds, files, modules, slice.imports));
  return { root, config, files, packages, modules, tsconfigs, diagnostics, slice };
}

/**
 * Files a seed imports now but did not when the cached scan ran, with what they import in turn: an edit
 * that adds `import { admin } from './admin.js'; api.use('/admin', admin)` mounts a router (and its
 * children) the slice would otherwise not compose. Imports the seed already had bring nothing new in:
 * what they define already reached the seed's routes, and their files are on those routes' way.
 */
function newlyImported(seeds: readonly string[], files: ProjectFiles, modules: ModuleResolver, cached?: ReadonlyMap<string, readonly string[]>): Set<string> {
  const out = new Set<string>();
  const stack: string[] = [];
  for (const seed of seeds) {
    const sf = files.get(seed);
    if (!sf) continue;
    const before = new Set(cached?.get(path.normalize(seed)) ?? []);
    stack.push(...importsOf(sf, modules, files).filter((f) => !before.has(f)));
  }
  while (stack.length) {
    const file = stack.pop()!;
    if (out.has(file)) continue;
    out.add(file);
    const known = cached?.get(file);
    const sf = known ? undefined : files.get(file);
    stack.push(...(known ?? (sf ? importsOf(sf, modules, files) : [])));
  }
  return out;
}

/** The project's diagnostics: files that did not parse (of those parsed), then unreadable files and tsconfig problems. */
export function projectDiagnostics(project: ScanProject): Diagnostic[] {
  const parseErrors: Diagnostic[] = project.files.parseFailures().map((f) => ({
    level: 'error',
    code: 'parse-error',
    message: `cannot parse: ${f.message}; its routes were not analysed`,
    file: rel(project.root, f.file),
    line: f.line,
  }));
  return [...parseErrors, ...project.diagnostics];
}

export function rel(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}
