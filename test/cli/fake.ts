// An in-process harness for main(): captured stdout/stderr and a fake src/api.ts.
import { vi } from 'vitest';
import type { Api } from '../../src/cli/api-port.js';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import type { ScanResult } from '../../src/model/types.js';

export function fakeApi(result: ScanResult, extra: Partial<Awaited<ReturnType<Api['fix']>>> = {}) {
  return {
    scan: vi.fn(async () => result),
    listRoutes: vi.fn(async () => ({ routes: result.routes, diagnostics: result.diagnostics })),
    fix: vi.fn(async () => ({
      written: ['src/users.ts'],
      created: ['src/auth.ts'],
      diff: '--- a/src/users.ts\n+++ b/src/users.ts\n',
      skipped: [{ description: 'scope query', reason: 'owner field unknown' }],
      warnings: [],
      before: result,
      result,
      ...extra,
    })),
  } satisfies Api;
}

/**
 * The CLI tests check which findings are reported and how, on small projects whose open routes stand for holes:
 * `scan` and `routes` run in strict mode (every open route a finding) unless a test names a mode. Evidence mode, the
 * default, is tested on its own fixture (test/rules/route-claims.test.ts).
 */
export function strictScan(args: string[]): string[] {
  return (args[0] === 'scan' || args[0] === 'routes') && !args.includes('--missing-auth') ? [...args, '--missing-auth', 'strict'] : args;
}

export async function run(args: string[], opts: { api?: Api; cwd: string; env?: Record<string, string>; tty?: boolean }) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    cwd: opts.cwd,
    env: opts.env ?? {},
    stdoutIsTTY: opts.tty ?? false,
    ...(opts.api ? { api: opts.api } : {}),
  };
  // A fake api answers with its canned result whatever the mode: the arguments stay as the test wrote them.
  const code = await main(['node', 'auth-enforcer', ...(opts.api ? args : strictScan(args))], io);
  return { code, stdout, stderr };
}
