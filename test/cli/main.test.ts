import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, UsageError } from '../../src/model/errors.js';
import { makeResult, makeRoot, missingAuth, unscoped } from '../report/sample.js';
import { fakeApi, run } from './fake.js';

const root = makeRoot();
afterAll(() => rmSync(root, { recursive: true, force: true }));

const clean = () => makeResult(root, { findings: [], diagnostics: [] });
const warningsOnly = () => makeResult(root, { findings: [unscoped], diagnostics: [] });

describe('scan: exit codes', () => {
  it('exits 1 on an error finding and prints stylish to stdout', async () => {
    const api = fakeApi(makeResult(root));
    const r = await run(['scan'], { api, cwd: root });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✖ 2 problems (1 error, 1 warning)');
    expect(r.stderr).toBe('');
    expect(api.scan).toHaveBeenCalledWith({ paths: [root], cwd: root });
  });

  it('exits 0 with warnings only, and 1 once they exceed --max-warnings', async () => {
    expect((await run(['scan'], { api: fakeApi(warningsOnly()), cwd: root })).code).toBe(0);
    expect((await run(['scan', '--max-warnings', '1'], { api: fakeApi(warningsOnly()), cwd: root })).code).toBe(0);
    const r = await run(['scan', '--max-warnings', '0'], { api: fakeApi(warningsOnly()), cwd: root });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('auth-enforcer found too many warnings (maximum: 0).');
    expect(r.stderr).toBe('');
  });

  it('exits 0 on a clean scan; scan is the default command', async () => {
    const r = await run(['src'], { api: fakeApi(clean()), cwd: root });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('✔ No problems found in 1 route\n');
  });

  it('maps UsageError and ConfigError thrown by the api to exit 2 with one reason line and a hint', async () => {
    const api = fakeApi(clean());
    api.scan.mockRejectedValueOnce(new ConfigError('auth-enforcer.config.json: unknown key "guard"', '/x'));
    let r = await run(['scan'], { api, cwd: root });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'auth-enforcer: auth-enforcer.config.json: unknown key "guard"\nFix the config file, or point to another with --config <file>.\n',
    );
    api.fix.mockRejectedValueOnce(new UsageError('the git work tree has uncommitted changes; commit or stash them first, or pass --force'));
    r = await run(['scan', '--fix'], { api, cwd: root });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(
      'auth-enforcer: the git work tree has uncommitted changes; commit or stash them first, or pass --force',
    );
  });

  it('exits 2 on I/O errors and on unexpected ones, without a stack unless asked', async () => {
    const api = fakeApi(clean());
    api.scan.mockRejectedValueOnce(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES', syscall: 'open', path: '/p/a.ts' }));
    let r = await run(['scan'], { api, cwd: root });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('auth-enforcer: cannot open /p/a.ts: EACCES');
    api.scan.mockRejectedValueOnce(new TypeError('boom'));
    r = await run(['scan'], { api, cwd: root });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('auth-enforcer: internal error: boom');
    expect(r.stderr).not.toContain('at ');
  });
});

describe('scan: usage errors exit 2 before scanning', () => {
  const cases: [string[], string][] = [
    [['scan', 'nope'], "path not found: nope"],
    [['scan', '--format', 'xml'], "option '-f, --format <format>' argument 'xml' is invalid. Allowed choices are stylish, json, sarif, github, markdown."],
    [['scan', '--max-warnings', '-1'], "option '--max-warnings <n>' argument '-1' is invalid. expected a non-negative integer."],
    [['scan', '--max-warnings', 'x'], "option '--max-warnings <n>' argument 'x' is invalid. expected a non-negative integer."],
    [['scan', '--bogus'], "unknown option '--bogus'"],
    [['scan', '--force'], '--force only applies with --fix or --dry-run'],
    [['scan', '--config', 'missing.json'], 'config file not found: missing.json'],
    [['scan', '--fix', '--auth-strategy', 'oauth'], "option '--auth-strategy <strategy>' argument 'oauth' is invalid. Allowed choices are jwt, session."],
    [['routes', '--format', 'sarif'], "option '-f, --format <format>' argument 'sarif' is invalid. Allowed choices are table, json."],
  ];
  it.each(cases)('%j', async (args, reason) => {
    const api = fakeApi(clean());
    const r = await run(args, { api, cwd: root });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`auth-enforcer: ${reason}\nRun "auth-enforcer --help" for usage.\n`);
    expect(api.scan).not.toHaveBeenCalled();
    expect(api.fix).not.toHaveBeenCalled();
  });
});

