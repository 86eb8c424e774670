// The module-scope half of every generated Node JWT verifier (Express, Fastify, Nest): configuration from
// the environment, failing closed at load, the key set created once, and the pinned verify options.
// One text, so a correction to how tokens are verified reaches every framework at once.

/** From the env destructuring to KEY_SET_ERRORS; `owner` names the export in the load-time error. */
export function jwtVerifierPrelude(owner: string): string {
  return `const {
  BETTER_AUTH_URL,
  BETTER_AUTH_JWKS_URL,
  BETTER_AUTH_ISSUER,
  BETTER_AUTH_AUDIENCE,
  BETTER_AUTH_JWT_ALGORITHMS,
} = process.env;

// Fail closed, and early: without the auth server's URL no token can be verified, so loading this
// module throws and the server refuses to start rather than serve protected routes unchecked.
if (!BETTER_AUTH_URL) {
  throw new Error('${owner}: set BETTER_AUTH_URL to the Better Auth server URL');
}
const AUTH_ORIGIN = new URL(BETTER_AUTH_URL).origin;

// Better Auth's jwt() plugin uses the origin of its baseURL as both issuer and audience.
const VERIFY_OPTIONS = {
  issuer: BETTER_AUTH_ISSUER || AUTH_ORIGIN,
  audience: BETTER_AUTH_AUDIENCE || AUTH_ORIGIN,
  // Pinned, never taken from the token: that is how algorithm-confusion attacks work.
  algorithms: (BETTER_AUTH_JWT_ALGORITHMS || 'EdDSA').split(',').map((alg) => alg.trim()).filter(Boolean),
  clockTolerance: '30s',
};

// Created once: jose caches the keys and rate-limits refetching them; per request would defeat both.
const JWKS = createRemoteJWKSet(new URL(BETTER_AUTH_JWKS_URL || '/api/auth/jwks', AUTH_ORIGIN));

// A JWS in compact form: three base64url segments (Better Auth's bearer() session tokens are not).
const COMPACT_JWS = /^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$/;

// jose reports an unreachable key set as a bare TypeError from fetch, a timeout, or a generic
// error (non-200 or redirect). The token may be valid, so that is a 503, not a 401.
const KEY_SET_ERRORS = new Set(['ERR_JWKS_TIMEOUT', 'ERR_JOSE_GENERIC', 'ERR_JWKS_INVALID']);
`;
}
