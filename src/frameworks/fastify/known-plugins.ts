import { ts } from 'ts-morph';
import { unwrap, type Resolver } from '../../syntax/resolve.js';
import { AUTH_SOUNDING } from '../express/known-middleware.js';

/**
 * What a plugin from a package does to authentication, without reading the package:
 * - hook: it adds an onRequest hook that refuses unauthenticated requests in the registering context;
 * - decorates: instance decorators it adds that are guards (`fastify.basicAuth`, `fastify.authenticate`);
 * - none: it adds no guard; unknown: it may, and the scan cannot tell.
 */
export type KnownPlugin =
  | { kind: 'hook'; evidence: string; decorates?: string[] }
  | { kind: 'none'; decorates?: string[] }
  | { kind: 'unknown'; reason: string; decorates?: undefined };

/** Guards that known plugins decorate the instance with, and why they refuse. */
export const KNOWN_DECORATOR_GUARDS: Record<string, Record<string, string>> = {
  '@fastify/basic-auth': { basicAuth: '@fastify/basic-auth refuses without valid credentials' },
  '@fastify/bearer-auth': { verifyBearerAuth: '@fastify/bearer-auth refuses without a valid bearer token' },
  'fastify-auth0-verify': { authenticate: 'fastify-auth0-verify authenticate verifies the JWT' },
};

/** Before Fastify 4 the core plugins were published unscoped (`fastify-auth`, `fastify-jwt`): the same plugins. */
export function canonicalPlugin(pkg: string): string {
  const scoped = `@fastify/${pkg.slice('fastify-'.length)}`;
  return pkg.startsWith('fastify-') && isKnown(scoped) ? scoped : pkg;
}

export function knownFastifyPlugin(pkg: string, opts: ts.Expression | undefined, resolver: Resolver): KnownPlugin {
  const decorates = KNOWN_DECORATOR_GUARDS[pkg] ? Object.keys(KNOWN_DECORATOR_GUARDS[pkg]) : undefined;
  if (pkg === '@fastify/bearer-auth') {
    // addHook defaults to true: every route of the registering context needs the bearer token.
    if (optionIs(opts, 'addHook', ts.SyntaxKind.FalseKeyword, resolver)) return { kind: 'none', decorates };
    return { kind: 'hook', evidence: '@fastify/bearer-auth adds an onRequest hook that refuses without a valid token', decorates };
  }
  if (decorates) return { kind: 'none', decorates };
  if (NOT_GUARD_PLUGINS.has(pkg) || pkg.startsWith('@fastify/type-provider')) return { kind: 'none' };
  if (AUTH_SOUNDING.test(pkg)) {
    return { kind: 'unknown', reason: `plugin ${pkg} comes from a package the scan cannot read and may add hooks; name it in the config's guards or notGuards` };
  }
  return { kind: 'none' };
}

function isKnown(pkg: string): boolean {
  return pkg in KNOWN_DECORATOR_GUARDS || pkg === '@fastify/bearer-auth' || NOT_GUARD_PLUGINS.has(pkg);
}

/** Plugins that add no hook that refuses requests (they may decorate helpers that guards then call). */
const NOT_GUARD_PLUGINS = new Set([
  '@fastify/jwt', // decorates fastify.jwt and request.jwtVerify; refusing is up to the caller
  '@fastify/auth', // decorates fastify.auth(); the composition decides
  '@fastify/sensible',
  '@fastify/cors',
  '@fastify/helmet',
  '@fastify/cookie',
  '@fastify/session',
  '@fastify/secure-session',
  '@fastify/oauth2',
  '@fastify/passport',
  '@fastify/formbody',
  '@fastify/multipart',
  '@fastify/rate-limit',
  '@fastify/static',
  '@fastify/swagger',
  '@fastify/swagger-ui',
  '@fastify/compress',
  '@fastify/env',
  '@fastify/etag',
  '@fastify/postgres',
  '@fastify/mongodb',
  '@fastify/mysql',
  '@fastify/redis',
  '@fastify/websocket',
  '@fastify/under-pressure',
  '@fastify/circuit-breaker',
  '@fastify/caching',
  '@fastify/accepts',
  '@fastify/request-context',
  '@fastify/csrf-protection',
  '@fastify/view',
  '@fastify/express',
  '@fastify/middie',
  '@fastify/autoload',
  'fastify-plugin',
  'fastify-graceful-shutdown',
  'fastify-type-provider-zod',
  '@scalar/fastify-api-reference',
  'fastify-healthcheck',
  'fastify-metrics',
  'fastify-print-routes',
]);

function optionIs(opts: ts.Expression | undefined, name: string, kind: ts.SyntaxKind, resolver: Resolver): boolean {
  if (!opts) return false;
  let obj = unwrap(opts);
  if (!ts.isObjectLiteralExpression(obj)) {
    const v = resolver.value(obj);
    if (v.kind !== 'node' || !ts.isObjectLiteralExpression(unwrap(v.node))) return false;
    obj = unwrap(v.node);
  }
  return (obj as ts.ObjectLiteralExpression).properties.some(
    (p) => ts.isPropertyAssignment(p) && p.name.getText() === name && unwrap(p.initializer).kind === kind,
  );
}
