#!/usr/bin/env node
// Generates a synthetic Express + TypeScript project for the benchmark: a realistic shape (app, area
// registrars and nested routers, route modules, controllers, services, a Prisma schema, a real auth
// guard) padded with ordinary non-route code up to a target size. Seeded, so the same options always
// produce the same bytes and runs are comparable.
//
//   node test/bench/generate.mjs --out /tmp/bench-app [--files 2000] [--lines 200000] [--seed 1]
//
// `files` and `lines` count source files (.ts, .cjs) only; package.json, tsconfig.json and the Prisma
// schema come on top. Both are targets: the skeleton has a minimum size, filler makes up the rest.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULTS = { files: 2000, lines: 200_000, seed: 1 };

const AREAS = [
  'accounts', 'billing', 'catalog', 'inventory', 'orders', 'shipping', 'support', 'analytics',
  'notifications', 'projects', 'teams', 'documents', 'calendar', 'messaging', 'reports', 'integrations',
  'admin', 'search', 'media', 'payments', 'marketing', 'compliance', 'scheduling', 'feedback',
];

// Entities double as Prisma models (`prisma.<noun>`); the owned ones carry a `userId` owner field.
const NOUNS = [
  'invoice', 'payment', 'refund', 'coupon', 'product', 'category', 'order', 'shipment', 'ticket',
  'comment', 'project', 'task', 'team', 'member', 'document', 'folder', 'event', 'reminder', 'message',
  'thread', 'report', 'dashboard', 'webhook', 'apiKey', 'integration', 'notification', 'subscription',
  'plan', 'asset', 'upload', 'address', 'review', 'wishlist', 'cartItem', 'note', 'label', 'milestone',
  'sprint', 'survey', 'campaign',
];
const UNOWNED = new Set(['product', 'category', 'plan', 'label']);
const FIELDS = ['title', 'name', 'status', 'description', 'priority', 'amount', 'currency', 'notes', 'color', 'position'];

// REST actions a route module may expose; each picks a handler template in `handlerBody`.
const ACTIONS = [
  { kind: 'list', method: 'get', path: '/' },
  { kind: 'create', method: 'post', path: '/' },
  { kind: 'get', method: 'get', path: '/:id' },
  { kind: 'update', method: 'patch', path: '/:id' },
  { kind: 'delete', method: 'delete', path: '/:id' },
  { kind: 'replace', method: 'put', path: '/:id' },
  { kind: 'search', method: 'get', path: '/search' },
  { kind: 'export', method: 'get', path: '/export' },
  { kind: 'bulk', method: 'post', path: '/bulk' },
  { kind: 'history', method: 'get', path: '/:id/history' },
  { kind: 'archive', method: 'post', path: '/:id/archive' },
  { kind: 'restore', method: 'post', path: '/:id/restore' },
  { kind: 'comments', method: 'get', path: '/:id/comments' },
  { kind: 'comment', method: 'post', path: '/:id/comments' },
  { kind: 'uncomment', method: 'delete', path: '/:id/comments/:commentId' },
];

// ---------------------------------------------------------------------------------------------------
// Small helpers

/** mulberry32: a tiny, fast, seedable PRNG; good enough to vary shapes deterministically. */
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    chance: (p) => next() < p,
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    shuffle: (arr) => {
      const a2 = arr.slice();
      for (let i = a2.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [a2[i], a2[j]] = [a2[j], a2[i]];
      }
      return a2;
    },
  };
}

const cap = (s) => s[0].toUpperCase() + s.slice(1);
const plural = (s) => (/(s|x|ch|sh)$/.test(s) ? `${s}es` : /[^aeiou]y$/.test(s) ? `${s.slice(0, -1)}ies` : `${s}s`);
const kebab = (s) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const countLines = (text) => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);

// ---------------------------------------------------------------------------------------------------
// The generator

/**
 * Writes the project into `out` (created if needed; an existing `src` is replaced) and returns what it
 * generated: source files, lines, and the routes it registered (with how many are unguarded).
 */
