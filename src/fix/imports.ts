// Renders and inserts the import of a generated module (`requireAuth`) in the file's own style:
// ESM `import { a } from './x.js'` or CommonJS `const { a } = require('./x')`. An existing import of
// the same module is extended rather than duplicated, so a second --fix is a no-op.
import path from 'node:path';
import { ts } from 'ts-morph';
import type { TextEdit } from '../model/types.js';
import { defaultStyle, quoteString, scriptKindFor, type CodeStyle } from './code-style.js';

export type ModuleKind = 'esm' | 'cjs';

export interface ImportRequest {
  /** Named exports to import: `['requireAuth']`. */
  names: string[];
  /** Module specifier exactly as it should be written: `./auth/require-auth.js`, `jose`. */
  specifier: string;
  moduleKind: ModuleKind;
}

/** One import line without line ending: `import { a, b } from './x.js';`. */
export function renderImport(request: ImportRequest, style: CodeStyle = defaultStyle): string {
  const names = `{ ${request.names.join(', ')} }`;
  const from = quoteString(request.specifier, style);
  const semi = style.semicolons ? ';' : '';
  return request.moduleKind === 'esm' ? `import ${names} from ${from}${semi}` : `const ${names} = require(${from})${semi}`;
}

const jsExtensionFor: Record<string, string> = { '.ts': '.js', '.tsx': '.js', '.js': '.js', '.jsx': '.js', '.mts': '.mjs', '.cts': '.cjs', '.mjs': '.mjs', '.cjs': '.cjs' };

/**
 * The specifier that imports `toFile` from `fromFile`: `./auth/require-auth.js` when the project
 * needs runtime extensions (see usesJsExtensions), `./auth/require-auth` otherwise.
 */
export function relativeSpecifier(fromFile: string, toFile: string, withJsExtension: boolean): string {
  const toPosix = (p: string) => p.split(path.sep).join('/');
  let relative = path.posix.relative(path.posix.dirname(toPosix(fromFile)), toPosix(toFile));
  if (!relative.startsWith('.')) relative = `./${relative}`;
  const ext = path.posix.extname(relative);
  const stem = relative.slice(0, relative.length - ext.length);
  if (withJsExtension) return stem + (jsExtensionFor[ext] ?? ext);
  // .mjs/.cjs have no extensionless form that Node resolves; keep them.
  return ext === '.mjs' || ext === '.cjs' ? relative : stem;
}

export interface ExtensionEvidence {
  /** compilerOptions.moduleResolution / module from the governing tsconfig, if any. */
  moduleResolution?: string;
  module?: string;
  /** Text of the file that will import (its existing relative imports are the strongest evidence). */
  text?: string;
  fileName?: string;
  /** package.json "type" of the nearest package. */
  packageType?: string;
}

/** Whether relative ESM specifiers must carry `.js`: Node16/NodeNext resolution, plain Node ESM, or the file already does. */
export function usesJsExtensions(evidence: ExtensionEvidence): boolean {
  if (evidence.text !== undefined) {
    const specifiers = relativeSpecifiers(evidence.text, evidence.fileName ?? 'file.ts');
    if (specifiers.length > 0) {
      const withExt = specifiers.filter((s) => /\.[mc]?js$/.test(s)).length;
      return withExt * 2 >= specifiers.length;
    }
  }
  const resolution = (evidence.moduleResolution ?? '').toLowerCase();
  if (resolution === 'node16' || resolution === 'nodenext') return true;
  if (resolution !== '') return false;
  const moduleOption = (evidence.module ?? '').toLowerCase();
  if (/^node(16|18|20|next)$/.test(moduleOption)) return true;
  // Untranspiled ESM JavaScript: Node itself requires the full file name.
  const fileName = (evidence.fileName ?? '').toLowerCase();
  const isJs = /\.[mc]?jsx?$/.test(fileName);
  return isJs && (fileName.endsWith('.mjs') || (evidence.packageType === 'module' && !fileName.endsWith('.cjs')));
}

function parse(fileName: string, text: string): ts.SourceFile {
  return ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, scriptKindFor(fileName));
}

function relativeSpecifiers(text: string, fileName: string): string[] {
  const found: string[] = [];
  for (const statement of parse(fileName, text).statements) {
    const specifier = ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement) ? statement.moduleSpecifier : undefined;
    if (specifier && ts.isStringLiteral(specifier) && specifier.text.startsWith('.')) found.push(specifier.text);
  }
  return found;
}

/** `./x`, `./x.js` and `./x.ts` name the same module. */
function sameModule(a: string, b: string): boolean {
  const strip = (s: string) => (s.startsWith('.') ? s.replace(/\.[mc]?[jt]sx?$/, '') : s);
  return strip(a) === strip(b);
}

