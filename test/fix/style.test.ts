import { describe, expect, it } from 'vitest';
import { applyEdits } from '../../src/fix/edits.js';
import { defaultStyle, detectStyle, importEdit, type ImportRequest, quoteString, relativeSpecifier, renderImport, usesJsExtensions, type CodeStyle } from '../../src/fix/style.js';

describe('detectStyle', () => {
  it('reads quotes, semicolons, indentation and line endings', () => {
    const text = 'import express from "express"\r\n\r\nfunction f() {\r\n    if (x) {\r\n        return "a"\r\n    }\r\n}\r\n';
    expect(detectStyle(text, 'a.ts')).toEqual({ quote: '"', semicolons: false, indent: '    ', eol: '\r\n' });
  });

  it('is not fooled by quotes and semicolons inside comments and strings', () => {
    const text = `// "a" "b" "c"; "d";\nconst a = 'x;';\nconst b = \`"\`;\nfunction f() {\n\treturn 'y';\n}\n`;
    expect(detectStyle(text, 'a.js')).toEqual({ quote: "'", semicolons: true, indent: '\t', eol: '\n' });
  });

  it('falls back to the defaults for an empty file', () => {
    expect(detectStyle('', 'a.ts')).toEqual(defaultStyle);
  });

  it('quotes strings, switching quote only to avoid escapes', () => {
    expect(quoteString("it's", { quote: "'" })).toBe(`"it's"`);
    expect(quoteString('Bearer error="x"', { quote: '"' })).toBe(`'Bearer error="x"'`);
    expect(quoteString(`a'b"c\\`, { quote: "'" })).toBe(`'a\\'b"c\\\\'`);
  });
});

describe('import helpers', () => {
  const style: CodeStyle = { quote: '"', semicolons: false, indent: '  ', eol: '\n' };

  it('renders ESM and CommonJS import lines in the file style', () => {
    expect(renderImport({ names: ['requireAuth'], specifier: './auth/require-auth.js', moduleKind: 'esm' })).toBe(
      "import { requireAuth } from './auth/require-auth.js';",
    );
    expect(renderImport({ names: ['requireAuth'], specifier: './auth/require-auth', moduleKind: 'cjs' }, style)).toBe(
      'const { requireAuth } = require("./auth/require-auth")',
    );
  });

  it('computes relative specifiers with or without the runtime extension', () => {
    expect(relativeSpecifier('/p/src/routes/todos.ts', '/p/src/auth/require-auth.ts', true)).toBe('../auth/require-auth.js');
    expect(relativeSpecifier('/p/src/app.ts', '/p/src/auth/require-auth.ts', false)).toBe('./auth/require-auth');
    expect(relativeSpecifier('/p/src/app.mts', '/p/src/auth.mts', true)).toBe('./auth.mjs');
    expect(relativeSpecifier('/p/app.js', '/p/auth.cjs', false)).toBe('./auth.cjs');
  });

  it('decides on .js extensions from existing imports first, then tsconfig, then Node ESM', () => {
    expect(usesJsExtensions({ text: "import a from './a';\nimport b from './b';", moduleResolution: 'NodeNext' })).toBe(false);
    expect(usesJsExtensions({ text: "import a from './a.js';", moduleResolution: 'bundler' })).toBe(true);
    expect(usesJsExtensions({ text: "import x from 'express';", moduleResolution: 'NodeNext' })).toBe(true);
    expect(usesJsExtensions({ module: 'Node16' })).toBe(true);
    expect(usesJsExtensions({ moduleResolution: 'Bundler', module: 'NodeNext' })).toBe(false);
    expect(usesJsExtensions({ fileName: 'src/app.js', packageType: 'module' })).toBe(true);
    expect(usesJsExtensions({ fileName: 'src/app.js', packageType: 'commonjs' })).toBe(false);
    expect(usesJsExtensions({ fileName: 'src/app.ts' })).toBe(false);
  });

  const request: ImportRequest = { names: ['requireAuth'], specifier: './auth.js', moduleKind: 'esm' };
  const apply = (text: string, req: ImportRequest = request, s: CodeStyle = defaultStyle) => {
    const edit = importEdit('/p/a.ts', text, req, s);
    return edit ? applyEdits(text, [edit]) : null;
  };

  it('inserts after the last import, on its own line, keeping trailing comments in place', () => {
    expect(apply("import express from 'express'; // web\nimport { db } from './db.js';\n\nconst app = express();\n")).toBe(
      "import express from 'express'; // web\nimport { db } from './db.js';\nimport { requireAuth } from './auth.js';\n\nconst app = express();\n",
    );
  });

  it('merges into an existing named import of the same module and is idempotent', () => {
    const once = apply("import { other } from './auth.js';\nx();\n")!;
    expect(once).toBe("import { other, requireAuth } from './auth.js';\nx();\n");
    expect(apply(once)).toBeNull();
    expect(apply("import { other } from './auth';\n")).toBe("import { other, requireAuth } from './auth';\n");
    expect(apply("import auth from './auth.js';\n")).toBe("import auth, { requireAuth } from './auth.js';\n");
  });

  it('does not merge into type-only or namespace imports, nor count an alias as the name', () => {
    expect(apply("import type { A } from './auth.js';\n")).toBe("import type { A } from './auth.js';\nimport { requireAuth } from './auth.js';\n");
    expect(apply("import * as a from './auth.js';\n")).toBe("import * as a from './auth.js';\nimport { requireAuth } from './auth.js';\n");
    expect(apply("import { requireAuth as ra } from './auth.js';\n")).toBe("import { requireAuth as ra, requireAuth } from './auth.js';\n");
  });

  it('inserts at the top, after a shebang and directives, when there are no imports', () => {
    expect(apply('const x = 1;\n')).toBe("import { requireAuth } from './auth.js';\n\nconst x = 1;\n");
    expect(apply("#!/usr/bin/env node\n'use strict';\nrun();\n")).toBe("#!/usr/bin/env node\n'use strict';\nimport { requireAuth } from './auth.js';\n\nrun();\n");
    expect(apply('')).toBe("import { requireAuth } from './auth.js';\n");
  });

  it('handles a last import without a trailing newline', () => {
    expect(apply("import a from 'a';")).toBe("import a from 'a';\nimport { requireAuth } from './auth.js';");
  });

  it('CommonJS: inserts after the leading requires, merges destructured requires, in the file style', () => {
    const cjs = { names: ['requireAuth'], specifier: './auth', moduleKind: 'cjs' as const };
    const text = "'use strict'\nconst express = require(\"express\")\nrequire(\"dotenv\").config()\n\nconst app = express()\nconst late = require(\"late\")\n";
    expect(apply(text, cjs, style)).toBe(
      "'use strict'\nconst express = require(\"express\")\nrequire(\"dotenv\").config()\nconst { requireAuth } = require(\"./auth\")\n\nconst app = express()\nconst late = require(\"late\")\n",
    );
    expect(apply('const { a } = require("./auth")\n', cjs, style)).toBe('const { a, requireAuth } = require("./auth")\n');
    expect(apply('const { requireAuth } = require("./auth.js")\n', cjs, style)).toBeNull();
  });

  it('keeps CRLF line endings', () => {
    expect(apply("import a from 'a';\r\nrun();\r\n", request, { ...defaultStyle, eol: '\r\n' })).toBe(
      "import a from 'a';\r\nimport { requireAuth } from './auth.js';\r\nrun();\r\n",
    );
  });
});
