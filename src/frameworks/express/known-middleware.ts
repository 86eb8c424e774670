import { ts } from 'ts-morph';
import { PER_REQUEST_STRATEGY, signInStrategy } from '../../analysis/sign-in-strategies.js';
import { snippet } from '../../syntax/loc.js';
import { unwrap, type Resolver } from '../../syntax/resolve.js';

/**
 * What we know about middleware from a package, without reading the package. `maybe`: it refuses or not
 * depending on an option the scan cannot read (`auth(config)` where config comes from elsewhere).
 */
export type KnownVerdict = { guard: true; evidence: string; signIn?: string } | { guard: false; why: string } | { guard: 'maybe'; reason: string } | undefined;

/**
 * Middleware from well-known packages. `path` is the member path from the package's default/namespace
 * (`passport.authenticate` → ['authenticate']); `call` is the call expression when the middleware is
 * a factory call, so options such as `credentialsRequired: false` can be read.
 */
export function knownExpressMiddleware(pkg: string, path: string[], call?: ts.CallExpression, resolver?: Resolver): KnownVerdict {
  const member = path.join('.');
  /** A guard unless `option: false`; unknown when the options cannot be read. */
  const unlessOff = (option: string, off: string, evidence: string): KnownVerdict => {
    const value = optionValue(call, option, resolver);
    if (value === 'false') return { guard: false, why: off };
    if (value === 'unreadable') return { guard: 'maybe', reason: `cannot read \`${option}\` in the options of ${call ? snippet(call) : member}` };
    return { guard: true, evidence };
  };
  switch (pkg) {
    case 'passport':
      if (member === 'authenticate' || member === 'authorize') {
        const strategy = call?.arguments[0];
        if (strategy && ts.isStringLiteralLike(strategy) && strategy.text === 'anonymous') {
          return { guard: false, why: "passport's anonymous strategy lets everyone through" };
        }
        const named = strategy && ts.isStringLiteralLike(strategy) ? signInStrategy(strategy.text) : undefined;
        // { failureRedirect: '/login' }: a browser sign-in flow, whatever the provider is called.
        const redirects = call?.arguments.slice(1).some((a) => ts.isObjectLiteralExpression(a) && a.properties.some((p) => p.name && /^(failureRedirect|successRedirect|successReturnToOrRedirect)$/.test(p.name.getText())));
        const perRequest = strategy && ts.isStringLiteralLike(strategy) && PER_REQUEST_STRATEGY.test(strategy.text);
        const provider = strategy && ts.isStringLiteralLike(strategy) && !perRequest ? strategy.text : undefined;
        // passport.authorize() links a third-party account: the OAuth round trip to the provider and back.
        const linking = member === 'authorize' && provider ? `passport.authorize('${provider}') links a third-party account through the provider` : undefined;
        const signIn = named ?? linking ?? (redirects && provider ? `passport strategy '${provider}' signs the caller in (it redirects on failure)` : undefined);
        return { guard: true, evidence: `passport.${member}(${strategy ? strategy.getText() : ''}) refuses without credentials`, ...(signIn ? { signIn } : {}) };
      }
      return { guard: false, why: `passport.${member}() does not refuse requests` };
    case 'express-jwt':
      if (/^(expressjwt|jwt|default)?$/.test(member)) {
        return unlessOff('credentialsRequired', 'express-jwt with credentialsRequired: false', 'express-jwt verifies the bearer token');
      }
      return undefined;
    case 'express-oauth2-jwt-bearer':
      if (member === 'auth') {
        return unlessOff('authRequired', 'auth() with authRequired: false', 'express-oauth2-jwt-bearer auth() verifies the access token');
      }
      if (/^(requiredScopes|claimCheck|claimEquals|claimIncludes|scopeIncludesAny)$/.test(member)) {
        return { guard: true, evidence: `express-oauth2-jwt-bearer ${member}() refuses without the claim` };
      }
      return undefined;
    case 'express-openid-connect':
      if (member === 'requiresAuth') return { guard: true, evidence: 'express-openid-connect requiresAuth()' };
      if (member === 'auth') {
        return unlessOff('authRequired', 'auth() with authRequired: false only attaches the session', 'express-openid-connect auth() requires login by default');
      }
      return undefined;
    case '@clerk/express':
      if (member === 'requireAuth') return { guard: true, evidence: '@clerk/express requireAuth()' };
      if (member === 'clerkMiddleware') return { guard: false, why: 'clerkMiddleware() attaches auth state but does not refuse' };
      return undefined;
    case '@clerk/clerk-sdk-node':
      if (member === 'ClerkExpressRequireAuth') return { guard: true, evidence: 'Clerk ClerkExpressRequireAuth()' };
      if (member === 'ClerkExpressWithAuth') return { guard: false, why: 'ClerkExpressWithAuth() does not refuse' };
      return undefined;
    case 'express-basic-auth':
      return { guard: true, evidence: 'express-basic-auth refuses without valid credentials' };
    case 'connect-ensure-login':
      if (member === 'ensureLoggedIn') return { guard: true, evidence: 'connect-ensure-login ensureLoggedIn()' };
      return { guard: false, why: `connect-ensure-login ${member}() does not require login` };
    case 'better-auth':
      return { guard: false, why: "Better Auth's request handler is not a guard" };
    case 'express':
      return { guard: false, why: `express.${member || 'default'}() is not a guard` };
  }
  if (NOT_GUARD_PACKAGES.has(pkg)) return { guard: false, why: `${pkg} does not authenticate` };
  return undefined;
}