export function generateProject({ out, files = DEFAULTS.files, lines = DEFAULTS.lines, seed = DEFAULTS.seed } = {}) {
  if (!out) throw new Error('generateProject: `out` is required');
  const r = rng(seed);
  const written = new Map(); // relative path -> text
  const put = (rel, text) => written.set(rel, text.endsWith('\n') ? text : `${text}\n`);
  const stats = { routes: 0, unguardedRoutes: 0 };

  // Sizing: about 10% of files are route modules, each with a controller and a service beside it.
  const areaCount = Math.max(3, Math.min(AREAS.length, Math.round(files / 100)));
  const moduleCount = Math.max(areaCount, Math.round(files * 0.1));
  const cjsCount = moduleCount >= 10 ? Math.max(1, Math.round(moduleCount * 0.03)) : 0;
  const areas = AREAS.slice(0, areaCount).map((name, i) => ({
    name,
    // Alternate how areas reach the app: a registrar function taking `app`, or a nested router.
    style: i % 3 === 0 ? 'registrar' : 'nested',
    areaGuard: i % 3 === 2, // nested routers with `router.use(requireAuth)` for the whole area
    nouns: r.shuffle(NOUNS),
    modules: [],
  }));
  for (let m = 0; m < moduleCount - cjsCount; m++) {
    const area = areas[m % areaCount];
    const k = area.modules.length;
    const noun = area.nouns[k % NOUNS.length];
    const base = plural(noun) + (k >= NOUNS.length ? String(Math.floor(k / NOUNS.length) + 1) : '');
    area.modules.push({ noun, base, style: moduleStyle(r, area) });
  }
  const models = new Set(areas.flatMap((a) => a.modules.map((m) => m.noun)));
  models.add('comment');

  // Fixed files.
  put('package.json', packageJson());
  put('tsconfig.json', tsconfigJson());
  put('prisma/schema.prisma', prismaSchema([...models].sort()));
  put('src/types/express.d.ts', expressTypes());
  put('src/db.ts', dbFile());
  put('src/middleware/auth.ts', authMiddleware());
  put('src/middleware/error.ts', errorMiddleware());
  put('src/server.ts', serverFile());

  // Route modules, controllers, services; area registrars or routers; the legacy CommonJS corner.
  for (const area of areas) {
    for (const mod of area.modules) {
      put(`src/modules/${area.name}/${mod.base}.routes.ts`, routesFile(r, area, mod, stats));
      put(`src/modules/${area.name}/${mod.base}.controller.ts`, controllerFile(r, area, mod));
      put(`src/modules/${area.name}/${mod.base}.service.ts`, serviceFile(r, mod));
    }
    put(`src/modules/${area.name}/index.ts`, areaIndex(area));
  }
  const legacy = [];
  for (let i = 0; i < cjsCount; i++) legacy.push(legacyModule(r, NOUNS[(i * 7) % NOUNS.length], i, stats));
  for (const l of legacy) put(`src/legacy/${l.file}`, l.text);
  if (cjsCount) {
    put('src/legacy/auth.cjs', legacyAuth());
    put('src/legacy/index.cjs', legacyIndex(legacy));
  }
  put('src/app.ts', appFile(areas, cjsCount > 0, stats));

  // Filler: ordinary library code up to the file and line targets.
  const isSource = (p) => /\.(ts|cjs)$/.test(p);
  const used = [...written].filter(([p]) => isSource(p));
  const usedLines = used.reduce((n, [, t]) => n + countLines(t), 0);
  const fillerFiles = Math.max(0, files - used.length);
  const fillerLines = Math.max(fillerFiles * 12, lines - usedLines);
  const weights = Array.from({ length: fillerFiles }, () => 0.3 + r.next() * 1.4);
  // Each file's share is taken from what is left, so blocks overshooting one file's target even out.
  let weightLeft = weights.reduce((a, b) => a + b, 0);
  let linesLeft = fillerLines;
  const fillers = [];
  const ids = { next: 0 }; // block ids, unique project-wide so imported names never clash
  for (let i = 0; i < fillerFiles; i++) {
    const area = areas[i % areaCount].name;
    const dir = ['lib', 'domain', 'utils', 'jobs', 'integrations'][i % 5];
    const name = `${kebab(r.pick(NOUNS))}-${r.pick(['helpers', 'policy', 'mapper', 'cache', 'format', 'rules', 'client', 'queue'])}-${i}`;
    const rel = `src/${dir}/${area}/${name}.ts`;
    const target = Math.max(12, Math.round((linesLeft * weights[i]) / weightLeft));
    const file = fillerFile(r, rel, target, fillers, ids);
    weightLeft -= weights[i];
    linesLeft -= countLines(file.text);
    fillers.push(file);
    put(rel, file.text);
  }

  // Write: replace src/ and prisma/ so a smaller run never leaves stale files behind. Refuse to touch a
  // non-empty directory that is not a previous benchmark project.
  if (fs.existsSync(out) && fs.readdirSync(out).length) {
    const pkg = path.join(out, 'package.json');
    const name = fs.existsSync(pkg) ? JSON.parse(fs.readFileSync(pkg, 'utf8')).name : undefined;
    if (name !== 'bench-app') throw new Error(`${out} is not empty and not a generated benchmark project; choose another directory`);
  }
  fs.mkdirSync(out, { recursive: true });
  for (const dir of ['src', 'prisma']) fs.rmSync(path.join(out, dir), { recursive: true, force: true });
  for (const [rel, text] of written) {
    const abs = path.join(out, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, text);
  }
  const sources = [...written].filter(([p]) => isSource(p));
  return {
    dir: out,
    files: sources.length,
    lines: sources.reduce((n, [, t]) => n + countLines(t), 0),
    routes: stats.routes,
    unguardedRoutes: stats.unguardedRoutes,
  };
}

