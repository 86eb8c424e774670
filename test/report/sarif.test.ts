import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { afterAll, describe, expect, it } from 'vitest';
import { formatReport, ruleInfos } from '../../src/report/index.js';
import type { ReportMeta } from '../../src/report/index.js';
import { makeResult, makeRoot, missingAuth } from './sample.js';

// The official SARIF 2.1.0 JSON schema (draft-04), as shipped by @microsoft/jest-sarif.
const require = createRequire(import.meta.url);
const schemaPath = path.join(path.dirname(require.resolve('@microsoft/jest-sarif/package.json')), 'lib/schemas/sarif-2.1.0-rtm.5.json');
const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
// unicodeRegExp off: the schema's `language` pattern has a stray `]` that only unicode mode rejects.
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validate = ajv.compile(schema);

const pkg = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8'));
const root = makeRoot();
const pages = mkdtempSync(path.join(tmpdir(), 'ae-pages-'));
writeFileSync(
  path.join(pages, 'missing-auth.md'),
  '# missing-auth\n\nA route with no authentication\nguard lets anyone call it.\n\n## How to fix\n\nAdd `requireAuth`.\n',
);
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(pages, { recursive: true, force: true });
});

const meta = (): ReportMeta => {
  const rules = ruleInfos(
    [
      { id: 'missing-auth', description: 'Routes must require authentication', defaultSeverity: 'error' },
      { id: 'user-id-from-request', description: 'Identity must come from the session', defaultSeverity: 'error' },
    ],
    pages,
  );
  return { tool: { name: 'auth-enforcer', version: '9.9.9', informationUri: 'https://example.test/ae' }, rules };
};

describe('sarif reporter', () => {
  it('validates against the SARIF 2.1.0 schema', () => {
    const out = formatReport(makeResult(root, { suppressed: [{ ...missingAuth, fingerprint: 'fp-s' }] }), { format: 'sarif', color: false, root }, meta());
    const log = JSON.parse(out);
    const ok = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the validator does reject a broken log', () => {
    const log = JSON.parse(formatReport(makeResult(root), { format: 'sarif', color: false, root }, meta()));
    log.runs[0].results[0].level = 'fatal';
    expect(validate(log)).toBe(false);
  });

  it('describes the tool, the rules (help from rules/<id>.md) and the results', () => {
    const log = JSON.parse(formatReport(makeResult(root), { format: 'sarif', color: false, root }, meta()));
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toMatch(/sarif-2\.1\.0/);
    expect(log.runs).toHaveLength(1);
    const run = log.runs[0];
    expect(run.tool.driver.name).toBe('auth-enforcer');
    expect(run.tool.driver.version).toBe('9.9.9');
    expect(run.tool.driver.informationUri).toBe('https://example.test/ae');
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(['missing-auth', 'user-id-from-request', 'unscoped-query']);
    expect(run.tool.driver.rules[0]).toEqual({
      id: 'missing-auth',
      name: 'MissingAuth',
      shortDescription: { text: 'Routes must require authentication' },
      fullDescription: { text: 'A route with no authentication guard lets anyone call it.' },
      defaultConfiguration: { level: 'error' },
      help: {
        text: 'A route with no authentication guard lets anyone call it.',
        markdown: readFileSync(path.join(pages, 'missing-auth.md'), 'utf8'),
      },
      helpUri: `https://unpkg.com/auth-enforcer@${pkg.version}/rules/missing-auth.md`,
    });
    // No page: the description stands in for the help text.
    expect(run.tool.driver.rules[1].help).toEqual({ text: 'Identity must come from the session' });
    expect(run.originalUriBaseIds['%SRCROOT%'].uri).toMatch(/^file:\/\/.*\/$/);

    expect(run.results[0]).toEqual({
      ruleId: 'missing-auth',
      ruleIndex: 0,
      level: 'error',
      message: { text: 'GET /users/:id has no authentication guard' },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'src/users.ts', uriBaseId: '%SRCROOT%' },
            region: { startLine: 3, startColumn: 1, endLine: 3, endColumn: 10 },
          },
        },
      ],
      partialFingerprints: { 'authEnforcer/v1': 'fp-missing-auth-1' },
      properties: { route: 'GET /users/:id' },
      rank: 70,
    });
    expect(run.results[1].ruleIndex).toBe(2);
    expect(run.results[1].level).toBe('warning');
    expect(run.invocations[0].toolExecutionNotifications).toEqual([
      {
        descriptor: { id: 'unresolved-import' },
        level: 'warning',
        message: { text: "cannot resolve './auth'" },
        locations: [{ physicalLocation: { artifactLocation: { uri: 'src/app.ts', uriBaseId: '%SRCROOT%' }, region: { startLine: 2 } } }],
      },
    ]);
  });

  it('works without rule metadata, taking the version from package.json', () => {
    const log = JSON.parse(formatReport(makeResult(root), { format: 'sarif', color: false, root }));
    expect(log.runs[0].tool.driver.version).toBe(pkg.version);
    expect(validate(log)).toBe(true);
  });
});
