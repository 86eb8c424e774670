import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { defaultConfig } from '../../src/model/config.js';
import { ConfigError } from '../../src/model/errors.js';

let root: string;
let cwd: string;

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'ae-config-'));
  cwd = process.cwd();
  // Messages name files relative to the cwd; run from the root so they read `auth-enforcer.config.json: ...`.
  process.chdir(root);
});
afterEach(() => {
  process.chdir(cwd);
  rmSync(root, { recursive: true, force: true });
});

const write = (name: string, content: unknown) =>
  writeFileSync(path.join(root, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig: where the config comes from', () => {
  it('returns defaults when there is neither a config file nor a package.json key', () => {
    write('package.json', { name: 'x' });
    expect(loadConfig(root)).toEqual(defaultConfig());
  });

  it('reads auth-enforcer.config.json and records its absolute path', () => {
    write('auth-enforcer.config.json', {
      guards: [{ module: './src/auth', export: 'requireAuth' }, { name: 'isLoggedIn' }],
      publicRoutes: [{ route: 'get   /health', reason: 'load balancer probe' }],
      rules: { 'unscoped-query': 'warning', 'missing-auth': 'off' },
      ownerFields: ['accountId'],
    });
    const config = loadConfig(root);
    expect(config).toEqual({
      ...defaultConfig(),
      source: path.join(root, 'auth-enforcer.config.json'),
      guards: [{ module: './src/auth', export: 'requireAuth' }, { name: 'isLoggedIn' }],
      publicRoutes: [{ route: 'GET /health', reason: 'load balancer probe' }],
      rules: { 'unscoped-query': 'warning', 'missing-auth': 'off' },
      ownerFields: ['accountId'],
    });
  });

  it('falls back to the "auth-enforcer" key of package.json', () => {
    write('package.json', { name: 'x', 'auth-enforcer': { principals: ['req.currentUser'] } });
    const config = loadConfig(root);
    expect(config.principals).toEqual(['req.currentUser']);
    expect(config.source).toBe(path.join(root, 'package.json'));
  });

  it('prefers the config file over package.json', () => {
    write('package.json', { 'auth-enforcer': { principals: ['from.package'] } });
    write('auth-enforcer.config.json', { principals: ['from.file'] });
    expect(loadConfig(root).principals).toEqual(['from.file']);
  });

  it('uses an explicit path, relative to the cwd, over both', () => {
    write('auth-enforcer.config.json', { principals: ['from.default'] });
    mkdirSync(path.join(root, 'cfg'));
    write('cfg/strict.json', { principals: ['from.explicit'] });
    expect(loadConfig('/nonexistent-root', 'cfg/strict.json').principals).toEqual(['from.explicit']);
  });

  it('reads the key when the explicit path is a package.json, and says when the key is missing', () => {
    mkdirSync(path.join(root, 'pkg'));
    write('pkg/package.json', { 'auth-enforcer': { exclude: ['**/*.spec.ts'] } });
    expect(loadConfig(root, 'pkg/package.json').exclude).toEqual(['**/*.spec.ts']);
    write('pkg/package.json', { name: 'x' });
    expect(configError(() => loadConfig(root, 'pkg/package.json')).message).toBe(
      'pkg/package.json: no "auth-enforcer" key',
    );
  });

  it('fails on a missing explicit file', () => {
    const err = configError(() => loadConfig(root, 'nope.json'));
    expect(err.message).toBe('nope.json: config file not found');
    expect(err.file).toBe(path.join(root, 'nope.json'));
  });

  it('reads privilegedGuards and privateModels (ownership rules)', () => {
    write('auth-enforcer.config.json', { privilegedGuards: ['requireAdmin', 'RolesGuard'], privateModels: ['Draft'] });
    const config = loadConfig(root);
    expect([config.privilegedGuards, config.privateModels]).toEqual([['requireAdmin', 'RolesGuard'], ['Draft']]);
  });

  it('accepts and ignores $schema', () => {
    write('auth-enforcer.config.json', { $schema: './schema.json', include: ['src'] });
    expect(loadConfig(root).include).toEqual(['src']);
  });
});