/** How a route module guards itself: whole router, per route, not at all, or a factory function. */
function moduleStyle(r, area) {
  const x = r.next();
  if (x < 0.3) return 'router-guard';
  if (x < 0.65) return 'route-level';
  if (x < 0.8) return 'unguarded';
  if (x < 0.92) return 'factory';
  return area.style === 'registrar' ? 'registrar' : 'route-level';
}

// ---------------------------------------------------------------------------------------------------
// Fixed files

function packageJson() {
  const pkg = {
    name: 'bench-app',
    version: '1.0.0',
    private: true,
    type: 'module',
    scripts: { build: 'tsc -p tsconfig.json', start: 'node dist/server.js' },
    dependencies: { '@prisma/client': '^6.0.0', express: '^5.1.0' },
    devDependencies: { '@types/express': '^5.0.3', '@types/node': '^20.19.0', prisma: '^6.0.0', typescript: '^5.9.0' },
  };
  return JSON.stringify(pkg, null, 2);
}

function tsconfigJson() {
  const cfg = {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      esModuleInterop: true,
      skipLibCheck: true,
      allowJs: true,
      types: ['node'],
      rootDir: 'src',
      outDir: 'dist',
    },
    include: ['src'],
  };
  return JSON.stringify(cfg, null, 2);
}

function prismaSchema(models) {
  const owned = models.filter((m) => !UNOWNED.has(m));
  const out = [
    '// Data model of the synthetic benchmark app; owned models carry a `userId` owner field.',
    'generator client {\n  provider = "prisma-client-js"\n}',
    '',
    'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}',
    '',
    'model User {',
    '  id        String   @id @default(cuid())',
    '  email     String   @unique',
    '  name      String',
    '  role      String   @default("member")',
    '  createdAt DateTime @default(now())',
    ...owned.map((m) => `  ${plural(m)} ${cap(m)}[]`),
    '}',
  ];
  for (const m of models) {
    out.push('', `model ${cap(m)} {`, '  id          String   @id @default(cuid())');
    for (const f of FIELDS.slice(0, 5)) out.push(`  ${f.padEnd(11)} String${f === 'description' ? '?' : ' '}`);
    out.push('  archivedAt  DateTime?', '  createdAt   DateTime @default(now())', '  updatedAt   DateTime @updatedAt');
    if (m === 'comment') out.push('  parentId    String');
    if (!UNOWNED.has(m)) {
      out.push('  userId      String', '  user        User     @relation(fields: [userId], references: [id], onDelete: Cascade)', '', '  @@index([userId])');
    }
    out.push('}');
  }
  return out.join('\n');
}

function expressTypes() {
  return `// The authenticated principal, set by requireAuth.
import 'express';

declare global {
  namespace Express {
    interface Request {
      user?: { id: string; email: string; role: 'member' | 'admin' };
    }
  }
}
`;
}

function dbFile() {
  return `import { PrismaClient } from '@prisma/client';

/** One client per process; Prisma pools connections itself. */
export const prisma = new PrismaClient({
  log: process.env.NODE_ENV === 'development' ? ['query', 'warn', 'error'] : ['error'],
});

export async function disconnect(): Promise<void> {
  await prisma.$disconnect();
}
`;
}

function authMiddleware() {
  return `import type { NextFunction, Request, Response } from 'express';
import { createHmac, timingSafeEqual } from 'node:crypto';

const SECRET = process.env.SESSION_SECRET ?? 'dev-secret';

interface SessionPayload {
  sub: string;
  email: string;
  role: 'member' | 'admin';
  exp: number;
}

/** Verifies a compact \`payload.signature\` token signed with HMAC-SHA256; null when invalid or expired. */
export function verifySession(token: string): SessionPayload | null {
  const [body, signature] = token.split('.');
  if (!body || !signature) return null;
  const expected = createHmac('sha256', SECRET).update(body).digest('base64url');
  const a = Buffer.from(signature);
  const b = Buffer.from(expected);
  if (a.length !== b.length || !timingSafeEqual(a, b)) return null;
  const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as SessionPayload;
  return payload.exp * 1000 > Date.now() ? payload : null;
}

/** Refuses requests without a valid bearer token with 401; otherwise sets req.user and continues. */
export function requireAuth(req: Request, res: Response, next: NextFunction): void {
  const header = req.headers.authorization;
  if (!header?.startsWith('Bearer ')) {
    res.status(401).json({ error: 'authentication required' });
    return;
  }
  const session = verifySession(header.slice('Bearer '.length));
  if (!session) {
    res.status(401).json({ error: 'invalid or expired token' });
    return;
  }
  req.user = { id: session.sub, email: session.email, role: session.role };
  next();
}
`;
}