/** Packages whose middleware never authenticates: parsing, logging, security headers, uploads, validation. */
const NOT_GUARD_PACKAGES = new Set([
  'body-parser',
  'cookie-parser',
  'cors',
  'helmet',
  'morgan',
  'compression',
  'express-session',
  'cookie-session',
  'express-rate-limit',
  'rate-limiter-flexible',
  'multer',
  'express-validator',
  'celebrate',
  'hpp',
  'express-mongo-sanitize',
  'xss-clean',
  'connect-timeout',
  'response-time',
  'method-override',
  'serve-static',
  'serve-favicon',
  'csurf',
  'lusca',
  'express-fileupload',
  'pino-http',
  'express-winston',
  'swagger-ui-express',
  'express-async-handler',
  'express-async-errors',
  'nocache',
  'express-useragent',
  'i18n',
  'express-prom-bundle',
  'http-proxy-middleware',
  'connect-flash',
  'express-status-monitor',
  'express-xss-sanitizer',
  'express-openapi-validator',
  'zod-express-middleware',
  'express-zod-api',
  'joi',
  'yup',
  'zod',
  'uuid',
  'node:path',
]);

/** Names that suggest an unreadable middleware may authenticate: then we say `unknown`, not `unprotected`. */
export const AUTH_SOUNDING = /auth|jwt|passport|session|guard|protect|token|clerk|keycloak|okta|firebase|supabase|oauth|login|permission|acl|rbac|casl|verify|secure|identity|principal|user/i;

/**
 * Steps named for another concern, whatever else their name holds (`authRateLimiter`, `loginLimiter`,
 * `authLogger`): a step the scan cannot read that is named so is taken for what its name ends with.
 */
const OTHER_CONCERN = /(rate-?limit|rate-?limiter|limiter|throttle|throttler|slow-?down|logger|cors|cache|metrics|helmet)$/i;

/**
 * A step the scan could not judge (`reason`), taken for what its last name says when that is another concern than
 * authentication (`this.authRateLimiter`, `applyRateLimit(config)`); undefined when its name says nothing of the kind.
 */
export function namedForOtherConcern(step: ts.Node, reason: string): { verdict: 'none'; why: string } | undefined {
  const last = /([\w$-]+)\s*$/.exec(snippet(step, 200).replace(/\(.*$/s, ''))?.[1] ?? '';
  const concern = OTHER_CONCERN.exec(last)?.[1];
  return concern ? { verdict: 'none', why: `${snippet(step)} cannot be read (${reason}); its name says it is a ${concern}, not authentication` } : undefined;
}

/**
 * A boolean option of a factory call: its options object written inline or held in a constant
 * (`const config = { authRequired: false }; auth(config)`). `absent` when the options do not set it;
 * `unreadable` when the options (or the value) cannot be read statically, or a spread may set it.
 */
function optionValue(call: ts.CallExpression | undefined, option: string, resolver: Resolver | undefined): 'true' | 'false' | 'absent' | 'unreadable' {
  const arg = call?.arguments[0];
  if (!arg) return 'absent';
  let obj = unwrap(arg);
  if (!ts.isObjectLiteralExpression(obj) && resolver) {
    const v = resolver.value(obj);
    if (v.kind === 'node' && ts.isObjectLiteralExpression(unwrap(v.node))) obj = unwrap(v.node);
    // `config.authRequired = ...` after the declaration: the literal no longer tells.
    const holder = obj.parent && ts.isVariableDeclaration(obj.parent) && ts.isIdentifier(obj.parent.name) ? obj.parent.name.text : undefined;
    if (holder && new RegExp(`\\b${holder}\\s*(\\.\\s*${option}|\\[\\s*['"]${option}['"]\\s*\\])\\s*=[^=]`).test(obj.getSourceFile().text)) return 'unreadable';
  }
  if (!ts.isObjectLiteralExpression(obj)) return 'unreadable';
  let spread = false;
  for (const p of obj.properties) {
    if (ts.isSpreadAssignment(p)) spread = true;
    if (!p.name || p.name.getText().replace(/^['"]|['"]$/g, '') !== option) continue;
    const value = ts.isPropertyAssignment(p) ? unwrap(p.initializer) : undefined;
    if (value?.kind === ts.SyntaxKind.FalseKeyword) return 'false';
    if (value?.kind === ts.SyntaxKind.TrueKeyword) return 'true';
    return 'unreadable';
  }
  return spread ? 'unreadable' : 'absent';
}
