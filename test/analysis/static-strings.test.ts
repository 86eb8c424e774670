// Strings a path or a prefix exclusion is built from, as far as syntax can tell (src/syntax/strings.ts).
import { ts } from 'ts-morph';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/discover/project.js';
import { defaultConfig } from '../../src/model/config.js';
import { Resolver } from '../../src/syntax/resolve.js';
import { mappedStrings, staticString, staticStrings } from '../../src/syntax/strings.js';
import { makeTempProject, removeTempProject } from '../helpers/temp-project.js';

const dir = makeTempProject('static-strings', {
  'package.json': JSON.stringify({ name: 'static-strings', private: true }),
  'src/config.ts': `export const QUEUES_ROUTE = '/admin/queues';
export const LANGUAGES = ['de', 'en', 'fr'];
`,
  'src/main.ts': `import { LANGUAGES, QUEUES_ROUTE } from './config';
const routes = new Map([['/js/a.js', 'a'], ['/js/b.js', 'b']]);
export const excluded = QUEUES_ROUTE.substring(1);
export const upper = QUEUES_ROUTE.toUpperCase();
export const pages = LANGUAGES.map((code) => \`/\${code}{/*wildcard}\`);
export const dynamic = LANGUAGES.map((code) => \`/\${code}/\${process.env.X}\`);
for (const [url] of routes) console.log(url);
['/a', '/b'].forEach((p) => console.log(p));
`,
});
afterAll(() => removeTempProject(dir));

describe('static strings', () => {
  const project = loadProject(dir, [dir], defaultConfig());
  const resolver = new Resolver(project.modules, project.files);
  const sf = [...project.files.values()].find((f) => f.fileName.endsWith('main.ts'))!;
  const init = (name: string) => {
    let found: ts.Expression | undefined;
    sf.forEachChild(function visit(n): void {
      if (ts.isVariableDeclaration(n) && n.name.getText() === name) found = n.initializer;
      n.forEachChild(visit);
    });
    return found!;
  };
  const logged = (i: number) => {
    const calls: ts.CallExpression[] = [];
    sf.forEachChild(function visit(n): void {
      if (ts.isCallExpression(n) && n.expression.getText() === 'console.log') calls.push(n);
      n.forEachChild(visit);
    });
    return calls[i]!.arguments[0]!;
  };

  it('string methods on constants, across files', () => {
    expect(staticString(init('excluded'), resolver)).toBe('admin/queues');
    expect(staticString(init('upper'), resolver)).toBe('/ADMIN/QUEUES');
  });

  it('map() over a literal array gives one string per element; a part read at run time gives none', () => {
    expect(mappedStrings(init('pages') as ts.CallExpression, resolver)).toEqual(['/de{/*wildcard}', '/en{/*wildcard}', '/fr{/*wildcard}']);
    expect(mappedStrings(init('dynamic') as ts.CallExpression, resolver)).toBeUndefined();
  });

  it('a loop variable over a literal Map or array takes each value', () => {
    expect(staticStrings(logged(0), resolver)).toEqual(['/js/a.js', '/js/b.js']);
    expect(staticStrings(logged(1), resolver)).toEqual(['/a', '/b']);
  });
});
