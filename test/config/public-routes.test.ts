import { describe, expect, it } from 'vitest';
import { matchPublicRoute } from '../../src/config/index.js';
import { defaultConfig, type PublicRouteSpec } from '../../src/model/config.js';

const config = (...routes: string[]) => ({
  ...defaultConfig(),
  publicRoutes: routes.map((route, i): PublicRouteSpec => ({ route, reason: `r${i}` })),
});

const matches = (pattern: string, method: string, path: string) =>
  matchPublicRoute(config(pattern), method, path) !== undefined;

describe('matchPublicRoute', () => {
  it('matches an exact method and path, method case-insensitively', () => {
    expect(matches('GET /health', 'get', '/health')).toBe(true);
    expect(matches('GET /health', 'POST', '/health')).toBe(false);
    expect(matches('GET /health', 'GET', '/healthz')).toBe(false);
    expect(matches('GET /health', 'GET', '/Health')).toBe(false);
  });

  it('treats * as any method', () => {
    expect(matches('* /health', 'DELETE', '/health')).toBe(true);
  });

  it('ignores trailing and doubled slashes', () => {
    expect(matches('GET /health/', 'GET', '/health')).toBe(true);
    expect(matches('GET /a/b', 'GET', '//a//b/')).toBe(true);
    expect(matches('GET /', 'GET', '/')).toBe(true);
    expect(matches('GET /', 'GET', '/a')).toBe(false);
  });

  it('matches one segment with a middle *', () => {
    expect(matches('GET /users/*/avatar', 'GET', '/users/42/avatar')).toBe(true);
    expect(matches('GET /users/*/avatar', 'GET', '/users/avatar')).toBe(false);
    expect(matches('GET /users/*/avatar', 'GET', '/users/1/2/avatar')).toBe(false);
  });

  it('matches any non-empty rest with a trailing /*', () => {
    expect(matches('* /api/auth/*', 'POST', '/api/auth/login')).toBe(true);
    expect(matches('* /api/auth/*', 'GET', '/api/auth/callback/github')).toBe(true);
    expect(matches('* /api/auth/*', 'GET', '/api/auth')).toBe(false);
    expect(matches('* /api/auth/*', 'GET', '/api/authx/login')).toBe(false);
  });

  it('matches zero or more segments with **, anywhere', () => {
    expect(matches('POST /webhooks/**', 'POST', '/webhooks')).toBe(true);
    expect(matches('POST /webhooks/**', 'POST', '/webhooks/stripe/events')).toBe(true);
    expect(matches('GET /**/health', 'GET', '/health')).toBe(true);
    expect(matches('GET /**/health', 'GET', '/v1/internal/health')).toBe(true);
    expect(matches('GET /**/health', 'GET', '/v1/health/deep')).toBe(false);
  });

  it('supports * inside a segment', () => {
    expect(matches('GET /v*/status', 'GET', '/v2/status')).toBe(true);
    expect(matches('GET /v*/status', 'GET', '/x2/status')).toBe(false);
    expect(matches('GET /file.*', 'GET', '/file.json')).toBe(true);
    expect(matches('GET /file.*', 'GET', '/fileXjson')).toBe(false);
    expect(matches('GET /file.json', 'GET', '/fileXjson')).toBe(false);
  });

  it('matches route parameters literally', () => {
    expect(matches('GET /users/:id', 'GET', '/users/:id')).toBe(true);
    expect(matches('GET /users/:id', 'GET', '/users/:userId')).toBe(false);
    expect(matches('GET /users/:id', 'GET', '/users/42')).toBe(false);
    expect(matches('GET /users/*', 'GET', '/users/:id')).toBe(true);
  });

  it('returns the first matching spec in declaration order', () => {
    const c = config('GET /a', '* /**', 'GET /b');
    expect(matchPublicRoute(c, 'GET', '/b')).toEqual({ route: '* /**', reason: 'r1' });
    expect(matchPublicRoute(c, 'GET', '/a')).toEqual({ route: 'GET /a', reason: 'r0' });
    expect(matchPublicRoute(config('GET /a'), 'GET', '/b')).toBeUndefined();
  });
});
