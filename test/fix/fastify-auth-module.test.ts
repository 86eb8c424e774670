// The generated Fastify modules in every flavour the fixer writes — TypeScript, JavaScript ES module,
// JavaScript CommonJS; jwt and session strategies; request.user typed by the module, by @fastify/jwt or
// by the project — loaded by Node as they are, put on a real Fastify server listening on loopback, and
// asked over HTTP beside a real Better Auth instance.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStyle } from '../../src/fix/style.js';
import { fastifyAuthModule, type FastifyAuthModuleOptions } from '../../src/fix/templates/fastify.js';
import { startBetterAuth, type BetterAuthHarness, type SignedUpUser } from '../helpers/better-auth.js';
import { compile, makeTempProject, removeTempProject } from '../helpers/temp-project.js';

type Hook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
interface AuthModule {
  requireAuth: Hook;
  authUser?: (fastify: FastifyInstance) => Promise<void>;
}

let harness: BetterAuthHarness;
let alice: SignedUpUser;
const dirs: string[] = [];
const servers: FastifyInstance[] = [];
const savedEnv = { ...process.env };

beforeAll(async () => {
  harness = await startBetterAuth();
  alice = await harness.signUp('alice@example.com');
  process.env.BETTER_AUTH_URL = harness.baseURL;
});
afterAll(async () => {
  for (const s of servers) await s.close();
  await harness.close();
  dirs.forEach(removeTempProject);
  process.env = savedEnv;
});

/** A Fastify server on 127.0.0.1 with GET /me behind the hook; returns its URL. */
async function serve(mod: AuthModule): Promise<string> {
  const app = Fastify();
  if (mod.authUser) await app.register(mod.authUser);
  app.get('/me', { onRequest: [mod.requireAuth] }, async (request) => ({ user: (request as unknown as { user: unknown }).user }));
  app.get('/open', async () => ({ open: true }));
  servers.push(app);
  return app.listen({ port: 0, host: '127.0.0.1' });
}

async function get(base: string, authorization?: string) {
  const res = await fetch(`${base}/me`, { headers: authorization ? { authorization } : {} });
  return { status: res.status, challenge: res.headers.get('www-authenticate'), body: await res.json() };
}

const module = (opts: Partial<FastifyAuthModuleOptions> & Pick<FastifyAuthModuleOptions, 'language' | 'moduleKind' | 'strategy'>) =>
  fastifyAuthModule({ style: defaultStyle, ...opts });

/** What every jwt flavour must answer, whatever language it is written in. */
async function expectJwtContract(base: string) {
  expect(await get(base)).toEqual({ status: 401, challenge: 'Bearer', body: { error: 'authentication required' } });
  expect(await get(base, `Bearer ${alice.jwt}`)).toEqual({
    status: 200,
    challenge: null,
    body: { user: { id: alice.userId, email: alice.email, name: alice.name } },
  });
  const invalid = { status: 401, challenge: 'Bearer error="invalid_token"', body: { error: 'invalid token' } };
  expect(await get(base, `Bearer ${await harness.tokens.expired(alice.userId)}`)).toEqual({ ...invalid, body: { error: 'token expired' } });
  for (const forged of [
    await harness.tokens.tampered(alice.jwt),
    await harness.tokens.algNone(alice.userId),
    await harness.tokens.hs256(alice.userId),
    await harness.tokens.foreignKey(alice.userId),
    await harness.tokens.wrongIssuer(alice.userId),
    await harness.tokens.wrongAudience(alice.userId),
    await harness.tokens.noSubject(),
    alice.sessionToken,
  ]) {
    expect(await get(base, `Bearer ${forged}`)).toEqual(invalid);
  }
}

