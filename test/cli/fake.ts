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
  const code = await main(['node', 'auth-enforcer', ...args], io);
  return { code, stdout, stderr };
}