function errorMiddleware() {
  return `import type { NextFunction, Request, Response } from 'express';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function errorHandler(err: unknown, _req: Request, res: Response, _next: NextFunction): void {
  if (err instanceof HttpError) {
    res.status(err.status).json({ error: err.message });
    return;
  }
  console.error(err);
  res.status(500).json({ error: 'internal error' });
}
`;
}

function serverFile() {
  return `import { app } from './app.js';
import { disconnect } from './db.js';

const port = Number(process.env.PORT ?? 3000);
const server = app.listen(port, () => console.log(\`listening on :\${port}\`));

process.on('SIGTERM', () => {
  server.close(() => void disconnect());
});
`;
}

function appFile(areas, hasLegacy, stats) {
  const imports = ["import express from 'express';", "import { errorHandler } from './middleware/error.js';"];
  const body = [];
  for (const a of areas) {
    if (a.style === 'registrar') {
      imports.push(`import { register${cap(a.name)}Routes } from './modules/${a.name}/index.js';`);
      body.push(`register${cap(a.name)}Routes(app);`);
    } else {
      imports.push(`import { ${a.name}Router } from './modules/${a.name}/index.js';`);
      body.push(`app.use('/api/v1/${a.name}', ${a.name}Router);`);
    }
  }
  if (hasLegacy) {
    imports.push("import legacyRouter from './legacy/index.cjs';");
    body.push("app.use('/legacy', legacyRouter);");
  }
  stats.routes += 1;
  stats.unguardedRoutes += 1; // /health, declared public
  return `${imports.join('\n')}

export const app = express();
app.disable('x-powered-by');
app.use(express.json({ limit: '1mb' }));

// auth-enforcer-public: liveness probe for the load balancer
app.get('/health', (_req, res) => {
  res.json({ status: 'ok', uptime: process.uptime() });
});

${body.join('\n')}

app.use(errorHandler);
`;
}

function areaIndex(area) {
  const imports = [];
  const lines = [];
  for (const m of area.modules) {
    const from = `./${m.base}.routes.js`;
    if (m.style === 'factory') {
      imports.push(`import { create${cap(m.base)}Router } from '${from}';`);
    } else if (m.style === 'registrar') {
      imports.push(`import { mount${cap(m.base)} } from '${from}';`);
    } else {
      imports.push(`import { ${m.base}Router } from '${from}';`);
    }
  }
  if (area.style === 'registrar') {
    for (const m of area.modules) {
      const prefix = `/api/${area.name}/${kebab(m.base)}`;
      if (m.style === 'factory') lines.push(`  app.use('${prefix}', create${cap(m.base)}Router());`);
      else if (m.style === 'registrar') lines.push(`  mount${cap(m.base)}(app);`);
      else lines.push(`  app.use('${prefix}', ${m.base}Router);`);
    }
    return `import type { Express } from 'express';
${imports.join('\n')}

/** Mounts every ${area.name} router on the application. */
export function register${cap(area.name)}Routes(app: Express): void {
${lines.join('\n')}
}
`;
  }
  for (const m of area.modules) {
    const prefix = `/${kebab(m.base)}`;
    lines.push(m.style === 'factory' ? `${area.name}Router.use('${prefix}', create${cap(m.base)}Router());` : `${area.name}Router.use('${prefix}', ${m.base}Router);`);
  }
  return `import { Router } from 'express';
${area.areaGuard ? "import { requireAuth } from '../../middleware/auth.js';\n" : ''}${imports.join('\n')}

export const ${area.name}Router = Router();
${area.areaGuard ? `\n// Everything under /api/v1/${area.name} needs a signed-in user.\n${area.name}Router.use(requireAuth);\n` : ''}
${lines.join('\n')}
`;
}

// ---------------------------------------------------------------------------------------------------
// Route modules, controllers, services

function routesFile(r, area, mod, stats) {
  const count = r.int(5, 15);
  const actions = [ACTIONS[0], ...r.shuffle(ACTIONS.slice(1))].slice(0, count);
  mod.actions = actions.map((a) => ({ ...a, fn: `${a.kind}${cap(mod.noun)}`, inline: r.chance(0.2) }));
  const R = mod.style === 'factory' ? 'router' : mod.style === 'registrar' ? 'app' : `${mod.base}Router`;
  const guardAll = mod.style === 'router-guard' || (mod.style === 'factory' && r.chance(0.5));
  const registrations = [];
  for (const a of mod.actions) {
    const routeGuard = !guardAll && mod.style !== 'unguarded' && r.chance(0.65);
    const guarded = guardAll || routeGuard || area.areaGuard;
    stats.routes += 1;
    if (!guarded) stats.unguardedRoutes += 1;
    const p = mod.style === 'registrar' ? `/api/${area.name}/${kebab(mod.base)}${a.path === '/' ? '' : a.path}` : a.path;
    const mw = routeGuard ? 'requireAuth, ' : '';
    const handler = a.inline ? `async (req, res) => {\n${indent(handlerBody(r, mod.noun, a.kind), 2)}\n}` : `controller.${a.fn}`;
    registrations.push(`${R}.${a.method}('${p}', ${mw}${handler});`);
  }
  const header = [
    `// HTTP routes for ${plural(mod.noun)} (${area.name}).`,
    mod.style === 'registrar' ? "import type { Express } from 'express';" : "import { Router } from 'express';",
    "import { requireAuth } from '../../middleware/auth.js';",
    "import { prisma } from '../../db.js';",
    `import * as controller from './${mod.base}.controller.js';`,
    '',
  ];
  const regs = registrations.join('\n\n');
  if (mod.style === 'factory') {
    return `${header.join('\n')}
export function create${cap(mod.base)}Router(): Router {
  const router = Router();
${guardAll ? '  router.use(requireAuth);\n' : ''}
${indent(regs, 2)}

  return router;
}
`;
  }
  if (mod.style === 'registrar') {
    return `${header.join('\n')}
/** Registers the ${plural(mod.noun)} endpoints directly on the application. */
export function mount${cap(mod.base)}(app: Express): void {
${indent(regs, 2)}
}
`;
  }
  return `${header.join('\n')}
export const ${R} = Router();
${guardAll ? `${R}.use(requireAuth);\n` : ''}
${regs}
`;
}

