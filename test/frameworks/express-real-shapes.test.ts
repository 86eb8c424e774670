// Shapes found in real Express projects (see each test's comment); every fixture is a minimal rewrite, not their code.
import { describe, expect, it } from 'vitest';
import { listRoutes } from '../../src/api.js';
import { fixture, repoRoot, routeLines } from '../helpers/fixtures.js';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

async function routesOf(name: string) {
  return (await listRoutes({ paths: [fixture('express', name)], cwd: repoRoot })).routes;
}

describe('express: shapes from real projects', () => {
  // gothinkster/node-express-realworld-example-app: an Nx solution tsconfig (files: [] + references) selected
  // no file at all, and `export default Router().use('/api', api)` was not seen as a router.
  it('reads files through a solution tsconfig; use() chains return the router and run left to right', async () => {
    expect(await routeLines(fixture('express', 'chained-router-solution-tsconfig'))).toEqual([
      'DELETE /api/account protected',
      'GET / unprotected',
      'GET /api/account protected',
      'GET /api/products unprotected',
    ]);
    const account = (await routesOf('chained-router-solution-tsconfig')).find((r) => r.method === 'GET' && r.path === '/api/account')!;
    expect(account.auth.guards).toMatchObject([
      { name: 'requireUser', scope: 'router', evidence: 'responds 401, otherwise calls next()', loc: { file: 'src/routes/index.ts', line: 7 } },
    ]);
  });
});

describe('express fixtures from real shapes', () => {
  it('type-check against Express 5 from the root node_modules', async () => {
    const tsc = path.join(repoRoot, 'node_modules/typescript/bin/tsc');
    for (const project of ['chained-router-solution-tsconfig/tsconfig.app.json']) {
      execFileSync(process.execPath, [tsc, '-p', fixture('express', project), '--noEmit'], { stdio: 'pipe' });
    }
  }, 60_000);
});