describe('loadConfig: validation messages name the file and the field', () => {
  const cases: [string, unknown, string, string | undefined][] = [
    [
      'empty reason',
      { publicRoutes: [{ route: 'GET /health', reason: '  ' }] },
      'auth-enforcer.config.json: publicRoutes[0].reason: expected a non-empty string',
      'publicRoutes[0].reason',
    ],
    [
      'missing reason',
      { publicRoutes: [{ route: 'GET /health' }] },
      'auth-enforcer.config.json: publicRoutes[0].reason: expected a non-empty string, got nothing',
      'publicRoutes[0].reason',
    ],
    ['unknown top-level key', { guard: [] }, 'auth-enforcer.config.json: unknown key "guard"', undefined],
    [
      'unknown nested key',
      { publicRoutes: [{ route: 'GET /a', reason: 'r', why: 'x' }] },
      'auth-enforcer.config.json: publicRoutes[0]: unknown key "why"',
      'publicRoutes[0]',
    ],
    [
      'bad severity',
      { rules: { 'missing-auth': 'warn' } },
      'auth-enforcer.config.json: rules["missing-auth"]: expected "error", "warning" or "off"',
      'rules["missing-auth"]',
    ],
    [
      'wrong type',
      { ownerFields: 'userId' },
      'auth-enforcer.config.json: ownerFields: expected an array of strings, got "userId"',
      'ownerFields',
    ],
    [
      'privilegedGuards not a list',
      { privilegedGuards: 'requireAdmin' },
      'auth-enforcer.config.json: privilegedGuards: expected an array of strings, got "requireAdmin"',
      'privilegedGuards',
    ],
    [
      'wrong element type',
      { exclude: ['a', 3] },
      'auth-enforcer.config.json: exclude[1]: expected a non-empty string, got 3',
      'exclude[1]',
    ],
    [
      'bad route method',
      { publicRoutes: [{ route: 'FETCH /a', reason: 'r' }] },
      'auth-enforcer.config.json: publicRoutes[0].route: expected "METHOD /path" where METHOD is GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, TRACE, CONNECT or *, got "FETCH /a"',
      'publicRoutes[0].route',
    ],
    [
      'route without a leading slash',
      { publicRoutes: [{ route: 'GET health', reason: 'r' }] },
      'auth-enforcer.config.json: publicRoutes[0].route: expected "METHOD /path" where METHOD is GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, TRACE, CONNECT or *, got "GET health"',
      'publicRoutes[0].route',
    ],
    [
      'guard with neither name nor module',
      { guards: [{ export: 'x' }] },
      'auth-enforcer.config.json: guards[0]: expected "name" or "module"',
      'guards[0]',
    ],
    ['top level not an object', [1], 'auth-enforcer.config.json: expected an object, got an array', undefined],
  ];

  it.each(cases)('%s', (_name, content, message, field) => {
    write('auth-enforcer.config.json', content);
    const err = configError(() => loadConfig(root));
    expect(err.message).toBe(message);
    expect(err.field).toBe(field);
    expect(err.file).toBe(path.join(root, 'auth-enforcer.config.json'));
  });

  it('prefixes fields with the package.json key', () => {
    write('package.json', { name: 'x', 'auth-enforcer': { publicRoutes: [{ route: 'GET /a', reason: '' }] } });
    expect(configError(() => loadConfig(root)).message).toBe(
      'package.json: auth-enforcer.publicRoutes[0].reason: expected a non-empty string',
    );
  });

  it('rejects rule ids outside knownRules when given', () => {
    write('auth-enforcer.config.json', { rules: { 'mising-auth': 'off' } });
    expect(loadConfig(root).rules).toEqual({ 'mising-auth': 'off' });
    expect(configError(() => loadConfig(root, undefined, { knownRules: ['missing-auth'] })).message).toBe(
      'auth-enforcer.config.json: rules["mising-auth"]: unknown rule "mising-auth" (known rules: missing-auth)',
    );
  });
});

describe('loadConfig: invalid JSON', () => {
  it('names the line and column of a missing value', () => {
    write('auth-enforcer.config.json', '{\n  "publicRoutes": [\n    { "route": "GET /a", "reason": }\n  ]\n}\n');
    expect(configError(() => loadConfig(root)).message).toBe(
      'auth-enforcer.config.json: invalid JSON at line 3, column 36: expected a value',
    );
  });

  it('names the position of a trailing comma and of a comment', () => {
    write('auth-enforcer.config.json', '{\n  "include": ["src"],\n}');
    expect(configError(() => loadConfig(root)).message).toBe(
      'auth-enforcer.config.json: invalid JSON at line 3, column 1: expected a property name in double quotes',
    );
    write('auth-enforcer.config.json', '// hi\n{}');
    expect(configError(() => loadConfig(root)).message).toBe(
      'auth-enforcer.config.json: invalid JSON at line 1, column 1: comments are not allowed in JSON',
    );
  });

  it('reports an empty file and a broken package.json', () => {
    write('auth-enforcer.config.json', '');
    expect(configError(() => loadConfig(root)).message).toMatch(/^auth-enforcer\.config\.json: invalid JSON at line 1, column 1: /);
    rmSync(path.join(root, 'auth-enforcer.config.json'));
    write('package.json', '{ "name": "x" "auth-enforcer": {} }');
    expect(configError(() => loadConfig(root)).message).toBe(
      "package.json: invalid JSON at line 1, column 15: expected ','",
    );
  });

  it('tolerates a byte-order mark', () => {
    write('auth-enforcer.config.json', '\ufeff{"include":["src"]}');
    expect(loadConfig(root).include).toEqual(['src']);
  });
});
