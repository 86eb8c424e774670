import fs from 'node:fs';
import path from 'node:path';
import { ts } from 'ts-morph';
import { packageOf } from '../discover/packages.js';
import { detectStyle, usesJsExtensions } from '../fix/style.js';
import type { AdapterContext } from './adapter.js';

// How a project writes its modules, for the code every framework's auth fix generates and imports.

/** Whether relative imports from `sf` need a runtime extension (`./auth/require-auth.js`). */
export function usesJsExtensionsFor(ctx: AdapterContext, sf: ts.SourceFile): boolean {
  const options = ctx.project.tsconfigs.forFile(sf.fileName)?.options;
  const resolution = options?.moduleResolution !== undefined ? ts.ModuleResolutionKind[options.moduleResolution] : undefined;
  const moduleOption = options?.module !== undefined ? ts.ModuleKind[options.module] : undefined;
  return usesJsExtensions({
    moduleResolution: resolution,
    module: moduleOption,
    text: sf.text,
    fileName: sf.fileName,
    packageType: packageOf(ctx.project.packages, sf.fileName)?.type,
  });
}

/** ESM or CommonJS, by extension first, then by the file's own import/export syntax. */
export function moduleKindOf(sf: ts.SourceFile): 'esm' | 'cjs' {
  if (sf.fileName.endsWith('.cjs') || sf.fileName.endsWith('.cts')) return 'cjs';
  if (sf.fileName.endsWith('.mjs') || sf.fileName.endsWith('.mts')) return 'esm';
  const esm = sf.statements.some((s) => ts.isImportDeclaration(s) || ts.isExportDeclaration(s) || ts.isExportAssignment(s));
  return esm || /\bexport\s/.test(sf.text) ? 'esm' : 'cjs';
}

export interface ModuleLocation {
  file: string;
  language: 'ts' | 'js';
  moduleKind: 'esm' | 'cjs';
  style: ReturnType<typeof detectStyle>;
  jsExtensions: boolean;
}

/** `<package>/src/auth/require-auth.ts` (or beside the routes when there is no src/), in the project's flavour. */
export function authModuleLocation(ctx: AdapterContext, routeFile: string): ModuleLocation {
  const pkg = packageOf(ctx.project.packages, routeFile);
  const base = pkg?.dir ?? ctx.project.root;
  const srcDir = routeFile.startsWith(path.join(base, 'src') + path.sep) ? path.join(base, 'src') : path.dirname(routeFile);
  const sf = ctx.project.files.get(routeFile)!;
  const isTs = /\.(c|m)?tsx?$/.test(routeFile);
  const moduleKind = moduleKindOf(sf);
  const ext = isTs ? '.ts' : routeFile.endsWith('.mjs') ? '.mjs' : routeFile.endsWith('.cjs') ? '.cjs' : '.js';
  const existing = ['.ts', '.js', '.mjs', '.cjs'].map((e) => path.join(srcDir, 'auth', `require-auth${e}`)).find((f) => fs.existsSync(f));
  return {
    file: existing ?? path.join(srcDir, 'auth', `require-auth${ext}`),
    language: isTs ? 'ts' : 'js',
    moduleKind,
    style: detectStyle(sf.text, sf.fileName),
    jsExtensions: usesJsExtensionsFor(ctx, sf),
  };
}
