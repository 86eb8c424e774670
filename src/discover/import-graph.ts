import { ts } from 'ts-morph';
import type { ModuleResolver } from '../syntax/modules.js';
import type { ProjectFiles } from './project-files.js';

/**
 * For every parsed file, the project files it imports: `import`/`export … from`, `import x = require()`,
 * `require()` and `import()` with a literal specifier. A slice scan reads it backwards: a function,
 * router or guard in a file can only be used by files that import it, directly or through others.
 */
export function importGraph(files: ProjectFiles, modules: ModuleResolver): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [file, sf] of files) out.set(file, importsOf(sf, modules));
  return out;
}

function importsOf(sf: ts.SourceFile, modules: ModuleResolver): string[] {
  const specifiers: string[] = [];
  for (const st of sf.statements) {
    if ((ts.isImportDeclaration(st) || ts.isExportDeclaration(st)) && st.moduleSpecifier && ts.isStringLiteralLike(st.moduleSpecifier)) {
      specifiers.push(st.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(st) && ts.isExternalModuleReference(st.moduleReference) && ts.isStringLiteralLike(st.moduleReference.expression)) {
      specifiers.push(st.moduleReference.expression.text);
    }
  }
  // Calls can sit anywhere (inside functions, loops): walk the tree only when the text has one.
  if (/\brequire\s*\(|\bimport\s*\(/.test(sf.text)) {
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n) && n.arguments.length > 0 && ts.isStringLiteralLike(n.arguments[0])) {
        const callee = n.expression;
        if ((ts.isIdentifier(callee) && callee.text === 'require') || callee.kind === ts.SyntaxKind.ImportKeyword) specifiers.push(n.arguments[0].text);
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  const targets = new Set<string>();
  for (const spec of specifiers) {
    const target = modules.resolve(spec, sf.fileName);
    if (target.kind === 'file') targets.add(target.file);
  }
  return [...targets].sort();
}
