// Temp mini-projects for fix tests: written under test/.tmp (gitignored) inside the repository so
// that express, jose and better-auth resolve from the root node_modules; compiled with the real TypeScript;
// started as child processes that print `LISTENING <port>` once they accept connections.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { typeCheckProject } from './type-check.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The strictest settings a user's project may have: generated code must compile under all of them. */
export const strictCompilerOptions = {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    noPropertyAccessFromIndexSignature: true,
    noImplicitReturns: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    verbatimModuleSyntax: true,
    skipLibCheck: true,
};

/** A fresh directory test/.tmp/<prefix>-<random> holding `files` (paths relative to it). */
export function makeTempProject(prefix: string, files: Record<string, string>): string {
  const dir = path.join(repoRoot, 'test/.tmp', `${prefix}-${randomBytes(4).toString('hex')}`);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

export function removeTempProject(dir: string): void {
  if (dir.startsWith(path.join(repoRoot, 'test/.tmp'))) fs.rmSync(dir, { recursive: true, force: true });
}

/** Compiles the project as `tsc -p` would (in this process); rejects with the compiler's output when it does not type-check. */
export async function compile(dir: string, extraArgs: string[] = []): Promise<void> {
  const errors = typeCheckProject(dir, extraArgs);
  if (errors) throw new Error(`tsc failed in ${dir}:\n${errors}`);
}

export interface RunningApp {
  url: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Starts `node <entry>` in dir with env; resolves once it prints `LISTENING <port>`. */
export function startApp(dir: string, entry: string, env: Record<string, string | undefined>): Promise<RunningApp> {
  const child = spawn(process.execPath, [entry], { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill();
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${entry} did not start in time:\n${output}`));
    }, 120_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const port = /LISTENING (\d+)/.exec(output)?.[1];
      if (port) {
        clearTimeout(timer);
        resolve({ url: `http://127.0.0.1:${port}`, child, output: () => output, stop });
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`${entry} exited with ${code}:\n${output}`), { exitCode: code, output }));
    });
  });
}

/** A loopback port that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
