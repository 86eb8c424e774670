// End-to-end: the built CLI (bin/auth-enforcer.js → dist/src/cli/main.js) in a child process, as a
// user or CI runs it: no TTY, real exit codes, real stdout/stderr.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repo, 'bin/auth-enforcer.js');
const built = path.join(repo, 'dist/src/cli/main.js');
const todoApp = path.join(repo, 'fixtures/express/todo-app');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

let tmp: string;

beforeAll(() => {
  // `npm test` builds first; build here too when dist is missing or older than the sources.
  const stale = !existsSync(built) || statSync(built).mtimeMs < Math.max(newestMtime(path.join(repo, 'src')), newestMtime(path.join(repo, 'rules')));
  if (stale) {
    try {
      execFileSync(process.execPath, [path.join(repo, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: repo, stdio: 'pipe' });
    } catch {
      // tsc emits even with type errors elsewhere in the tree; the tests below judge the result.
    }
  }
  tmp = mkdtempSync(path.join(tmpdir(), 'ae-e2e-'));
}, 600_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(args: string[], cwd: string, env: Record<string, string> = {}) {
  const base = { ...process.env };
  for (const k of ['NO_COLOR', 'FORCE_COLOR', 'AUTH_ENFORCER_DEBUG']) delete base[k];
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, env: { ...base, ...env }, encoding: 'utf8', timeout: 600_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function project(name: string, files: Record<string, string>): string {
  const dir = path.join(tmp, name);
  cpSync(todoApp, dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(path.join(dir, f), text);
  return dir;
}

describe('auth-enforcer (built CLI)', () => {
  it('--help prints usage and exits 0', () => {
    const r = cli(['--help'], repo);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: auth-enforcer \[options\] \[command\]/);
    expect(r.stdout).toContain('routes [options] [paths...]');
    expect(r.stderr).toBe('');
  });

  it('a bad config exits 2 naming the file and the field', () => {
    const dir = project('bad-config', {
      'auth-enforcer.config.json': JSON.stringify({ publicRoutes: [{ route: 'GET /health', reason: '' }] }),
    });
    const r = cli(['scan'], dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toBe(
      'auth-enforcer: auth-enforcer.config.json: publicRoutes[0].reason: expected a non-empty string',
    );
    expect(r.stderr.split('\n')[1]).toBe('Fix the config file, or point to another with --config <file>.');
  });

  it('an unknown config key and broken JSON exit 2 too', () => {
    const dir = project('unknown-key', { 'auth-enforcer.config.json': '{ "guard": [] }' });
    expect(cli(['scan'], dir).stderr.split('\n')[0]).toBe('auth-enforcer: auth-enforcer.config.json: unknown key "guard"');
    writeFileSync(path.join(dir, 'auth-enforcer.config.json'), '{\n  "guards": [\n}');
    const r = cli(['routes'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe("auth-enforcer: auth-enforcer.config.json: invalid JSON at line 3, column 1: expected a value");
  });

  it('a missing path exits 2', () => {
    const r = cli(['scan', 'no/such/dir'], tmp);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('auth-enforcer: path not found: no/such/dir\nRun "auth-enforcer --help" for usage.\n');
  });

  it('an unknown format exits 2', () => {
    const r = cli(['scan', '--format', 'xml'], tmp);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(
      "auth-enforcer: option '-f, --format <format>' argument 'xml' is invalid. Allowed choices are stylish, json, sarif, github, markdown.",
    );
  });

  it('scans a real project: exit 1, json contract, no colour on a pipe', () => {
    const r = cli(['scan', todoApp, '--format', 'json'], repo);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.schemaVersion).toBe(1);
    expect(Object.keys(json)).toEqual(['schemaVersion', 'findings', 'summary', 'diagnostics']);
    expect(json.findings.length).toBeGreaterThan(0);
    for (const f of json.findings) {
      // `evidence` is there when the rule gives some (missing-auth's claims).
      expect(Object.keys(f).filter((k) => k !== 'evidence')).toEqual([
        'ruleId', 'severity', 'message', 'file', 'line', 'column', 'endLine', 'endColumn', 'route', 'fingerprint', 'fixable',
      ]);
      expect(f.file).not.toMatch(/^\/|\\/);
    }
    expect(json.summary.errors).toBe(json.findings.filter((f: { severity: string }) => f.severity === 'error').length);

    const stylish = cli(['scan', todoApp], repo);
    expect(stylish.code).toBe(1);
    expect(stylish.stdout).not.toMatch(/\u001b\[/);
    expect(stylish.stdout).toMatch(/✖ \d+ problems? \(\d+ errors?, \d+ warnings?\)/);
    expect(cli(['scan', todoApp], repo, { FORCE_COLOR: '1' }).stdout).toMatch(/\u001b\[/);
  });

  it('writes valid SARIF with --output and prints a summary line', () => {
    const out = path.join(tmp, 'reports/scan.sarif');
    const r = cli(['scan', todoApp, '--format', 'sarif', '--output', out], repo);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^auth-enforcer: \d+ problems? \(.*\); report written to .*scan\.sarif\n$/);
    const require = createRequire(import.meta.url);
    const schemaFile = path.join(path.dirname(require.resolve('@microsoft/jest-sarif/package.json')), 'lib/schemas/sarif-2.1.0-rtm.5.json');
    const ajv = new Ajv({ strict: false, unicodeRegExp: false });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')));
    const log = JSON.parse(readFileSync(out, 'utf8'));
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    expect(log.runs[0].tool.driver.rules.map((x: { id: string }) => x.id)).toContain('missing-auth');
  });

  it('routes --format json prints the routes contract and exits 0', () => {
    const r = cli(['routes', todoApp, '--format', 'json'], repo);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.schemaVersion).toBe(1);
    expect(json.routes.length).toBeGreaterThan(0);
    expect(Object.keys(json.routes[0])).toEqual(['framework', 'method', 'path', 'file', 'line', 'column', 'handler', 'auth']);
    expect(Object.keys(json.routes[0].auth)).toEqual(['status', 'guards', 'reason']);
  });
});
