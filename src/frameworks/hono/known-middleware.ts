import type { ts } from 'ts-morph';

/** What we know about a middleware from a package, without reading the package. */
export type KnownVerdict = { guard: true; evidence: string } | { guard: false; why: string } | undefined;

/** Hono's built-in middleware that refuse requests without valid credentials, by `hono/<module>` and export. */
const HONO_GUARDS: Record<string, string> = {
  'jwt.jwt': 'hono/jwt verifies the bearer token and answers 401 without one',
  'jwk.jwk': 'hono/jwk verifies the bearer token against the key set and answers 401 without one',
  'bearer-auth.bearerAuth': 'hono/bearer-auth answers 401 without a valid token',
  'basic-auth.basicAuth': 'hono/basic-auth answers 401 without valid credentials',
};

/**
 * Middleware from well-known packages. `path` is the member path from the package (`hono/jwt`'s `jwt` →
 * ['jwt', 'jwt']); `call` is the factory call, so options can be read.
 */
export function knownHonoMiddleware(pkg: string, path: string[], call?: ts.CallExpression): KnownVerdict {
  const member = path.join('.');
  switch (pkg) {
    case 'hono': {
      const evidence = HONO_GUARDS[member];
      if (evidence) {
        if (member === 'jwt.jwt' && !call) return undefined; // the jwt factory itself, not a middleware
        return { guard: true, evidence };
      }
      if (path[0] === 'combine' || member === 'factory.createMiddleware') return undefined; // composed: judged by the classifier
      return { guard: false, why: `hono/${path.slice(0, -1).join('/') || member} is not an authentication middleware` };
    }
    case '@hono/auth-js':
      if (member === 'verifyAuth') return { guard: true, evidence: '@hono/auth-js verifyAuth() answers 401 without a session' };
      return { guard: false, why: `@hono/auth-js ${member}() does not refuse requests` };
    case '@hono/firebase-auth':
      if (member === 'verifyFirebaseAuth') return { guard: true, evidence: '@hono/firebase-auth verifyFirebaseAuth() refuses without a valid ID token' };
      return undefined;
    case '@hono/oidc-auth':
      if (member === 'oidcAuthMiddleware') return { guard: true, evidence: '@hono/oidc-auth oidcAuthMiddleware() requires a login' };
      return { guard: false, why: `@hono/oidc-auth ${member}() does not refuse requests` };
    case '@hono/clerk-auth':
      return { guard: false, why: 'clerkMiddleware() attaches the auth state but does not refuse' };
    case 'better-auth':
      return { guard: false, why: "Better Auth's handler is not a guard" };
  }
  if (NOT_GUARD_PACKAGES.has(pkg)) return { guard: false, why: `${pkg} does not authenticate` };
  return undefined;
}

/** Packages whose middleware never authenticates: validation, documentation, serving, logging, metrics. */
const NOT_GUARD_PACKAGES = new Set([
  '@hono/zod-validator',
  '@hono/valibot-validator',
  '@hono/typebox-validator',
  '@hono/arktype-validator',
  '@hono/standard-validator',
  '@hono/zod-openapi',
  '@hono/swagger-ui',
  '@hono/node-server',
  '@hono/sentry',
  '@hono/prometheus',
  '@hono/otel',
  'hono-rate-limiter',
  'zod',
]);
