// The generated Express auth module, proven against a real Better Auth server: it must type-check
// under strict settings, refuse every kind of bad token with 401, accept a genuine one with the
// right req.user, and answer 503 (never pass) when the key set cannot be fetched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStyle, type CodeStyle } from '../../src/fix/style.js';
import { expressAuthModule } from '../../src/fix/templates/express.js';
import { startBetterAuth, type BetterAuthHarness, type SignedUpUser } from '../helpers/better-auth.js';
import { closedPort, compile, makeTempProject, removeTempProject, startApp, strictCompilerOptions, type RunningApp } from '../helpers/temp-project.js';

const strictTsconfig = JSON.stringify({
  compilerOptions: {
    ...strictCompilerOptions,
    types: ['node'],
    rootDir: 'src',
    outDir: 'dist',
  },
  include: ['src'],
});

const tsApp = `import express from 'express';
import type { AuthUser } from './require-auth.js';
import { requireAuth } from './require-auth.js';

const app = express();
app.get('/me', requireAuth, (req, res) => {
  const user: AuthUser | undefined = req.user;
  res.json({ user });
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') console.log(\`LISTENING \${address.port}\`);
});
`;

async function get(app: RunningApp, authorization?: string) {
  const response = await fetch(`${app.url}/me`, { headers: authorization === undefined ? {} : { authorization } });
  const text = await response.text();
  return { status: response.status, challenge: response.headers.get('www-authenticate'), text, body: JSON.parse(text) as Record<string, unknown> };
}

let harness: BetterAuthHarness;
let alice: SignedUpUser;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  harness = await startBetterAuth();
  alice = await harness.signUp('alice@example.com');
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await harness?.close();
});

describe('TypeScript ESM, jwt strategy', () => {
  let dir: string;
  let app: RunningApp;

  beforeAll(async () => {
    dir = makeTempProject('express-jwt-ts', {
      'package.json': JSON.stringify({ type: 'module' }),
      'tsconfig.json': strictTsconfig,
      'src/require-auth.ts': expressAuthModule({ language: 'ts', moduleKind: 'esm', style: defaultStyle, strategy: 'jwt' }),
      'src/app.ts': tsApp,
    });
    cleanups.push(() => removeTempProject(dir));
    await compile(dir);
    app = await startApp(dir, 'dist/app.js', { BETTER_AUTH_URL: harness.baseURL });
    cleanups.push(() => app.stop());
  }, 600_000);

  it('answers a request without credentials with 401 and a bare Bearer challenge', async () => {
    const res = await get(app);
    expect(res.status).toBe(401);
    expect(res.challenge).toBe('Bearer');
  });

  it.each([
    ['another scheme', () => `Basic ${Buffer.from('alice:secret').toString('base64')}`, 'Bearer'],
    ['an empty bearer token', () => 'Bearer ', 'Bearer'],
    ['a token that is not a JWS', () => 'Bearer not-a-jwt', 'Bearer error="invalid_token"'],
    ['a bearer() session token', () => `Bearer ${alice.sessionToken}`, 'Bearer error="invalid_token"'],
    ['four segments', () => `Bearer ${alice.jwt}.x`, 'Bearer error="invalid_token"'],
  ])('rejects %s with 401', async (_name, header, challenge) => {
    const res = await get(app, header());
    expect(res.status).toBe(401);
    expect(res.challenge).toBe(challenge);
  });

  it.each([
    ['tampered', () => harness.tokens.tampered(alice.jwt), 'invalid token'],
    ['expired', () => harness.tokens.expired(alice.userId), 'token expired'],
    ['wrong issuer', () => harness.tokens.wrongIssuer(alice.userId), 'invalid token'],
    ['wrong audience', () => harness.tokens.wrongAudience(alice.userId), 'invalid token'],
    ['without sub', () => harness.tokens.noSubject(), 'invalid token'],
    ['alg none', () => harness.tokens.algNone(alice.userId), 'invalid token'],
    ['HS256', () => harness.tokens.hs256(alice.userId), 'invalid token'],
    ['signed by a key not in the JWKS', () => harness.tokens.foreignKey(alice.userId), 'invalid token'],
  ])('rejects a %s token with 401 invalid_token and a generic body', async (_name, make, error) => {
    const token = await make();
    const res = await get(app, `Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(res.challenge).toBe('Bearer error="invalid_token"');
    expect(res.body).toEqual({ error });
    expect(res.text).not.toContain(token.slice(0, 20));
  });

  it('accepts a genuine Better Auth JWT and exposes req.user with id = sub', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const res = await get(app, `${scheme} ${alice.jwt}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ user: { id: alice.userId, email: alice.email, name: alice.name } });
    }
  });

  it('keeps users apart', async () => {
    const bob = await harness.signUp('bob@example.com');
    const res = await get(app, `Bearer ${bob.jwt}`);
    expect(res.body).toEqual({ user: { id: bob.userId, email: bob.email, name: bob.name } });
  });

  it('answers 503, never 200, when the key set cannot be fetched', async () => {
    const down = await startApp(dir, 'dist/app.js', { BETTER_AUTH_URL: `http://127.0.0.1:${await closedPort()}` });
    try {
      const res = await get(down, `Bearer ${alice.jwt}`);
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ error: 'authentication unavailable' });
      // Requests that are refused before jose is reached are still 401.
      expect((await get(down)).status).toBe(401);
    } finally {
      await down.stop();
    }
  });

  it('refuses to start without BETTER_AUTH_URL', async () => {
    await expect(startApp(dir, 'dist/app.js', { BETTER_AUTH_URL: '' })).rejects.toThrow(/BETTER_AUTH_URL/);
  });

  it('honours BETTER_AUTH_ISSUER and BETTER_AUTH_JWT_ALGORITHMS overrides', async () => {
    const strict = await startApp(dir, 'dist/app.js', { BETTER_AUTH_URL: harness.baseURL, BETTER_AUTH_JWT_ALGORITHMS: 'ES256' });
    const evil = await startApp(dir, 'dist/app.js', { BETTER_AUTH_URL: harness.baseURL, BETTER_AUTH_ISSUER: 'https://evil.example' });
    try {
      expect((await get(strict, `Bearer ${alice.jwt}`)).status).toBe(401);
      expect((await get(evil, `Bearer ${await harness.tokens.wrongIssuer(alice.userId)}`)).status).toBe(200);
      expect((await get(evil, `Bearer ${alice.jwt}`)).status).toBe(401);
    } finally {
      await strict.stop();
      await evil.stop();
    }
  });
});