describe('generated Fastify module, jwt strategy, over HTTP', () => {
  it('JavaScript CommonJS: require()d by Node as written', async () => {
    const dir = makeTempProject('fastify-mod-cjs', { 'require-auth.cjs': module({ language: 'js', moduleKind: 'cjs', strategy: 'jwt' }) });
    dirs.push(dir);
    const text = fs.readFileSync(path.join(dir, 'require-auth.cjs'), 'utf8');
    expect(text).toContain(`const { createRemoteJWKSet, jwtVerify } = require('jose');`);
    expect(text).toContain('module.exports = { requireAuth, authUser };');
    const mod = createRequire(import.meta.url)(path.join(dir, 'require-auth.cjs')) as AuthModule;
    await expectJwtContract(await serve(mod));
  }, 600_000);

  it('JavaScript ES module', async () => {
    const dir = makeTempProject('fastify-mod-esm', { 'require-auth.mjs': module({ language: 'js', moduleKind: 'esm', strategy: 'jwt' }) });
    dirs.push(dir);
    const mod = (await import(pathToFileURL(path.join(dir, 'require-auth.mjs')).href)) as AuthModule;
    expect(typeof mod.authUser).toBe('function');
    await expectJwtContract(await serve(mod));
  }, 600_000);

  it('TypeScript where @fastify/jwt types request.user: FastifyJWT["user"] becomes AuthUser, no authUser decorator; type-checks and runs', async () => {
    const source = module({ language: 'ts', moduleKind: 'esm', strategy: 'jwt', userTyping: 'jwt' });
    expect(source).toContain(`declare module '@fastify/jwt' {\n  interface FastifyJWT {\n    user: AuthUser;\n  }\n}`);
    expect(source).not.toContain(`declare module 'fastify'`);
    expect(source).not.toContain('authUser');
    const dir = makeTempProject('fastify-mod-jwt-typed', {
      'src/require-auth.ts': source,
      'src/app.ts': `import Fastify from 'fastify';
import jwt from '@fastify/jwt';
import { requireAuth } from './require-auth.js';

const app = Fastify();
app.register(jwt, { secret: 'a-secret-for-the-project-own-tokens' });
app.get('/me', { onRequest: [requireAuth] }, async (request) => ({ id: request.user.id }));
app.get('/legacy', async (request) => {
  await request.jwtVerify();
  return { id: request.user.id };
});
export default app;
`,
      'tsconfig.json': tsconfig,
    });
    dirs.push(dir);
    await compile(dir);
    const mod = (await import(path.join(dir, 'src/require-auth.ts'))) as AuthModule;
    await expectJwtContract(await serve(mod));
  }, 600_000);

  it("TypeScript where the project declares FastifyJWT's user: no second declaration, a cast on assignment; type-checks", async () => {
    const source = module({ language: 'ts', moduleKind: 'esm', strategy: 'jwt', userTyping: 'project' });
    expect(source).not.toContain('declare module');
    expect(source).toContain(`request.user = user as unknown as FastifyRequest['user'];`);
    const dir = makeTempProject('fastify-mod-project-typed', {
      'src/require-auth.ts': source,
      'src/app.ts': `import Fastify from 'fastify';
import jwt from '@fastify/jwt';
import { requireAuth } from './require-auth.js';

declare module '@fastify/jwt' {
  interface FastifyJWT {
    user: { id: string; role: string };
  }
}

const app = Fastify();
app.register(jwt, { secret: 'a-secret-for-the-project-own-tokens' });
app.get('/me', { onRequest: [requireAuth] }, async (request) => ({ id: request.user.id }));
export default app;
`,
      'tsconfig.json': tsconfig,
    });
    dirs.push(dir);
    await compile(dir);
    const mod = (await import(path.join(dir, 'src/require-auth.ts'))) as AuthModule;
    await expectJwtContract(await serve(mod));
  }, 600_000);
});

const tsconfig = JSON.stringify({
  compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, types: ['node'], noEmit: true },
  include: ['src'],
});

const sessionAuth = (esm: boolean) => `${esm ? `import { betterAuth } from 'better-auth';
import { memoryAdapter } from 'better-auth/adapters/memory';
import { bearer } from 'better-auth/plugins';
` : `const { betterAuth } = require('better-auth');
const { memoryAdapter } = require('better-auth/adapters/memory');
const { bearer } = require('better-auth/plugins');
`}
${esm ? 'export ' : ''}const auth = betterAuth({
  baseURL: 'http://127.0.0.1:1',
  secret: 'a-test-secret-of-at-least-thirty-two-characters',
  database: memoryAdapter({ user: [], session: [], account: [], verification: [] }),
  emailAndPassword: { enabled: true },
  plugins: [bearer()],
  logger: { disabled: true },
});
${esm ? '' : 'module.exports = { auth };\n'}`;

