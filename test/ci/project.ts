// A small Express project written into test/.tmp (so express resolves from the root node_modules),
// optionally as a real git repository, for the baseline, changed-files and hook tests.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeTempProject, repoRoot } from '../helpers/temp-project.js';

export const AUTH_TS = `import type { NextFunction, Request, Response } from 'express';

export function requireAuth(req: Request, res: Response, next: NextFunction) {
  if (!req.headers.authorization) {
    res.status(401).json({ error: 'unauthorized' });
    return;
  }
  next();
}
`;

export const APP_TS = `import express from 'express';
import { requireAuth } from './auth.js';
import { users } from './users.js';
import { orders } from './orders.js';

const app = express();
app.get('/health', (_req, res) => res.send('ok'));
app.use('/api/orders', requireAuth, orders);
app.use('/api', users);
app.listen(3000);
`;

export const USERS_TS = `import { Router } from 'express';
import { deleteUser, listUsers } from './handlers/user-handlers.js';

export const users = Router();
users.get('/users', listUsers);
users.delete('/users/:id', deleteUser);
`;

export const USER_HANDLERS_TS = `import type { Request, Response } from 'express';

export function listUsers(_req: Request, res: Response) {
  res.json([]);
}

export function deleteUser(req: Request, res: Response) {
  res.status(204).send(req.params.id);
}
`;

export const ORDERS_TS = `import { Router } from 'express';

export const orders = Router();
orders.get('/', (_req, res) => res.json([]));
`;

export function expressProject(prefix: string, extra: Record<string, string> = {}): string {
  return makeTempProject(prefix, {
    'package.json': JSON.stringify({ name: prefix, private: true, type: 'module', dependencies: { express: '^5.0.0' } }, null, 2) + '\n',
    'src/auth.ts': AUTH_TS,
    'src/app.ts': APP_TS,
    'src/users.ts': USERS_TS,
    'src/handlers/user-handlers.ts': USER_HANDLERS_TS,
    'src/orders.ts': ORDERS_TS,
    ...extra,
  });
}

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `git init` with a local identity and everything committed. */
export function initRepo(dir: string): void {
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.name', 'Test');
  git(dir, 'config', 'user.email', 'test@example.com');
  git(dir, 'config', 'commit.gpgsign', 'false');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'initial');
}

export function write(dir: string, file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  fs.writeFileSync(path.join(dir, file), text);
}

export function read(dir: string, file: string): string {
  return fs.readFileSync(path.join(dir, file), 'utf8');
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Tests that run bin/auth-enforcer.js need dist: build it when stale (`npm test` already has). */
export function ensureBuilt(): void {
  const built = path.join(repoRoot, 'dist/src/cli/main.js');
  const sources = Math.max(newestMtime(path.join(repoRoot, 'src')), newestMtime(path.join(repoRoot, 'rules')));
  if (fs.existsSync(built) && fs.statSync(built).mtimeMs >= sources) return;
  try {
    execFileSync(process.execPath, [path.join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: repoRoot, stdio: 'pipe' });
  } catch {
    // tsc emits despite type errors elsewhere in the tree; the tests judge the result.
  }
}

/** node_modules/.bin links in a temp project, standing in for `npm install` (offline). */
export function linkBins(dir: string, bins: Record<string, string>): void {
  fs.mkdirSync(path.join(dir, 'node_modules/.bin'), { recursive: true });
  for (const [name, target] of Object.entries(bins)) fs.symlinkSync(path.join(repoRoot, target), path.join(dir, 'node_modules/.bin', name));
}
