// Shared test data for the reporter tests: a small scan result over a project written to a temp dir.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Finding, Route, ScanResult, SourceLoc } from '../../src/model/types.js';

export const USERS_TS = [
  "import { Router } from 'express';",
  'export const users = Router();',
  "users.get('/users/:id', async (req, res) => {",
  '  const user = await db.user.findUnique({ where: { id: req.params.id } });',
  '  res.json(user);',
  '});',
  '',
].join('\n');

export function makeRoot(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'ae-report-'));
  mkdirSync(path.join(root, 'src'));
  writeFileSync(path.join(root, 'src/users.ts'), USERS_TS);
  return root;
}

export const loc = (file: string, line: number, column: number, endLine: number, endColumn: number): SourceLoc => ({
  file,
  line,
  column,
  endLine,
  endColumn,
});

export const missingAuth: Finding = {
  ruleId: 'missing-auth',
  messageId: 'missing',
  message: 'GET /users/:id has no authentication guard',
  severity: 'error',
  loc: loc('src/users.ts', 3, 1, 3, 10),
  route: { method: 'GET', path: '/users/:id' },
  fingerprint: 'fp-missing-auth-1',
  fix: { description: 'add requireAuth', edits: [{ file: '/x/src/users.ts', start: 0, end: 0, text: 'x' }] },
};

export const unscoped: Finding = {
  ruleId: 'unscoped-query',
  messageId: 'unscoped',
  message: 'GET /users/:id reads user by req.params.id without checking the owner',
  severity: 'warning',
  loc: loc('src/users.ts', 4, 22, 4, 74),
  route: { method: 'GET', path: '/users/:id' },
  fingerprint: 'fp-unscoped-1',
};

export const route: Route = {
  id: 'express:GET:/users/:id:users.ts#anon',
  framework: 'express',
  method: 'GET',
  path: '/users/:id',
  loc: loc('src/users.ts', 3, 1, 6, 3),
  handler: { loc: loc('src/users.ts', 3, 25, 6, 2) },
  auth: { status: 'unprotected', guards: [], reason: 'no guard on the route, its routers or the app' },
};

export function makeResult(root: string, overrides: Partial<ScanResult> = {}): ScanResult {
  return {
    root,
    routes: [route],
    findings: [unscoped, missingAuth],
    suppressed: [],
    diagnostics: [
      { level: 'warning', code: 'unresolved-import', message: "cannot resolve './auth'", file: 'src/app.ts', line: 2 },
    ],
    summary: { files: 2, routes: 1, errors: 1, warnings: 1, durationMs: 12 },
    frameworks: ['express'],
    ...overrides,
  };
}
