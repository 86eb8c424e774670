// Test code builds throwaway apps with stub guards; read as the project's, every route they mount shows twice, once
// open. nnsi/hono-practice (holdout7) keeps `goalSyncRouteTestHelper.ts` beside the route it mounts with a mock guard.
import { expect, it } from 'vitest';
import { listRoutes } from '../../src/api.js';
import { makeTempProject, removeTempProject } from '../helpers/temp-project.js';

it('skips test files and test helpers beside the code; a file merely named for testing routes stays', async () => {
  const mount = (guard: string) => `import express from 'express';
import { ${guard} } from './auth.js';
import { orders } from './orders.js';
export const app = express();
app.use('/orders', ${guard}, orders);
`;
  const dir = makeTempProject('test-support', {
    'package.json': JSON.stringify({ name: 'test-support', type: 'module', dependencies: { express: '^5.1.0' } }),
    'src/auth.js': `export function requireUser(req, res, next) { if (!req.headers.authorization) return res.status(401).end(); next(); }
export function mockAuth(req, res, next) { next(); }
`,
    'src/orders.js': `import { Router } from 'express';
export const orders = Router();
orders.get('/', (req, res) => res.json([]));
`,
    'src/app.js': mount('requireUser'),
    'src/ordersTestHelper.js': mount('mockAuth'),
    'src/test-utils.js': mount('mockAuth'),
    'src/orders.spec.js': mount('mockAuth'),
    'src/testing-routes.js': `import { app } from './app.js';
app.get('/testing/ping', (req, res) => res.send('pong'));
`,
  });
  try {
    const { routes } = await listRoutes({ paths: [dir], cwd: dir, missingAuth: 'strict' });
    expect(routes.map((r) => `${r.method} ${r.path} ${r.auth.status} ${r.loc.file}`).sort()).toEqual([
      'GET /orders protected src/orders.js',
      'GET /testing/ping unprotected src/testing-routes.js',
    ]);
  } finally {
    removeTempProject(dir);
  }
});
