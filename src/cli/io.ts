import type { Api } from './api-port.js';

/** Everything the CLI touches outside itself, so tests can run main() in-process. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
  env: Record<string, string | undefined>;
  stdoutIsTTY: boolean;
  /** Defaults to the real src/api.ts, loaded lazily. */
  api?: Api;
}

let pipeGuarded = false;

export function processIo(): CliIo {
  if (!pipeGuarded) {
    pipeGuarded = true;
    // `auth-enforcer scan --format json | head` closes the pipe early: that is the reader's choice,
    // not a crash worth a stack trace.
    for (const stream of [process.stdout, process.stderr]) {
      stream.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EPIPE') throw err;
      });
    }
  }
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    cwd: process.cwd(),
    env: process.env,
    stdoutIsTTY: process.stdout.isTTY === true,
  };
}

/**
 * Colour is on only for a terminal, and off for --no-color, a non-empty NO_COLOR (no-color.org),
 * TERM=dumb or a report written to a file. FORCE_COLOR (not "0") turns it on for a pipe, as CI logs want.
 */
export function useColor(flag: boolean, io: CliIo, toFile: boolean): boolean {
  if (!flag || toFile) return false;
  if (io.env.NO_COLOR) return false;
  if (io.env.FORCE_COLOR !== undefined && io.env.FORCE_COLOR !== '' && io.env.FORCE_COLOR !== '0') return true;
  return io.stdoutIsTTY && io.env.TERM !== 'dumb';
}
