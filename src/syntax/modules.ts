import fs from 'node:fs';
import path from 'node:path';
import { ts } from 'ts-morph';
import type { TsConfigs } from '../discover/tsconfig.js';

/** A package of the scanned monorepo, by its package.json `name`. */
export interface WorkspacePackage {
  dir: string;
  name?: string;
}

export type ModuleTarget =
  | { kind: 'file'; file: string }
  | { kind: 'external'; pkg: string }
  | { kind: 'unresolved'; specifier: string };

/**
 * Resolves import specifiers the way the project's compiler would (tsconfig paths, baseUrl, `.js` → `.ts`),
 * without building a Program. Bundler resolution accepts both extensionless and NodeNext-style specifiers.
 */
export class ModuleResolver {
  private readonly cache = new Map<string, ModuleTarget>();
  private readonly resolutionCache: ts.ModuleResolutionCache;

  private readonly workspace = new Map<string, string>();

  constructor(
    private readonly tsconfigs: TsConfigs,
    private readonly isProjectFile: (file: string) => boolean,
    workspacePackages: WorkspacePackage[] = [],
  ) {
    this.resolutionCache = ts.createModuleResolutionCache(process.cwd(), (f) => f);
    for (const p of workspacePackages) if (p.name && !this.workspace.has(p.name)) this.workspace.set(p.name, p.dir);
  }

  resolve(specifier: string, fromFile: string): ModuleTarget {
    const key = `${path.dirname(fromFile)}\0${specifier}`;
    let hit = this.cache.get(key);
    if (!hit) {
      hit = this.compute(specifier, fromFile);
      this.cache.set(key, hit);
    }
    return hit;
  }

  private compute(specifier: string, fromFile: string): ModuleTarget {
    if (specifier.startsWith('node:')) return { kind: 'external', pkg: specifier };
    const tsconfig = this.tsconfigs.forFile(fromFile);
    const options: ts.CompilerOptions = {
      ...(tsconfig?.options ?? {}),
      allowJs: true,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      resolveJsonModule: false,
    };
    const resolved = ts.resolveModuleName(specifier, fromFile, options, ts.sys, this.resolutionCache).resolvedModule;
    const isRelative = specifier.startsWith('.') || specifier.startsWith('/');
    if (resolved && !resolved.isExternalLibraryImport) {
      const file = path.normalize(resolved.resolvedFileName);
      if (this.isProjectFile(file)) return { kind: 'file', file };
      const source = !isRelative ? this.workspaceSource(specifier) : undefined;
      if (source) return { kind: 'file', file: source };
      // A declaration file or a file outside the scanned set: we cannot see its code.
      return { kind: 'unresolved', specifier };
    }
    if (isRelative) return { kind: 'unresolved', specifier };
    const source = this.workspaceSource(specifier);
    if (source) return { kind: 'file', file: source };
    return { kind: 'external', pkg: packageName(specifier) };
  }

  /**
   * A pnpm/yarn/npm workspace package imported by name (`@repo/auth`, `@repo/auth/guards`) before it is installed
   * or built: its source file in the scan, found from package.json `exports`/`source`/`types`/`main` (a built
   * `dist/x.js` read back as `src/x.ts`), else `src/index` or `index`.
   */
  private workspaceSource(specifier: string): string | undefined {
    const name = packageName(specifier);
    const dir = this.workspace.get(name);
    if (!dir) return undefined;
    const sub = specifier.slice(name.length).replace(/^\//, '');
    let manifest: Record<string, unknown> = {};
    try {
      manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    } catch {
      // No readable manifest: fall back to the conventional entry files.
    }
    const targets = [...exportTargets(manifest.exports, sub ? `./${sub}` : '.')];
    if (!sub) for (const key of ['source', 'types', 'typings', 'module', 'main']) if (typeof manifest[key] === 'string') targets.push(manifest[key] as string);
    targets.push(...(sub ? [`src/${sub}`, sub] : ['src/index', 'index']));
    for (const target of targets) {
      for (const candidate of sourceCandidates(path.join(dir, target))) if (this.isProjectFile(candidate)) return candidate;
    }
    return undefined;
  }
}

/** The files an `exports` entry names for a subpath, every condition, in the order written. */
function exportTargets(exportsField: unknown, subpath: string): string[] {
  if (typeof exportsField === 'string') return subpath === '.' ? [exportsField] : [];
  if (!exportsField || typeof exportsField !== 'object') return [];
  const map = exportsField as Record<string, unknown>;
  const isSubpathMap = Object.keys(map).some((k) => k.startsWith('.'));
  const entry = isSubpathMap ? map[subpath] : subpath === '.' ? map : undefined;
  const out: string[] = [];
  const collect = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(collect);
    else if (v && typeof v === 'object') Object.values(v).forEach(collect);
  };
  collect(entry);
  return out;
}

/** A target as written, then as source: `.js`/`.d.ts` → `.ts`/`.tsx`, `dist|build|lib|out/` → `src/`, a directory's index. */
export function sourceCandidates(target: string): string[] {
  const base = path.normalize(target).replace(/\.d\.[cm]?ts$/, '').replace(/\.[cm]?[jt]sx?$/, '');
  const bases = [base];
  const built = /([\\/])(dist|build|lib|out)([\\/])/;
  if (built.test(base)) bases.push(base.replace(built, '$1src$3'));
  const exts = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
  return [path.normalize(target), ...bases.flatMap((b) => [...exts.map((e) => b + e), ...exts.map((e) => path.join(b, `index${e}`))])];
}

/** `@scope/pkg/sub` → `@scope/pkg`, `express/lib/router` → `express`. */
export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}