describe.each([
  ['cjs', { quote: '"', semicolons: false, indent: '\t', eol: '\n' }],
  ['esm', { quote: "'", semicolons: true, indent: '    ', eol: '\r\n' }],
] as const)('JavaScript %s, jwt strategy', (moduleKind, style: CodeStyle) => {
  let app: RunningApp;

  beforeAll(async () => {
    const entry =
      moduleKind === 'cjs'
        ? `const express = require('express');\nconst { requireAuth } = require('./require-auth');\n`
        : `import express from 'express';\nimport { requireAuth } from './require-auth.js';\n`;
    const dir = makeTempProject(`express-jwt-${moduleKind}`, {
      'package.json': JSON.stringify({ type: moduleKind === 'cjs' ? 'commonjs' : 'module' }),
      'require-auth.js': expressAuthModule({ language: 'js', moduleKind, style, strategy: 'jwt' }),
      'app.js': `${entry}const app = express();
app.get('/me', requireAuth, (req, res) => res.json({ user: req.user }));
const server = app.listen(0, '127.0.0.1', () => console.log('LISTENING ' + server.address().port));
`,
    });
    cleanups.push(() => removeTempProject(dir));
    app = await startApp(dir, 'app.js', { BETTER_AUTH_URL: harness.baseURL });
    cleanups.push(() => app.stop());
  }, 600_000);

  it('gives 401 without a token or with a tampered one, 200 with a genuine one', async () => {
    expect((await get(app)).status).toBe(401);
    expect((await get(app, `Bearer ${await harness.tokens.tampered(alice.jwt)}`)).status).toBe(401);
    const ok = await get(app, `Bearer ${alice.jwt}`);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ user: { id: alice.userId, email: alice.email, name: alice.name } });
  });
});

describe('TypeScript ESM, session strategy (Better Auth in the same process)', () => {
  let app: RunningApp;

  beforeAll(async () => {
    const dir = makeTempProject('express-session-ts', {
      'package.json': JSON.stringify({ type: 'module' }),
      'tsconfig.json': strictTsconfig,
      'src/lib/auth.ts': `import { betterAuth } from 'better-auth';
import { memoryAdapter } from 'better-auth/adapters/memory';
import { bearer } from 'better-auth/plugins';

export const authServer = betterAuth({
  baseURL: process.env['AUTH_BASE_URL'] ?? 'http://127.0.0.1',
  secret: 'test-secret-test-secret-test-secret-0123',
  database: memoryAdapter({ user: [], session: [], account: [], verification: [] }),
  emailAndPassword: { enabled: true },
  plugins: [bearer()],
  logger: { disabled: true },
});
`,
      'src/middleware/require-auth.ts': expressAuthModule({
        language: 'ts',
        moduleKind: 'esm',
        style: defaultStyle,
        strategy: 'session',
        sessionImport: { specifier: '../lib/auth.js', exportName: 'authServer' },
      }),
      'src/app.ts': `import express from 'express';
import { toNodeHandler } from 'better-auth/node';
import { authServer } from './lib/auth.js';
import { requireAuth } from './middleware/require-auth.js';

const app = express();
app.all('/api/auth/*splat', toNodeHandler(authServer));
app.get('/me', requireAuth, (req, res) => {
  res.json({ user: req.user });
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') console.log(\`LISTENING \${address.port}\`);
});
`,
    });
    cleanups.push(() => removeTempProject(dir));
    await compile(dir);
    app = await startApp(dir, 'dist/app.js', {});
    cleanups.push(() => app.stop());
  }, 600_000);

  it('gives 401 without a session and 200 with the session token, req.user.id = session.user.id', async () => {
    expect((await get(app)).status).toBe(401);
    const signUp = await fetch(`${app.url}/api/auth/sign-up/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: app.url },
      body: JSON.stringify({ email: 'carol@example.com', password: 'a-long-password-1', name: 'Carol' }),
    });
    expect(signUp.status).toBe(200);
    const { user } = (await signUp.json()) as { user: { id: string } };
    const token = signUp.headers.get('set-auth-token');
    expect(token).toBeTruthy();
    const res = await get(app, `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user: { id: user.id, email: 'carol@example.com', name: 'Carol' } });
    expect((await get(app, 'Bearer forged.session-token')).status).toBe(401);
  });
});