const indent = (text, n) =>
  text
    .split('\n')
    .map((l) => (l ? ' '.repeat(n) + l : l))
    .join('\n');

/** A handler body with Prisma-shaped calls; some scoped to the caller (`userId: req.user!.id`), some not. */
function handlerBody(r, noun, kind) {
  const owned = !UNOWNED.has(noun);
  const scoped = owned && r.chance(0.5);
  const owner = scoped ? ', userId: req.user!.id' : '';
  const field = r.pick(['title', 'name', 'status', 'priority']);
  switch (kind) {
    case 'list':
    case 'search':
    case 'export':
      return `const take = Math.min(Number(req.query.limit ?? 50), 200);
const skip = Number(req.query.offset ?? 0);
const rows = await prisma.${noun}.findMany({
  where: { ${kind === 'search' ? `${field}: { contains: String(req.query.q ?? '') }` : 'archivedAt: null'}${owner} },
  orderBy: { createdAt: 'desc' },
  take,
  skip,
});
res.json({ items: rows, next: rows.length === take ? skip + take : null });`;
    case 'create':
    case 'bulk':
      return `const { ${field}, description } = req.body as { ${field}: string; description?: string };
if (!${field}) {
  res.status(400).json({ error: '${field} is required' });
  return;
}
const created = await prisma.${noun}.create({ data: { ${field}, description${owned ? ', userId: req.user!.id' : ''} } });
res.status(201).json(created);`;
    case 'get':
    case 'history':
    case 'comments':
      return `const row = await prisma.${noun}.${scoped ? 'findFirst' : 'findUnique'}({ where: { id: req.params.id${owner} } });
if (!row) {
  res.status(404).json({ error: '${noun} not found' });
  return;
}
res.json(row);`;
    case 'update':
    case 'replace':
    case 'archive':
    case 'restore':
      return scoped
        ? `const { count } = await prisma.${noun}.updateMany({
  where: { id: req.params.id${owner} },
  data: { ${kind === 'archive' ? 'archivedAt: new Date()' : kind === 'restore' ? 'archivedAt: null' : `${field}: req.body.${field}`} },
});
if (count === 0) {
  res.status(404).json({ error: '${noun} not found' });
  return;
}
res.status(204).end();`
        : `const updated = await prisma.${noun}.update({
  where: { id: req.params.id },
  data: { ${kind === 'archive' ? 'archivedAt: new Date()' : kind === 'restore' ? 'archivedAt: null' : `${field}: req.body.${field}`} },
});
res.json(updated);`;
    case 'comment':
      return `const comment = await prisma.comment.create({
  data: { name: String(req.body.text ?? ''), title: '', status: 'visible', priority: 'normal', parentId: req.params.id, userId: req.user!.id },
});
res.status(201).json(comment);`;
    case 'uncomment':
      return `await prisma.comment.delete({ where: { id: req.params.commentId } });
res.status(204).end();`;
    default:
      return scoped
        ? `await prisma.${noun}.deleteMany({ where: { id: req.params.id${owner} } });
res.status(204).end();`
        : `await prisma.${noun}.delete({ where: { id: req.params.id } });
res.status(204).end();`;
  }
}

