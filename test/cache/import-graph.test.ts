// The import graph a slice reads backwards: every way a file can use another must be an edge, or a
// slice could miss the file that mounts a router or calls a service.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importGraph } from '../../src/discover/import-graph.js';
import { loadProject } from '../../src/discover/project.js';
import { defaultConfig } from '../../src/model/config.js';
import { makeTempProject, removeTempProject } from '../helpers/temp-project.js';

const dir = makeTempProject('import-graph', {
  'package.json': '{ "name": "import-graph", "type": "module" }\n',
  'tsconfig.json': '{ "compilerOptions": { "module": "NodeNext", "allowJs": true, "baseUrl": ".", "paths": { "@lib/*": ["src/lib/*"] } } }\n',
  'src/app.ts': [
    "import { users } from './routes/users.js';", // NodeNext: .js names the .ts file
    "import routes from './routes';", // a directory's index
    "export { audit } from './audit.js';", // a re-export
    "import { db } from '@lib/db';", // a tsconfig path alias: left to the module resolver
    "import express from 'express';", // a package: no edge
    'export function later() {',
    "  return import('./jobs/nightly.js');", // dynamic import inside a function
    '}',
    'void users; void routes; void db; void express;',
  ].join('\n'),
  'src/routes/users.ts': 'export const users = 1;\n',
  'src/routes/index.ts': 'export default 2;\n',
  'src/audit.ts': 'export const audit = 3;\n',
  'src/lib/db.ts': 'export const db = 4;\n',
  'src/jobs/nightly.ts': 'export const nightly = 5;\n',
  'src/legacy.cjs': "const { audit } = require('./audit.js');\nmodule.exports = { audit };\n",
});
afterAll(() => removeTempProject(dir));

describe('importGraph', () => {
  it('has an edge for every import, re-export, require and import() that names a project file', () => {
    const project = loadProject(dir, [dir], defaultConfig());
    const graph = importGraph(project.files, project.modules);
    const rel = (f: string) => path.relative(dir, f).split(path.sep).join('/');
    const edges = (file: string) => graph.get(path.join(dir, file))?.map(rel);
    expect(edges('src/app.ts')).toEqual(['src/audit.ts', 'src/jobs/nightly.ts', 'src/lib/db.ts', 'src/routes/index.ts', 'src/routes/users.ts']);
    expect(edges('src/legacy.cjs')).toEqual(['src/audit.ts']);
    expect(edges('src/routes/users.ts')).toEqual([]);
  });
});