describe('scan: output', () => {
  it('prints json and passes --config through resolved', async () => {
    writeFileSync(path.join(root, 'ae.json'), '{}');
    const api = fakeApi(makeResult(root));
    const r = await run(['scan', '--format', 'json', '--config', 'ae.json'], { api, cwd: root });
    expect(JSON.parse(r.stdout).findings.map((f: { ruleId: string }) => f.ruleId)).toEqual(['missing-auth', 'unscoped-query']);
    expect(api.scan).toHaveBeenCalledWith({ paths: [root], cwd: root, configPath: path.join(root, 'ae.json') });
  });

  it('--quiet drops warnings from the report, but they still count for --max-warnings', async () => {
    let r = await run(['scan', '-q', '--format', 'json'], { api: fakeApi(makeResult(root)), cwd: root });
    const json = JSON.parse(r.stdout);
    expect(json.findings.map((f: { ruleId: string }) => f.ruleId)).toEqual(['missing-auth']);
    expect(json.summary).toMatchObject({ errors: 1, warnings: 0 });
    r = await run(['scan', '-q', '--max-warnings', '0'], { api: fakeApi(warningsOnly()), cwd: root });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('✔ No problems found in 1 route\n');
    expect(r.stderr).toBe('auth-enforcer: too many warnings (1, maximum: 0)\n');
  });

  it('--output writes the report to a file and a summary line to stderr', async () => {
    const r = await run(['scan', '--format', 'sarif', '--output', 'out/report.sarif'], { api: fakeApi(makeResult(root)), cwd: root });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('auth-enforcer: 2 problems (1 error, 1 warning); report written to out/report.sarif\n');
    const log = JSON.parse(readFileSync(path.join(root, 'out/report.sarif'), 'utf8'));
    expect(log.runs[0].results).toHaveLength(2);
  });

  it('colours stylish only on a TTY without NO_COLOR or --no-color; FORCE_COLOR forces it on a pipe', async () => {
    const ansi = /\u001b\[/;
    const out = async (args: string[], env: Record<string, string>, tty: boolean) =>
      (await run(args, { api: fakeApi(makeResult(root)), cwd: root, env, tty })).stdout;
    expect(await out(['scan'], {}, true)).toMatch(ansi);
    expect(await out(['scan'], { NO_COLOR: '1' }, true)).not.toMatch(ansi);
    expect(await out(['scan', '--no-color'], {}, true)).not.toMatch(ansi);
    expect(await out(['scan'], {}, false)).not.toMatch(ansi);
    expect(await out(['scan'], { FORCE_COLOR: '1' }, false)).toMatch(ansi);
    expect(await out(['scan', '--no-color'], { FORCE_COLOR: '1' }, true)).not.toMatch(ansi);
  });
});

describe('scan --fix', () => {
  it('passes the fix options and reports what changed on stderr', async () => {
    const api = fakeApi(clean());
    const r = await run(['scan', '--fix', '--force', '--auth-strategy', 'jwt'], { api, cwd: root });
    expect(api.fix).toHaveBeenCalledWith({ paths: [root], cwd: root, dryRun: false, force: true, authStrategy: 'jwt' });
    expect(api.scan).not.toHaveBeenCalled();
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('✔ No problems found in 1 route\n');
    expect(r.stderr).toBe('auth-enforcer: fixed 2 files (1 changed, 1 created)\n  skipped: scope query: owner field unknown\n');
  });

  it('says so when there is nothing to fix', async () => {
    const api = fakeApi(clean(), { written: [], created: [], skipped: [], diff: '' });
    const r = await run(['scan', '--fix'], { api, cwd: root });
    expect(r.stderr).toBe('auth-enforcer: nothing to fix\n');
    expect(r.code).toBe(0);
  });

  it('--dry-run prints only the diff on stdout and exits by the remaining findings', async () => {
    const api = fakeApi(makeResult(root, { findings: [missingAuth] }));
    const r = await run(['scan', '--dry-run'], { api, cwd: root });
    expect(api.fix).toHaveBeenCalledWith({ paths: [root], cwd: root, dryRun: true, force: false });
    expect(r.stdout).toBe('--- a/src/users.ts\n+++ b/src/users.ts\n');
    expect(r.stderr.split('\n')[0]).toBe('auth-enforcer: dry run: 2 files would change; nothing was written');
    expect(r.code).toBe(1);
  });
});

describe('routes', () => {
  it('prints the table or json and exits 0 whatever the statuses', async () => {
    const api = fakeApi(makeResult(root, { diagnostics: [] }));
    let r = await run(['routes'], { api, cwd: root });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^METHOD\s+PATH\s+STATUS\s+GUARDS\s+LOCATION$/);
    r = await run(['routes', 'src', '--format', 'json'], { api, cwd: root });
    expect(JSON.parse(r.stdout).routes[0]).toMatchObject({ method: 'GET', path: '/users/:id', auth: { status: 'unprotected' } });
    expect(api.listRoutes).toHaveBeenLastCalledWith({ paths: [path.join(root, 'src')], cwd: root });
  });
});

describe('help and version', () => {
  it('--help prints usage on stdout and exits 0', async () => {
    const r = await run(['--help'], { cwd: root });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: auth-enforcer \[options\] \[command\]/);
    expect(r.stdout).toContain('scan [options] [paths...]');
    expect(r.stdout).toContain('routes [options] [paths...]');
    expect(r.stdout).toContain('2  usage, configuration or I/O error');
    const scanHelp = await run(['scan', '--help'], { cwd: root });
    expect(scanHelp.code).toBe(0);
    expect(scanHelp.stdout).toContain('--max-warnings <n>');
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8'));
    const r = await run(['--version'], { cwd: root });
    expect(r).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });
});