interface SessionAuth {
  api: {
    signUpEmail(input: { body: { email: string; password: string; name: string }; returnHeaders: true }): Promise<{ headers: Headers; response: { user: { id: string } } }>;
    signOut(input: { headers: Headers }): Promise<unknown>;
  };
}

/** A real session (bearer() token) is let in with the project's user; none, a bad one, or a signed-out one is 401. */
async function expectSessionContract(base: string, auth: SessionAuth, email: string) {
  const signUp = await auth.api.signUpEmail({ body: { email, password: 'pw-0123456789', name: 'bob' }, returnHeaders: true });
  const token = signUp.headers.get('set-auth-token')!;
  expect(await get(base, `Bearer ${token}`)).toEqual({ status: 200, challenge: null, body: { user: { id: signUp.response.user.id, email, name: 'bob' } } });
  const refused = { status: 401, challenge: null, body: { error: 'authentication required' } };
  expect(await get(base)).toEqual(refused);
  expect(await get(base, 'Bearer not-a-session')).toEqual(refused);
  expect(await get(base, `Bearer ${alice.jwt}`)).toEqual(refused);
  await auth.api.signOut({ headers: new Headers({ authorization: `Bearer ${token}` }) });
  expect(await get(base, `Bearer ${token}`)).toEqual(refused);
}

describe('generated Fastify module, session strategy, over HTTP', () => {
  it("TypeScript: the project's own auth instance, fromNodeHeaders; type-checks", async () => {
    const dir = makeTempProject('fastify-mod-session-ts', {
      'src/lib/auth.ts': sessionAuth(true),
      'src/require-auth.ts': module({ language: 'ts', moduleKind: 'esm', strategy: 'session', sessionImport: { specifier: './lib/auth.js', exportName: 'auth' } }),
      'src/app.ts': `import Fastify from 'fastify';
import { authUser, requireAuth } from './require-auth.js';

const app = Fastify();
app.register(authUser);
app.get('/me', { onRequest: [requireAuth] }, async (request) => ({ id: request.user!.id }));
export default app;
`,
      'tsconfig.json': tsconfig,
    });
    dirs.push(dir);
    await compile(dir);
    const { auth } = (await import(path.join(dir, 'src/lib/auth.ts'))) as { auth: SessionAuth };
    const mod = (await import(path.join(dir, 'src/require-auth.ts'))) as AuthModule;
    await expectSessionContract(await serve(mod), auth, 'bob-ts@example.com');
  }, 600_000);

  it('JavaScript CommonJS: require()s the auth instance and better-auth/node', async () => {
    const dir = makeTempProject('fastify-mod-session-cjs', {
      'lib/auth.cjs': sessionAuth(false),
      'require-auth.cjs': module({ language: 'js', moduleKind: 'cjs', strategy: 'session', sessionImport: { specifier: './lib/auth.cjs', exportName: 'auth' } }),
    });
    dirs.push(dir);
    const load = createRequire(import.meta.url);
    const { auth } = load(path.join(dir, 'lib/auth.cjs')) as { auth: SessionAuth };
    const mod = load(path.join(dir, 'require-auth.cjs')) as AuthModule;
    await expectSessionContract(await serve(mod), auth, 'bob-cjs@example.com');
  }, 600_000);

  it('JavaScript ES module', async () => {
    const dir = makeTempProject('fastify-mod-session-esm', {
      'lib/auth.mjs': sessionAuth(true),
      'require-auth.mjs': module({ language: 'js', moduleKind: 'esm', strategy: 'session', sessionImport: { specifier: './lib/auth.mjs', exportName: 'auth' } }),
    });
    dirs.push(dir);
    const { auth } = (await import(pathToFileURL(path.join(dir, 'lib/auth.mjs')).href)) as { auth: SessionAuth };
    const mod = (await import(pathToFileURL(path.join(dir, 'require-auth.mjs')).href)) as AuthModule;
    await expectSessionContract(await serve(mod), auth, 'bob-esm@example.com');
  }, 600_000);
});