function controllerFile(r, area, mod) {
  const fns = mod.actions
    .filter((a) => !a.inline)
    .map((a) => {
      const viaService = r.chance(0.25) && !UNOWNED.has(mod.noun);
      const body = viaService
        ? `const result = await ${mod.noun}Service.${a.kind === 'list' ? 'listFor' : 'findFor'}(req.user!.id, ${a.kind === 'list' ? 'Number(req.query.limit ?? 50)' : 'String(req.params.id)'});
res.json(result);`
        : handlerBody(r, mod.noun, a.kind);
      return `/** ${a.method.toUpperCase()} ${a.path}: ${a.kind} ${plural(mod.noun)}. */
export async function ${a.fn}(req: Request, res: Response, next: NextFunction): Promise<void> {
  try {
${indent(body, 4)}
  } catch (err) {
    next(err);
  }
}`;
    });
  return `// Request handlers for ${area.name}/${mod.base}.
import type { NextFunction, Request, Response } from 'express';
import { prisma } from '../../db.js';
import { ${mod.noun}Service } from './${mod.base}.service.js';

${fns.join('\n\n')}
`;
}

function serviceFile(r, mod) {
  const M = cap(mod.noun);
  const owned = !UNOWNED.has(mod.noun);
  const where = owned ? 'userId, ' : '';
  const extra = Array.from({ length: r.int(2, 6) }, (_, i) => {
    const f = FIELDS[(i + 3) % FIELDS.length];
    return `
  /** Counts ${plural(mod.noun)} grouped by ${f} for dashboards. */
  async countBy${cap(f)}${i}(${owned ? 'userId: string' : ''}): Promise<Record<string, number>> {
    const rows = await this.db.${mod.noun}.findMany({ where: { ${owned ? 'userId, ' : ''}archivedAt: null }, select: { ${f === 'status' ? 'status' : 'name'}: true } });
    const out: Record<string, number> = {};
    for (const row of rows as Array<Record<string, string>>) {
      const key = Object.values(row)[0] ?? 'unknown';
      out[key] = (out[key] ?? 0) + 1;
    }
    return out;
  }`;
  });
  return `// Data access for ${plural(mod.noun)}; everything here is scoped to the calling user when the model has an owner.
import { prisma } from '../../db.js';

export interface ${M}Page<T> {
  items: T[];
  total: number;
}

export class ${M}Service {
  constructor(private readonly db = prisma) {}

  async listFor(userId: string, limit = 50): Promise<${M}Page<unknown>> {
    const where = { ${where}archivedAt: null };
    const [items, total] = await Promise.all([
      this.db.${mod.noun}.findMany({ where, take: Math.min(limit, 200), orderBy: { createdAt: 'desc' } }),
      this.db.${mod.noun}.count({ where }),
    ]);
    return { items, total };
  }

  async findFor(userId: string, id: string): Promise<unknown> {
    return this.db.${mod.noun}.findFirst({ where: { id${owned ? ', userId' : ''} } });
  }
${extra.join('\n')}
}

export const ${mod.noun}Service = new ${M}Service();
`;
}

// ---------------------------------------------------------------------------------------------------
// The legacy CommonJS corner: a few old routers with their own guard

function legacyAuth() {
  return `'use strict';
// Legacy API key check kept for old integrations.
const KEYS = new Set((process.env.LEGACY_API_KEYS || '').split(',').filter(Boolean));

function apiKeyAuth(req, res, next) {
  const key = req.get('x-api-key');
  if (!key || !KEYS.has(key)) {
    return res.status(401).json({ error: 'invalid api key' });
  }
  req.user = { id: 'legacy:' + key.slice(0, 6), email: '', role: 'member' };
  return next();
}

module.exports = { apiKeyAuth };
`;
}

function legacyModule(r, noun, i, stats) {
  const file = `${plural(noun)}-v${i + 1}.routes.cjs`;
  const guardAll = i % 2 === 0;
  const actions = ACTIONS.slice(0, r.int(5, 8));
  const regs = actions.map((a) => {
    const guard = !guardAll && r.chance(0.5);
    stats.routes += 1;
    if (!guardAll && !guard) stats.unguardedRoutes += 1;
    return `router.${a.method}('${a.path}', ${guard ? 'apiKeyAuth, ' : ''}async (req, res, next) => {
  try {
${indent(handlerBody(r, noun, a.kind).replace(/req\.user!/g, 'req.user').replace(/ as \{[^}]*\}/g, ''), 4)}
  } catch (err) {
    next(err);
  }
});`;
  });
  const text = `'use strict';
const express = require('express');
const { PrismaClient } = require('@prisma/client');
const { apiKeyAuth } = require('./auth.cjs');

const prisma = new PrismaClient();
const router = express.Router();
${guardAll ? 'router.use(apiKeyAuth);\n' : ''}
${regs.join('\n\n')}

module.exports = router;
`;
  return { file, prefix: `/${kebab(plural(noun))}-v${i + 1}`, text };
}

