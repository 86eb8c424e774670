import path from 'node:path';
import { CONFIG_FILE, runInit } from '../init/init.js';
import type { HookManager } from '../init/hooks.js';
import { UsageError } from '../model/errors.js';
import { plural } from '../report/summary.js';
import { loadApi } from './api-port.js';
import { EXIT_ERROR, EXIT_OK } from './errors.js';
import type { CliIo } from './io.js';
import { scanOptions } from './paths.js';
import { existsSync, statSync } from 'node:fs';

export interface InitFlags {
  force?: boolean;
  acceptPublic?: boolean;
  hook?: HookManager;
}

/** `auth-enforcer init [dir]`: exit 0 when everything asked for was done, 2 when a file was left alone. */
export async function runInitCommand(dirArg: string | undefined, flags: InitFlags, io: CliIo): Promise<number> {
  const dir = path.resolve(io.cwd, dirArg ?? '.');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`not a directory: ${dirArg ?? dir}`);
  const api = io.api ?? (await loadApi());
  // With the existing config, if any: routes it already declares public are not suggested again.
  // Evidence mode whatever the config says: the suggestions are the routes the scan infers public by design.
  const scanned = await api.scan({ ...scanOptions([dir], undefined, io), missingAuth: 'evidence' });
  const outcome = runInit({ dir, force: flags.force === true, acceptPublic: flags.acceptPublic === true, ...(flags.hook ? { hook: flags.hook } : {}) }, scanned);

  const out: string[] = [];
  out.push(
    outcome.frameworks.length
      ? `Found ${outcome.frameworks.join(', ')}: ${plural(outcome.routes.length, 'route')}.`
      : 'No Express, Fastify, NestJS or Hono application found; the config is written anyway.',
  );
  if (outcome.suggestions.length) {
    out.push('', flags.acceptPublic ? 'Declared public (review the reasons):' : 'These unauthenticated routes look public on purpose:');
    for (const s of outcome.suggestions) out.push(`  ${s.route}  (${s.why})`);
    if (!flags.acceptPublic) out.push(`Declare them in ${CONFIG_FILE} "publicRoutes" with a reason, or rerun with --accept-public --force.`);
  }
  out.push('');
  for (const a of outcome.actions) out.push(`${a.outcome.padEnd(11)} ${a.file}: ${a.detail}`);
  if (!flags.hook) {
    out.push(
      '',
      outcome.managers.length
        ? `Pre-commit: this project uses ${outcome.managers.join(', ')}; wire auth-enforcer with --hook ${outcome.managers[0]}.`
        : 'Pre-commit: wire a hook with --hook husky|lint-staged|simple-git-hooks|pre-commit.',
    );
  }
  out.push(
    '',
    `Config keys (README, "Configuration"): guards / notGuards name middleware the scan cannot judge; publicRoutes declare routes`,
    'public with a reason; rules sets severities; include / exclude narrow the files.',
    'Adopting on an existing project: npx auth-enforcer scan --baseline auth-enforcer.baseline.json --update-baseline',
  );
  io.stdout(`${out.join('\n')}\n`);
  const refused = outcome.actions.filter((a) => a.outcome === 'refused' && !(a.file === CONFIG_FILE && flags.hook));
  return refused.length ? EXIT_ERROR : EXIT_OK;
}
