// A real Better Auth server for fix tests of every framework: memory adapter, jwt() and bearer()
// plugins, served by toNodeHandler on an ephemeral loopback port, so generated code verifies tokens
// against a genuine remote JWKS. Bad tokens are built as honestly as possible: expired and
// wrong-issuer tokens are signed by the server's own JWKS key (auth.api.signJWT), so only the claim
// under test is wrong; the others are forged and say so.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { betterAuth } from 'better-auth';
import { memoryAdapter } from 'better-auth/adapters/memory';
import { toNodeHandler } from 'better-auth/node';
import { bearer, jwt } from 'better-auth/plugins';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

function createAuth(baseURL: string) {
  return betterAuth({
    baseURL,
    secret: randomBytes(32).toString('hex'),
    // The memory adapter needs every table the plugins use to exist up front.
    database: memoryAdapter({ user: [], session: [], account: [], verification: [], jwks: [] }),
    emailAndPassword: { enabled: true },
    plugins: [jwt(), bearer()],
    logger: { disabled: true },
  });
}

export type TestAuth = ReturnType<typeof createAuth>;

export interface SignedUpUser {
  userId: string;
  email: string;
  name: string;
  /** EdDSA JWT from GET /api/auth/token: sub = userId, iss = aud = origin. */
  jwt: string;
  /** The bearer() plugin's session token: not a JWT; only the auth server can verify it. */
  sessionToken: string;
}

export interface BetterAuthHarness {
  auth: TestAuth;
  /** http://127.0.0.1:<port> (Better Auth's baseURL). */
  baseURL: string;
  /** Origin of baseURL: the tokens' iss and aud. */
  origin: string;
  jwksURL: string;
  signUp(email: string): Promise<SignedUpUser>;
  tokens: {
    /** Signed by the server's JWKS key; exp an hour in the past (beyond any clock tolerance). */
    expired(userId: string): Promise<string>;
    /** Signed by the server's JWKS key with iss = https://evil.example; everything else valid. */
    wrongIssuer(userId: string): Promise<string>;
    /** Signed by the server's JWKS key with aud = https://other.example; everything else valid. */
    wrongAudience(userId: string): Promise<string>;
    /** Signed by the server's JWKS key without a sub claim. */
    noSubject(): Promise<string>;
    /** A genuine token whose payload was re-encoded with another sub; the signature no longer matches. */
    tampered(jwt: string): Promise<string>;
    /** Forged: header { alg: 'none' } and an empty signature. */
    algNone(userId: string): Promise<string>;
    /** Forged: HS256 with a random secret, carrying the real key's kid (alg confusion attempt). */
    hs256(userId: string): Promise<string>;
    /** Forged: EdDSA with a fresh Ed25519 key that is not in the JWKS, kid made up. */
    foreignKey(userId: string): Promise<string>;
  };
  close(): Promise<void>;
}

export async function startBetterAuth(): Promise<BetterAuthHarness> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const origin = new URL(baseURL).origin;
  const auth = createAuth(baseURL);
  server.on('request', toNodeHandler(auth));

  // Sign with the server's own key: only the claims passed here differ from a real token.
  const signed = async (payload: Record<string, unknown>) => (await auth.api.signJWT({ body: { payload } })).token;
  const realKid = async () => {
    const { keys } = (await (await fetch(`${baseURL}/api/auth/jwks`)).json()) as { keys: { kid: string }[] };
    return keys[0]!.kid;
  };

  return {
    auth,
    baseURL,
    origin,
    jwksURL: `${baseURL}/api/auth/jwks`,
    async signUp(email) {
      const name = email.split('@')[0]!;
      const result = await auth.api.signUpEmail({
        body: { email, password: `pw-${randomBytes(8).toString('hex')}`, name },
        returnHeaders: true,
      });
      const sessionToken = result.headers.get('set-auth-token');
      if (!sessionToken) throw new Error('bearer() plugin did not return set-auth-token');
      const { token } = await auth.api.getToken({ headers: new Headers({ authorization: `Bearer ${sessionToken}` }) });
      return { userId: result.response.user.id, email, name, jwt: token, sessionToken };
    },
    tokens: {
      expired: (userId) => signed({ sub: userId, iat: now() - 7200, exp: now() - 3600 }),
      wrongIssuer: (userId) => signed({ sub: userId, iss: 'https://evil.example' }),
      wrongAudience: (userId) => signed({ sub: userId, aud: 'https://other.example' }),
      noSubject: () => signed({ email: 'nobody@example.com' }),
      async tampered(token) {
        const [header, payload, signature] = token.split('.');
        const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
        return [header, b64url({ ...claims, sub: `${String(claims.sub)}-admin` }), signature].join('.');
      },
      async algNone(userId) {
        return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: userId, iss: origin, aud: origin, exp: now() + 600 })}.`;
      },
      async hs256(userId) {
        return new SignJWT({ sub: userId })
          .setProtectedHeader({ alg: 'HS256', kid: await realKid() })
          .setIssuer(origin)
          .setAudience(origin)
          .setExpirationTime('10m')
          .sign(randomBytes(32));
      },
      async foreignKey(userId) {
        const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
        const kid = (await exportJWK(publicKey)).x!.slice(0, 16);
        return new SignJWT({ sub: userId })
          .setProtectedHeader({ alg: 'EdDSA', kid })
          .setIssuer(origin)
          .setAudience(origin)
          .setExpirationTime('10m')
          .sign(privateKey);
      },
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
