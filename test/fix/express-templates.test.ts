// Static checks of the generated Express module in every flavour and style: it parses, it is
// rendered in the requested style, and dropping semicolons never changes what the code means.
import { ts } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { syntaxErrors } from '../../src/fix/parse-check.js';
import type { CodeStyle } from '../../src/fix/style.js';
import { expressAuthDependencies, expressAuthModule, type ExpressAuthModuleOptions } from '../../src/fix/templates/express.js';

const styles: CodeStyle[] = [
  { quote: "'", semicolons: true, indent: '  ', eol: '\n' },
  { quote: '"', semicolons: false, indent: '\t', eol: '\r\n' },
  { quote: '"', semicolons: true, indent: '    ', eol: '\n' },
];
const sessionImport = { specifier: '../lib/auth.js', exportName: 'auth' };
const flavours: Omit<ExpressAuthModuleOptions, 'style'>[] = [];
for (const strategy of ['jwt', 'session'] as const)
  for (const language of ['ts', 'js'] as const)
    for (const moduleKind of ['esm', 'cjs'] as const) flavours.push({ strategy, language, moduleKind, sessionImport });

/** The program with all formatting removed: equal for two texts that mean the same code. */
function normalized(text: string, language: 'ts' | 'js'): string {
  const kind = language === 'ts' ? ts.ScriptKind.TS : ts.ScriptKind.JS;
  const sourceFile = ts.createSourceFile(`x.${language}`, text, ts.ScriptTarget.Latest, false, kind);
  return ts.createPrinter({ removeComments: true }).printFile(sourceFile);
}

describe.each(flavours)('expressAuthModule %o', (flavour) => {
  const canonical = expressAuthModule({ ...flavour, style: styles[0]! });

  it.each(styles)('parses and follows the style %o', (style) => {
    const text = expressAuthModule({ ...flavour, style });
    expect(syntaxErrors(`require-auth.${flavour.language}`, text)).toEqual([]);
    const lines = text.split(style.eol);
    expect(lines.some((line) => line.includes('\n'))).toBe(false);
    const indented = lines.filter((line) => /^\s/.test(line) && !/^\s*\*/.test(line));
    expect(indented.length).toBeGreaterThan(0);
    for (const line of indented) expect(line.startsWith(style.indent)).toBe(true);
    const code = lines.filter((line) => !/^\s*(\/\/|\/?\*)/.test(line));
    expect(code.some((line) => line.endsWith(';'))).toBe(style.semicolons);
    expect(code.join('\n')).not.toContain(style.quote === "'" ? '"express"' : "'express'");
    expect(normalized(text, flavour.language)).toBe(normalized(canonical, flavour.language));
  });

  it('exports requireAuth in the requested module system', () => {
    const esm = flavour.language === 'ts' || flavour.moduleKind === 'esm';
    expect(canonical).toContain(esm ? 'export async function requireAuth(' : 'module.exports = { requireAuth };');
    expect(canonical.includes('require(')).toBe(!esm);
    if (flavour.language === 'ts') expect(canonical).toContain('export type AuthUser = Express.User;');
  });
});

describe('jwt strategy facts (shared/docs/better-auth.md)', () => {
  const text = expressAuthModule({ strategy: 'jwt', language: 'ts', moduleKind: 'esm', style: styles[0]! });

  it('creates the remote key set once, at module scope, from the Better Auth JWKS path', () => {
    expect(text.match(/createRemoteJWKSet\(/g)).toHaveLength(1);
    const sourceFile = ts.createSourceFile('x.ts', text, ts.ScriptTarget.Latest, true);
    const jwks = sourceFile.statements.find((s) => ts.isVariableStatement(s) && s.getText().includes('createRemoteJWKSet('));
    expect(jwks).toBeDefined();
    expect(text).toContain("new URL(BETTER_AUTH_JWKS_URL || '/api/auth/jwks', AUTH_ORIGIN)");
  });

  it('pins EdDSA, origin issuer and audience, 30 s clock tolerance', () => {
    expect(text).toContain("(BETTER_AUTH_JWT_ALGORITHMS || 'EdDSA')");
    expect(text).toContain('issuer: BETTER_AUTH_ISSUER || AUTH_ORIGIN');
    expect(text).toContain('audience: BETTER_AUTH_AUDIENCE || AUTH_ORIGIN');
    expect(text).toContain("clockTolerance: '30s'");
    expect(text).not.toMatch(/HS256|secret/i);
  });

  it('declares req.user through Express declaration merging', () => {
    expect(text).toContain('namespace Express {');
    expect(text).toMatch(/interface Request \{\s+user\?: User;/);
  });

  it('needs jose; the session strategy needs nothing new', () => {
    expect(expressAuthDependencies('jwt')).toEqual({ jose: '^6.2.18' });
    expect(expressAuthDependencies('session')).toEqual({});
  });
});

describe('session strategy', () => {
  it.each([
    [{ specifier: './auth.js', exportName: 'auth' }, "import { auth } from './auth.js';"],
    [{ specifier: './auth.js', exportName: 'betterAuthServer' }, "import { betterAuthServer as auth } from './auth.js';"],
    [{ specifier: './auth.js', exportName: 'default' }, "import auth from './auth.js';"],
  ])('imports the project auth instance %o', (sessionImportSpec, line) => {
    const text = expressAuthModule({ strategy: 'session', language: 'ts', moduleKind: 'esm', style: styles[0]!, sessionImport: sessionImportSpec });
    expect(text).toContain(line);
    expect(text).toContain('auth.api.getSession({ headers: fromNodeHeaders(req.headers) })');
  });

  it('renders CommonJS requires for JavaScript', () => {
    const text = expressAuthModule({ strategy: 'session', language: 'js', moduleKind: 'cjs', style: styles[0]!, sessionImport: { specifier: './auth', exportName: 'authServer' } });
    expect(text).toContain("const { fromNodeHeaders } = require('better-auth/node');");
    expect(text).toContain("const { authServer: auth } = require('./auth');");
  });

  it('requires sessionImport', () => {
    expect(() => expressAuthModule({ strategy: 'session', language: 'ts', moduleKind: 'esm', style: styles[0]! })).toThrow(/sessionImport/);
  });
});