function legacyIndex(legacy) {
  return `'use strict';
const express = require('express');

const router = express.Router();
${legacy.map((l) => `router.use('${l.prefix}', require('./${l.file}'));`).join('\n')}

module.exports = router;
`;
}

// ---------------------------------------------------------------------------------------------------
// Filler: plain library code (types, classes, functions, comments), importing a little from its peers

const FILLER_BLOCKS = [
  // An interface and a type guard.
  (n, id) => `/** A ${n} as it travels between services (${id}). */
export interface ${cap(n)}Record${id} {
  id: string;
  createdAt: Date;
  updatedAt: Date;
  tags: readonly string[];
  meta?: Record<string, unknown>;
}

export function is${cap(n)}Record${id}(value: unknown): value is ${cap(n)}Record${id} {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<${cap(n)}Record${id}>;
  return typeof v.id === 'string' && v.createdAt instanceof Date && Array.isArray(v.tags);
}
`,
  // A small LRU cache class.
  (n, id) => `/**
 * A bounded least-recently-used cache for ${plural(n)}. Map keeps insertion order, so the first key is
 * always the least recently used one.
 */
export class ${cap(n)}Cache${id}<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();

  constructor(
    private readonly capacity = 500,
    private readonly ttlMs = 60_000,
  ) {}

  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    this.entries.delete(key);
    if (hit.expires < Date.now()) return undefined;
    this.entries.set(key, hit);
    return hit.value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expires: Date.now() + this.ttlMs });
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
`,
  // An enum and an exhaustive switch.
  (n, id) => `export enum ${cap(n)}State${id} {
  Draft = 'draft',
  Active = 'active',
  Suspended = 'suspended',
  Closed = 'closed',
}

/** Human-readable label for a ${n} state; the switch is exhaustive so new states fail to compile. */
export function describe${cap(n)}State${id}(state: ${cap(n)}State${id}): string {
  switch (state) {
    case ${cap(n)}State${id}.Draft:
      return 'Not yet published';
    case ${cap(n)}State${id}.Active:
      return 'Live';
    case ${cap(n)}State${id}.Suspended:
      return 'Temporarily unavailable';
    case ${cap(n)}State${id}.Closed:
      return 'Closed for good';
    default: {
      const never: never = state;
      return never;
    }
  }
}
`,
  // Pure utility functions.
  (n, id) => `/** Splits \`items\` into arrays of at most \`size\` elements. */
export function chunk${cap(n)}${id}<T>(items: readonly T[], size: number): T[][] {
  if (size <= 0) throw new RangeError('size must be positive');
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A URL-safe slug for a ${n} title: lower case, ASCII, dashes between words. */
export function slugify${cap(n)}${id}(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/[\\u0300-\\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
}
`,
  // A retry helper with backoff.
  (n, id) => `export interface RetryOptions${id} {
  attempts: number;
  baseDelayMs: number;
  /** Called before each retry; return false to give up early. */
  shouldRetry?: (err: unknown, attempt: number) => boolean;
}

const sleep${id} = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs \`task\` until it succeeds, doubling the delay after each failure (with a little jitter). */
export async function retry${cap(n)}${id}<T>(task: () => Promise<T>, opts: RetryOptions${id}): Promise<T> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= opts.attempts; attempt++) {
    try {
      return await task();
    } catch (err) {
      lastError = err;
      if (attempt === opts.attempts || opts.shouldRetry?.(err, attempt) === false) break;
      const delay = opts.baseDelayMs * 2 ** (attempt - 1);
      await sleep${id}(delay + Math.floor(Math.random() * delay * 0.1));
    }
  }
  throw lastError;
}
`,
  // Money formatting and parsing.
  (n, id) => `const CURRENCY_DIGITS${id}: Record<string, number> = { USD: 2, EUR: 2, GBP: 2, JPY: 0, KWD: 3 };

/** Formats minor units (cents) for display, e.g. 12345 USD -> "$123.45". */
export function format${cap(n)}Amount${id}(minor: number, currency = 'USD', locale = 'en-US'): string {
  const digits = CURRENCY_DIGITS${id}[currency] ?? 2;
  return new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: digits }).format(
    minor / 10 ** digits,
  );
}

/** Parses "123.45" into minor units, rejecting more decimals than the currency allows. */
export function parse${cap(n)}Amount${id}(text: string, currency = 'USD'): number {
  const digits = CURRENCY_DIGITS${id}[currency] ?? 2;
  const match = /^(-)?(\\d+)(?:\\.(\\d+))?$/.exec(text.trim());
  if (!match) throw new Error(\`not an amount: \${text}\`);
  const [, sign, whole, fraction = ''] = match;
  if (fraction.length > digits) throw new Error(\`too many decimals for \${currency}\`);
  const minor = Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0') || 0);
  return sign ? -minor : minor;
}
`,
  // An event emitter style class.
  (n, id) => `type Listener${id}<T> = (payload: T) => void;

/** A typed, synchronous event bus for ${n} lifecycle events. */
export class ${cap(n)}Events${id}<Events extends Record<string, unknown>> {
  private readonly listeners = new Map<keyof Events, Set<Listener${id}<never>>>();

  on<K extends keyof Events>(event: K, listener: Listener${id}<Events[K]>): () => void {
    const set = this.listeners.get(event) ?? new Set();
    set.add(listener as Listener${id}<never>);
    this.listeners.set(event, set);
    return () => set.delete(listener as Listener${id}<never>);
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): number {
    const set = this.listeners.get(event);
    if (!set) return 0;
    for (const listener of set) (listener as Listener${id}<Events[K]>)(payload);
    return set.size;
  }
}
`,
  // Validation with explicit error collection.
  (n, id) => `export interface ValidationIssue${id} {
  path: string;
  message: string;
}

/** Validates an incoming ${n} payload; returns every issue rather than stopping at the first. */
export function validate${cap(n)}Input${id}(input: Record<string, unknown>): ValidationIssue${id}[] {
  const issues: ValidationIssue${id}[] = [];
  if (typeof input.name !== 'string' || input.name.trim() === '') {
    issues.push({ path: 'name', message: 'must be a non-empty string' });
  } else if (input.name.length > 120) {
    issues.push({ path: 'name', message: 'must be at most 120 characters' });
  }
  if (input.email !== undefined && (typeof input.email !== 'string' || !/^[^@\\s]+@[^@\\s]+$/.test(input.email))) {
    issues.push({ path: 'email', message: 'must be an email address' });
  }
  if (input.tags !== undefined && !(Array.isArray(input.tags) && input.tags.every((t) => typeof t === 'string'))) {
    issues.push({ path: 'tags', message: 'must be a list of strings' });
  }
  return issues;
}
`,
];