/** The `require('m')` call a statement's initializer is, if it is one. */
function requireSpecifier(node: ts.Node | undefined): string | undefined {
  if (!node || !ts.isCallExpression(node)) return undefined;
  const [arg] = node.arguments;
  if (ts.isIdentifier(node.expression) && node.expression.text === 'require' && arg && ts.isStringLiteral(arg)) return arg.text;
  return undefined;
}

function containsRequire(node: ts.Node): boolean {
  if (requireSpecifier(node) !== undefined) return true;
  return ts.forEachChild(node, (child) => (containsRequire(child) ? true : undefined)) ?? false;
}

function isDirective(statement: ts.Statement): boolean {
  return ts.isExpressionStatement(statement) && ts.isStringLiteral(statement.expression);
}

/** Appends the missing `names` to an existing, non-empty named-import list; null when none is missing. */
function mergeEdit(
  file: string,
  elements: ts.NodeArray<ts.ImportSpecifier> | ts.NodeArray<ts.BindingElement>,
  names: string[],
): TextEdit | null {
  const present = new Set(
    elements.map((element) => {
      // Imported name bound to the same local name; `{ a as b }` does not provide `a`.
      const local = element.name.getText();
      const imported = element.propertyName?.getText() ?? local;
      return imported === local ? local : '';
    }),
  );
  const missing = names.filter((name) => !present.has(name));
  if (missing.length === 0) return null;
  const last = elements[elements.length - 1];
  if (!last) return null;
  return { file, start: last.end, end: last.end, text: missing.map((name) => `, ${name}`).join('') };
}

/**
 * The edit that makes `request.names` available from `request.specifier` in this file: merges into
 * an existing `import { … }`/`const { … } = require()` of that module, or inserts a new line after
 * the last import/require at the top of the file. Null when the names are already imported.
 */
export function importEdit(file: string, text: string, request: ImportRequest, style: CodeStyle = defaultStyle): TextEdit | null {
  const sourceFile = parse(file, text);
  let anchor: ts.Statement | undefined;
  let inRequirePrologue = true;
  for (const statement of sourceFile.statements) {
    if (request.moduleKind === 'esm') {
      if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
      anchor = statement;
      const clause = statement.importClause;
      if (!sameModule(statement.moduleSpecifier.text, request.specifier) || !clause || clause.isTypeOnly) continue;
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamedImports(bindings) && bindings.elements.length > 0) {
        return mergeEdit(file, bindings.elements, request.names);
      }
      if (!bindings && clause.name) {
        // `import x from 'm'` becomes `import x, { a } from 'm'`.
        return { file, start: clause.name.end, end: clause.name.end, text: `, { ${request.names.join(', ')} }` };
      }
      continue;
    }
    // CommonJS: only the run of requires at the top counts; order of requires is order of execution.
    if (!inRequirePrologue) break;
    if (isDirective(statement)) continue;
    if (ts.isVariableStatement(statement)) {
      const declarations = statement.declarationList.declarations;
      if (declarations.length === 0 || !declarations.every((d) => requireSpecifier(d.initializer) !== undefined)) {
        inRequirePrologue = false;
        continue;
      }
      anchor = statement;
      for (const declaration of declarations) {
        const specifier = requireSpecifier(declaration.initializer)!;
        if (sameModule(specifier, request.specifier) && ts.isObjectBindingPattern(declaration.name) && declaration.name.elements.length > 0) {
          return mergeEdit(file, declaration.name.elements, request.names);
        }
      }
      continue;
    }
    if (ts.isExpressionStatement(statement) && containsRequire(statement.expression)) {
      anchor = statement; // require('dotenv').config()
      continue;
    }
    inRequirePrologue = false;
  }

  const line = renderImport(request, style);
  if (anchor) {
    const newline = text.indexOf('\n', anchor.end);
    if (newline === -1) return { file, start: text.length, end: text.length, text: style.eol + line };
    return { file, start: newline + 1, end: newline + 1, text: line + style.eol };
  }
  // No imports yet: after a shebang and any directive prologue ('use strict'), before everything else.
  let start = 0;
  const directives = sourceFile.statements.filter((s, i, all) => all.slice(0, i + 1).every(isDirective));
  const lastDirective = directives[directives.length - 1];
  if (lastDirective) {
    const newline = text.indexOf('\n', lastDirective.end);
    start = newline === -1 ? text.length : newline + 1;
    if (newline === -1) return { file, start, end: start, text: style.eol + line };
  } else if (text.startsWith('#!')) {
    const newline = text.indexOf('\n');
    if (newline === -1) return { file, start: text.length, end: text.length, text: style.eol + line };
    start = newline + 1;
  }
  const rest = text.slice(start);
  const blankAfter = rest.length > 0 && !/^\r?\n/.test(rest) ? style.eol : '';
  return { file, start, end: start, text: line + style.eol + blankAfter };
}
