import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { strictScan } from '../cli/fake.js';
import { repoRoot } from './fixtures.js';

const cli = path.join(repoRoot, 'bin', 'auth-enforcer.js');

/** Runs the built CLI as a user would (a fresh node process, no colour); a non-zero exit is a result, not an error. */
export async function runCli(args: string[], cwd = repoRoot): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, ...strictScan(args)], { cwd, env: { ...process.env, NO_COLOR: '1' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
