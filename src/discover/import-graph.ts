import fs from 'node:fs';
import path from 'node:path';
import { ts } from 'ts-morph';
import { sourceCandidates, type ModuleResolver } from '../syntax/modules.js';
import type { ProjectFiles } from './project-files.js';

/**
 * For every parsed file, the project files it imports: `import`/`export … from`, `import x = require()`,
 * `require()` and `import()` with a literal specifier. A slice scan reads it backwards: a function,
 * router or guard in a file can only be used by files that import it, directly or through others.
 */
export function importGraph(files: ProjectFiles, modules: ModuleResolver): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [file, sf] of files) out.set(file, importsOf(sf, modules, files));
  return out;
}

/** The project files one file imports. */
export function importsOf(sf: ts.SourceFile, modules: ModuleResolver, files: ProjectFiles): string[] {
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
    const near = spec.startsWith('./') || spec.startsWith('../') ? relativeCandidates(spec, sf.fileName, files) : [];
    if (near.length) {
      for (const f of near) targets.add(f);
      continue;
    }
    const target = modules.resolve(spec, sf.fileName);
    if (target.kind === 'file') targets.add(target.file);
  }
  return [...targets].sort();
}

/**
 * A relative import's possible targets among the project's files, found without the compiler's module
 * resolution (which costs half a second over a large project): `sourceCandidates`, the file as written,
 * with each source extension (also in place of `.js`), and the directory's index. Every one that exists is taken:
 * an extra edge only makes a slice larger. A directory with its own package.json is left to the
 * resolver, as are specifiers with no candidate in the project.
 */
function relativeCandidates(spec: string, fromFile: string, files: ProjectFiles): string[] {
  const target = path.resolve(path.dirname(fromFile), spec);
  const found = sourceCandidates(target).filter((f) => files.text(f) !== undefined);
  if (found.some((f) => path.basename(f).startsWith('index.')) && fs.existsSync(path.join(target, 'package.json'))) return [];
  return [...new Set(found)];
}