function fillerFile(r, rel, target, previous, ids) {
  const noun = r.pick(NOUNS);
  const exports = [];
  const parts = [`// ${cap(noun)} support code (${path.basename(rel, '.ts')}). Generated for the auth-enforcer benchmark.\n`];
  // Import something from up to two earlier filler files, as real modules do.
  const imports = [];
  for (let k = 0; k < 2 && previous.length; k++) {
    if (!r.chance(0.6)) continue;
    const from = previous[r.int(Math.max(0, previous.length - 50), previous.length - 1)];
    const name = from.exports.find((e) => e.startsWith('chunk') || e.startsWith('slugify'));
    if (!name || imports.some((i) => i.name === name)) continue;
    let spec = path.posix.relative(path.posix.dirname(rel), from.rel).replace(/\.ts$/, '.js');
    if (!spec.startsWith('.')) spec = `./${spec}`;
    imports.push({ name, spec });
  }
  for (const i of imports) parts.push(`import { ${i.name} } from '${i.spec}';\n`);
  let lines = countLines(parts.join(''));
  let id = 0;
  while (lines < target) {
    id = ids.next++;
    const block = FILLER_BLOCKS[r.int(0, FILLER_BLOCKS.length - 1)](noun, id);
    const text = `\n${block}`;
    for (const m of block.matchAll(/export (?:async )?function (\w+)/g)) exports.push(m[1]);
    parts.push(text);
    lines += countLines(text);
  }
  if (imports.length) {
    // Use the imports so the file is honest code.
    parts.push(`\nexport const ${noun}Helpers${id} = { ${imports.map((i) => i.name).join(', ')} };\n`);
  }
  return { rel, exports, text: parts.join('') };
}

// ---------------------------------------------------------------------------------------------------
// CLI

export function parseArgs(argv, spec) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument: ${a}`);
    const [key, inline] = a.slice(2).split('=', 2);
    if (!(key in spec)) throw new Error(`unknown option --${key}`);
    if (spec[key] === 'boolean') out[key] = true;
    else {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`--${key} needs a value`);
      out[key] = spec[key] === 'number' ? Number(v) : v;
      if (spec[key] === 'number' && !Number.isFinite(out[key])) throw new Error(`--${key} must be a number`);
    }
  }
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const args = parseArgs(process.argv.slice(2), { files: 'number', lines: 'number', out: 'string', seed: 'number' });
    if (!args.out) throw new Error('--out DIR is required');
    const t0 = performance.now();
    const res = generateProject({ ...DEFAULTS, ...args, out: path.resolve(args.out) });
    console.log(
      `generated ${res.files} files, ${res.lines} lines, ${res.routes} routes (${res.unguardedRoutes} unguarded) in ${res.dir} (${Math.round(performance.now() - t0)} ms)`,
    );
  } catch (err) {
    console.error(`generate: ${err.message}`);
    process.exit(2);
  }
}
