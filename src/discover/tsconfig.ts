import fs from 'node:fs';
import path from 'node:path';
import { ts } from 'ts-morph';

export interface TsConfigInfo {
  file: string;
  options: ts.CompilerOptions;
  /** Files the tsconfig selects (include/exclude/files applied), absolute and normalised. */
  fileNames: Set<string>;
  /** Configs named in `references` (a solution-style tsconfig selects its files through them). */
  references?: TsConfigInfo[];
}

/** Finds and parses the tsconfig.json (or jsconfig.json) that governs each file (nearest one up to the root). */
export class TsConfigs {
  private readonly byDir = new Map<string, TsConfigInfo | null>();
  readonly problems: { file: string; message: string }[] = [];

  constructor(private readonly root: string) {}

  forFile(file: string): TsConfigInfo | null {
    const info = this.forDir(path.dirname(file));
    // `{ "files": [], "references": [...] }` (Nx, Vite): the referenced config that selects the file governs it.
    const normalised = path.normalize(file);
    return info?.references?.find((r) => r.fileNames.has(normalised)) ?? info;
  }

  /** Whether the governing tsconfig leaves this file out (JS files count only when allowJs is on). */
  excludes(file: string): boolean {
    const info = this.forFile(file);
    if (!info) return false;
    // A package of its own below the tsconfig (a `server/` with its package.json and no tsconfig, which
    // the front end's tsconfig excludes) is not that tsconfig's to leave out.
    if (this.hasOwnPackageBelow(path.dirname(file), path.dirname(info.file))) return false;
    const isJs = /\.(c|m)?jsx?$/.test(file);
    if (isJs && !info.options.allowJs) return false;
    return !info.fileNames.has(path.normalize(file));
  }

  private readonly packageDirs = new Map<string, boolean>();

  /** Whether a directory from `dir` up to (not including) `configDir` holds a package.json. */
  private hasOwnPackageBelow(dir: string, configDir: string): boolean {
    for (let d = dir; d !== configDir && d.startsWith(configDir) && path.dirname(d) !== d; d = path.dirname(d)) {
      let has = this.packageDirs.get(d);
      if (has === undefined) {
        has = fs.existsSync(path.join(d, 'package.json'));
        this.packageDirs.set(d, has);
      }
      if (has) return true;
    }
    return false;
  }

  private forDir(dir: string): TsConfigInfo | null {
    const cached = this.byDir.get(dir);
    if (cached !== undefined) return cached;
    // A JavaScript project's jsconfig.json is a tsconfig with JavaScript on (its `paths` alias `@/routes/*`).
    const candidate = ['tsconfig.json', 'jsconfig.json'].map((name) => path.join(dir, name)).find((f) => fs.existsSync(f));
    let info: TsConfigInfo | null = null;
    if (candidate) info = this.parse(candidate);
    else if (dir !== this.root && dir.startsWith(this.root) && path.dirname(dir) !== dir) info = this.forDir(path.dirname(dir));
    this.byDir.set(dir, info);
    return info;
  }

  private parse(file: string, depth = 0): TsConfigInfo | null {
    const host: ts.ParseConfigFileHost = {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) =>
        this.problems.push({ file, message: ts.flattenDiagnosticMessageText(d.messageText, ' ') }),
    };
    const parsed = ts.getParsedCommandLineOfConfigFile(file, path.basename(file) === 'jsconfig.json' ? { allowJs: true } : {}, host);
    if (!parsed) return null;
    const info: TsConfigInfo = { file, options: parsed.options, fileNames: new Set(parsed.fileNames.map((f) => path.normalize(f))) };
    if (parsed.projectReferences?.length && depth < 3) {
      info.references = [];
      for (const ref of parsed.projectReferences) {
        const refFile = ts.resolveProjectReferencePath(ref);
        const refInfo = fs.existsSync(refFile) ? this.parse(refFile, depth + 1) : null;
        if (!refInfo) continue;
        info.references.push(refInfo, ...(refInfo.references ?? []));
        for (const f of refInfo.fileNames) info.fileNames.add(f);
      }
    }
    return info;
  }
}
