import { CommanderError } from 'commander';

/** Exit codes (architecture.md, "Output contracts"). */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;

const HELP_HINT = 'Run "auth-enforcer --help" for usage.';

/**
 * The two lines printed for an error that stops the run: what went wrong and what to do. Matched by
 * name as well as class, so an error from a second copy of the model (src vs dist) is still recognised.
 */
export function describeError(err: unknown, debug: boolean): string {
  const e = err instanceof Error ? err : new Error(String(err));
  const code = (e as NodeJS.ErrnoException).code;
  if (e instanceof CommanderError) {
    return lines(e.message.replace(/^error: /, ''), HELP_HINT);
  }
  if (e.name === 'UsageError') return lines(e.message, HELP_HINT);
  if (e.name === 'ConfigError') {
    return lines(e.message, 'Fix the config file, or point to another with --config <file>.');
  }
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
    const { path: p, syscall } = e as NodeJS.ErrnoException;
    const what = p ? `cannot ${syscall ?? 'access'} ${p}: ${code}` : e.message;
    return lines(what, 'Check that the path exists and is readable (and writable, for --output and --fix).');
  }
  const text = lines(
    `internal error: ${e.message}`,
    'This is a bug in auth-enforcer; please report it with the command you ran (AUTH_ENFORCER_DEBUG=1 prints the stack).',
  );
  return debug && e.stack ? `${text}${e.stack}\n` : text;
}

function lines(reason: string, todo: string): string {
  return `auth-enforcer: ${reason}\n${todo}\n`;
}
