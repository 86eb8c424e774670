import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { AuthStrategy, OutputFormat } from '../model/options.js';
import { OUTPUT_FORMATS } from '../report/index.js';
import { toolInfo } from '../report/meta.js';
import { describeError, EXIT_ERROR } from './errors.js';
import { processIo, type CliIo } from './io.js';
import { HOOK_MANAGERS } from '../init/hooks.js';
import { runInitCommand, type InitFlags } from './init-command.js';
import { runRoutes, type RoutesFlags } from './routes-command.js';
import { runScan, type ScanFlags } from './scan-command.js';

const EXIT_HELP = `
Exit codes:
  0  no error findings, and warnings within --max-warnings
  1  error findings, or more warnings than --max-warnings
  2  usage, configuration or I/O error`;

function nonNegativeInt(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a non-negative integer.');
  return Number(value);
}

/**
 * The CLI. `argv` is process.argv (node, script, args...). Returns the exit code and never calls
 * process.exit, so buffered output on a pipe is flushed before Node exits.
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  let exitCode = 0;
  const program = new Command('auth-enforcer');
  program
    .description('Find authentication holes in Express, Fastify, NestJS and Hono servers.')
    .version(toolInfo().version, '-V, --version')
    // Errors are turned into one line plus a hint below; commander must not print or exit itself.
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: () => {} })
    .showSuggestionAfterError(true)
    .addHelpText('after', EXIT_HELP);

  program
    .command('scan', { isDefault: true })
    .description('report routes without authentication and identity taken from the request (the default command)')
    .argument('[paths...]', 'files or directories to scan (default: the current directory)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(OUTPUT_FORMATS).default('stylish'))
    .option('-o, --output <file>', 'write the report to a file; a one-line summary still goes to stderr')
    .option('--max-warnings <n>', 'exit 1 when there are more than n warnings', nonNegativeInt)
    .option('-c, --config <file>', 'config file (default: auth-enforcer.config.json, or "auth-enforcer" in package.json)')
    .option('--no-color', 'no colour in the output (also: NO_COLOR=1)')
    .option('--fix', 'apply the automatic fixes (refuses a dirty git tree without --force)')
    .option('--dry-run', 'with --fix: print the fixes as a unified diff and write nothing')
    .option('--force', 'with --fix: fix even when the git tree has uncommitted changes')
    .addOption(new Option('--auth-strategy <strategy>', 'with --fix: the auth to generate where the project has none').choices(['jwt', 'session']))
    .option('--nest-global-guard', 'with --fix: NestJS: register the generated guard as APP_GUARD and mark public routes @Public()')
    .addOption(
      new Option('--missing-auth <mode>', 'evidence: open routes are errors only with evidence that they need authentication (default); strict: every open route not declared public is an error').choices(['evidence', 'strict']),
    )
    .option('-q, --quiet', 'report errors only')
    .option('--baseline <file>', 'report and fail only on findings not recorded in this baseline file')
    .option('--update-baseline', 'with --baseline: record every current finding in the file (fixed ones drop out) and exit 0')
    .option('--changed [ref]', 'report only findings in files changed since ref (default: HEAD; branch commits, work tree and untracked files); the whole project is still analysed')
    .option('--staged', 'report only findings in staged files (for pre-commit hooks); the whole project is still analysed')
    .option('--no-cache', 'do not read or write the scan cache (node_modules/.cache/auth-enforcer)')
    .option('--only-files <files...>', 'report only findings in these files (for lint-staged, which appends the staged files); the whole project is still analysed')
    .addHelpText(
      'after',
      `
Examples:
  auth-enforcer scan
  auth-enforcer scan src --format sarif --output auth-enforcer.sarif
  auth-enforcer scan --fix --dry-run > fixes.diff
  auth-enforcer scan --baseline auth-enforcer.baseline.json --update-baseline
  auth-enforcer scan --baseline auth-enforcer.baseline.json --format sarif --output auth-enforcer.sarif
  auth-enforcer scan --staged --quiet
  auth-enforcer scan --changed=origin/main${EXIT_HELP}`,
    )
    .action(async (paths: string[], flags: Record<string, unknown>) => {
      exitCode = await runScan(paths, flags as unknown as ScanFlags & { format: OutputFormat; authStrategy?: AuthStrategy }, io);
    });

  program
    .command('routes')
    .description('list every route with its full path, auth status and guards')
    .argument('[paths...]', 'files or directories to scan (default: the current directory)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('-c, --config <file>', 'config file (default: auth-enforcer.config.json, or "auth-enforcer" in package.json)')
    .option('--no-color', 'no colour in the output (also: NO_COLOR=1)')
    .option('--compare <routes.json>', 'list routes that appeared, disappeared or changed status since a previous "routes --format json" output')
    .addOption(new Option('--missing-auth <mode>', 'evidence: routes public by design show as public (inferred) (default); strict: only declared routes are public').choices(['evidence', 'strict']))
    .action(async (paths: string[], flags: Record<string, unknown>) => {
      exitCode = await runRoutes(paths, flags as unknown as RoutesFlags, io);
    });

  program
    .command('init')
    .description('write auth-enforcer.config.json for the frameworks found, and wire a pre-commit hook on request')
    .argument('[dir]', 'the project directory (default: the current directory)')
    .option('--accept-public', 'declare the routes that look public on purpose (health checks, auth endpoints, webhooks) in publicRoutes')
    .addOption(new Option('--hook <manager>', 'wire the pre-commit hook into this hook manager').choices(HOOK_MANAGERS))
    .option('--force', 'overwrite an existing config; change an existing hook command')
    .action(async (dir: string | undefined, flags: Record<string, unknown>) => {
      exitCode = await runInitCommand(dir, flags as InitFlags, io);
    });

  try {
    await program.parseAsync(argv, { from: 'node' });
    return exitCode;
  } catch (err) {
    // --help and --version end through exitOverride with exit code 0.
    if (err instanceof CommanderError && err.exitCode === 0) return 0;
    io.stderr(describeError(err, Boolean(io.env.AUTH_ENFORCER_DEBUG)));
    return EXIT_ERROR;
  }
}
