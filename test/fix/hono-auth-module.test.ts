// The generated Hono auth module, proven against a real Better Auth server: it type-checks under
// strict settings with web-standard types only (no @types/node), refuses every kind of bad token with
// 401, accepts a genuine one with the right c.get('user'), answers 503 (never passes) when the key set
// cannot be fetched or the server URL is missing; the session variant accepts a real session and
// refuses without one.
import fs from 'node:fs';
import path from 'node:path';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStyle } from '../../src/fix/style.js';
import { honoAuthModule } from '../../src/fix/templates/hono.js';
import { startBetterAuth, type BetterAuthHarness, type SignedUpUser } from '../helpers/better-auth.js';
import { closedPort, compile, makeTempProject, removeTempProject, strictCompilerOptions } from '../helpers/temp-project.js';

const webOnlyTsconfig = JSON.stringify({
  compilerOptions: {
    ...strictCompilerOptions,
    // Web-standard only: the module must not need Node's types (it also runs on Workers, Deno, Bun).
    types: [],
    lib: ['ES2022', 'DOM'],
    noEmit: true,
  },
  include: ['src'],
});

// A plain app without Variables: c.get('user') still types through the module's ContextVariableMap.
const appSource = `import { Hono } from 'hono';
import { requireAuth, type AuthUser } from './require-auth.js';

const app = new Hono();
app.get('/me', requireAuth, (c) => {
  const user: AuthUser = c.get('user');
  return c.json({ user });
});
app.get('/plain', (c) => c.json({ id: c.get('user')?.id ?? null }));
export default app;
`;

const sessionAuthSource = `import { betterAuth } from 'better-auth';
import { memoryAdapter } from 'better-auth/adapters/memory';
import { bearer } from 'better-auth/plugins';

export const auth = betterAuth({
  baseURL: 'http://127.0.0.1:1',
  secret: 'a-test-secret-of-at-least-thirty-two-characters',
  database: memoryAdapter({ user: [], session: [], account: [], verification: [] }),
  emailAndPassword: { enabled: true },
  plugins: [bearer()],
  logger: { disabled: true },
});
`;

/** The part of the temp project's Better Auth instance the session test calls. */
interface SessionAuth {
  api: {
    signUpEmail(input: { body: { email: string; password: string; name: string }; returnHeaders: true }): Promise<{ headers: Headers; response: { user: { id: string } } }>;
  };
}

let harness: BetterAuthHarness;
let alice: SignedUpUser;
const dirs: string[] = [];
const savedEnv = { ...process.env };

beforeAll(async () => {
  harness = await startBetterAuth();
  alice = await harness.signUp('alice@example.com');
});
afterAll(async () => {
  await harness?.close();
  for (const d of dirs) removeTempProject(d);
  process.env = savedEnv;
});

async function loadApp(files: Record<string, string>): Promise<{ dir: string; app: Hono }> {
  const dir = makeTempProject('hono-auth-module', { 'tsconfig.json': webOnlyTsconfig, 'src/app.ts': appSource, ...files });
  dirs.push(dir);
  const { default: app } = (await import(path.join(dir, 'src/app.ts'))) as { default: Hono };
  return { dir, app };
}

async function get(app: Hono, authorization?: string) {
  const response = await app.request('/me', { headers: authorization === undefined ? {} : { authorization } });
  return { status: response.status, challenge: response.headers.get('www-authenticate'), body: (await response.json()) as Record<string, unknown> };
}

