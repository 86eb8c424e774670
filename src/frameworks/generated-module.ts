import { ts } from 'ts-morph';
import { packageOf } from '../discover/packages.js';
import { usesJsExtensions } from '../fix/style.js';
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
