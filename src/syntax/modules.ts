import path from 'node:path';
import { ts } from 'ts-morph';
import type { TsConfigs } from '../discover/tsconfig.js';

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

  constructor(
    private readonly tsconfigs: TsConfigs,
    private readonly isProjectFile: (file: string) => boolean,
  ) {
    this.resolutionCache = ts.createModuleResolutionCache(process.cwd(), (f) => f);
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
      // A declaration file or a file outside the scanned set: we cannot see its code.
      return { kind: 'unresolved', specifier };
    }
    if (isRelative) return { kind: 'unresolved', specifier };
    return { kind: 'external', pkg: packageName(specifier) };
  }
}

/** `@scope/pkg/sub` → `@scope/pkg`, `express/lib/router` → `express`. */
export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}