describe('generated Hono module, jwt strategy', () => {
  let app: Hono;
  let dir: string;
  beforeAll(async () => {
    ({ app, dir } = await loadApp({ 'src/require-auth.ts': honoAuthModule({ language: 'ts', style: defaultStyle, strategy: 'jwt' }) }));
  });

  it('type-checks strictly with web-standard types only', async () => {
    await compile(dir);
  }, 600_000);

  it('accepts a genuine Better Auth JWT and exposes the user as c.get("user")', async () => {
    process.env.BETTER_AUTH_URL = harness.baseURL;
    expect(await get(app, `Bearer ${alice.jwt}`)).toEqual({
      status: 200,
      challenge: null,
      body: { user: { id: alice.userId, email: alice.email, name: alice.name } },
    });
  });

  it('refuses without credentials and with every kind of bad token, saying only what failed', async () => {
    process.env.BETTER_AUTH_URL = harness.baseURL;
    expect(await get(app)).toEqual({ status: 401, challenge: 'Bearer', body: { error: 'authentication required' } });
    expect(await get(app, `Basic ${btoa('a:b')}`)).toMatchObject({ status: 401, challenge: 'Bearer' });
    const invalid = { status: 401, challenge: 'Bearer error="invalid_token"', body: { error: 'invalid token' } };
    expect(await get(app, `Bearer ${alice.sessionToken}`)).toEqual(invalid);
    expect(await get(app, `Bearer ${await harness.tokens.wrongIssuer(alice.userId)}`)).toEqual(invalid);
    expect(await get(app, `Bearer ${await harness.tokens.wrongAudience(alice.userId)}`)).toEqual(invalid);
    expect(await get(app, `Bearer ${await harness.tokens.noSubject()}`)).toEqual(invalid);
    expect(await get(app, `Bearer ${await harness.tokens.tampered(alice.jwt)}`)).toEqual(invalid);
    expect(await get(app, `Bearer ${await harness.tokens.algNone(alice.userId)}`)).toEqual(invalid);
    expect(await get(app, `Bearer ${await harness.tokens.hs256(alice.userId)}`)).toEqual(invalid);
    expect(await get(app, `Bearer ${await harness.tokens.foreignKey(alice.userId)}`)).toEqual(invalid);
    expect(await get(app, `Bearer ${await harness.tokens.expired(alice.userId)}`)).toEqual({
      status: 401,
      challenge: 'Bearer error="invalid_token"',
      body: { error: 'token expired' },
    });
  });

  it('fails closed with 503 when the key set is unreachable or the server URL is not configured', async () => {
    process.env.BETTER_AUTH_URL = harness.baseURL;
    process.env.BETTER_AUTH_JWKS_URL = `http://127.0.0.1:${await closedPort()}/api/auth/jwks`;
    try {
      expect(await get(app, `Bearer ${alice.jwt}`)).toEqual({ status: 503, challenge: null, body: { error: 'authentication unavailable' } });
    } finally {
      delete process.env.BETTER_AUTH_JWKS_URL;
    }
    delete process.env.BETTER_AUTH_URL;
    expect(await get(app, `Bearer ${alice.jwt}`)).toEqual({ status: 503, challenge: null, body: { error: 'authentication unavailable' } });
  });
});

describe('generated Hono module, session strategy', () => {
  it("checks the project's own Better Auth session with c.req.raw.headers", async () => {
    const { app, dir } = await loadApp({
      'src/lib/auth.ts': sessionAuthSource,
      'src/require-auth.ts': honoAuthModule({ language: 'ts', style: defaultStyle, strategy: 'session', sessionImport: { specifier: './lib/auth.js', exportName: 'auth' } }),
    });
    const { auth } = (await import(path.join(dir, 'src/lib/auth.ts'))) as { auth: SessionAuth };
    const signUp = await auth.api.signUpEmail({ body: { email: 'bob@example.com', password: 'pw-0123456789', name: 'bob' }, returnHeaders: true });
    const token = signUp.headers.get('set-auth-token');
    expect(await get(app, `Bearer ${token}`)).toEqual({
      status: 200,
      challenge: null,
      body: { user: { id: signUp.response.user.id, email: 'bob@example.com', name: 'bob' } },
    });
    expect(await get(app)).toEqual({ status: 401, challenge: null, body: { error: 'authentication required' } });
    expect(await get(app, 'Bearer not-a-session')).toEqual({ status: 401, challenge: null, body: { error: 'authentication required' } });
    expect(fs.readFileSync(path.join(dir, 'src/require-auth.ts'), 'utf8')).toContain('auth.api.getSession({ headers: c.req.raw.headers })');
    await compile(dir);
  }, 600_000);
});
