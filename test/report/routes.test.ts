import { describe, expect, it } from 'vitest';
import type { Route } from '../../src/model/types.js';
import { renderRoutesJson, renderRoutesTable } from '../../src/report/index.js';
import { loc, route } from './sample.js';

const guarded: Route = {
  id: 'express:GET:/me',
  framework: 'express',
  method: 'get',
  path: '/api/me',
  loc: loc('src/app.ts', 10, 1, 10, 40),
  handler: { name: 'getMe', loc: loc('src/handlers/me.ts', 3, 17, 8, 2) },
  auth: {
    status: 'protected',
    guards: [
      { name: 'requireAuth', kind: 'middleware', scope: 'router', loc: loc('src/app.ts', 4, 1, 4, 30), evidence: 'returns 401 without a token' },
      { name: 'rateLimit', kind: 'middleware', scope: 'route', loc: loc('src/app.ts', 10, 20, 10, 29), evidence: 'configured guard' },
    ],
  },
};
const health: Route = {
  ...guarded,
  id: 'express:GET:/health',
  method: 'GET',
  path: '/health',
  loc: loc('src/app.ts', 12, 1, 12, 30),
  auth: { status: 'public', guards: [], reason: 'publicRoutes: load balancer probe' },
};
const unknown: Route = { ...health, id: 'x', path: '/x', auth: { status: 'unknown', guards: [], reason: 'unresolved middleware authz' } };

describe('routes renderers', () => {
  it('renders an aligned table without colour', () => {
    const out = renderRoutesTable([route, guarded, health, unknown], [], { color: false, root: '/r' });
    expect(out).toBe(
      [
        'METHOD  PATH        STATUS       GUARDS                                           LOCATION',
        'GET     /users/:id  unprotected  (no guard on the route, its routers or the app)  src/users.ts:3',
        'GET     /api/me     protected    requireAuth, rateLimit                           src/app.ts:10',
        'GET     /health     public       (publicRoutes: load balancer probe)              src/app.ts:12',
        'GET     /x          unknown      (unresolved middleware authz)                    src/app.ts:12',
        '',
        '4 routes: 1 unprotected, 1 unknown, 1 public, 1 protected',
        '',
      ].join('\n'),
    );
  });

  it('colours the status when colour is on', () => {
    const out = renderRoutesTable([route, guarded], [], { color: true, root: '/r' });
    expect(out).toContain('\u001b[31m\u001b[1munprotected\u001b[22m\u001b[39m');
    expect(out).toContain('\u001b[32mprotected  \u001b[39m');
  });

  it('handles no routes and lists diagnostics', () => {
    const out = renderRoutesTable([], [{ level: 'info', code: 'no-framework', message: 'no supported framework found' }], {
      color: false,
      root: '/r',
    });
    expect(out).toBe('No routes found.\n\nDiagnostics:\n  info     no supported framework found  no-framework\n');
  });

  it('prints the json contract', () => {
    const out = JSON.parse(renderRoutesJson([guarded, route], [{ level: 'warning', code: 'c', message: 'm', file: 'src/a.ts' }]));
    expect(out).toStrictEqual({
      schemaVersion: 1,
      routes: [
        {
          framework: 'express',
          method: 'get',
          path: '/api/me',
          file: 'src/app.ts',
          line: 10,
          column: 1,
          handler: { name: 'getMe', file: 'src/handlers/me.ts', line: 3, column: 17 },
          auth: {
            status: 'protected',
            guards: [
              { name: 'requireAuth', kind: 'middleware', scope: 'router', evidence: 'returns 401 without a token', file: 'src/app.ts', line: 4, column: 1 },
              { name: 'rateLimit', kind: 'middleware', scope: 'route', evidence: 'configured guard', file: 'src/app.ts', line: 10, column: 20 },
            ],
            reason: null,
          },
        },
        {
          framework: 'express',
          method: 'GET',
          path: '/users/:id',
          file: 'src/users.ts',
          line: 3,
          column: 1,
          handler: { name: null, file: 'src/users.ts', line: 3, column: 25 },
          auth: { status: 'unprotected', guards: [], reason: 'no guard on the route, its routers or the app' },
        },
      ],
      diagnostics: [{ level: 'warning', code: 'c', message: 'm', file: 'src/a.ts' }],
    });
  });
});
