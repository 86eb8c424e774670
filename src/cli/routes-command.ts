import path from 'node:path';
import { diffRoutes, readRoutesJson, renderRouteDiffJson, renderRouteDiffTable } from '../changes/route-diff.js';
import { resolveRoot } from '../discover/files.js';
import { renderRoutesJson, renderRoutesTable, toRoutesJson } from '../report/index.js';
import { loadApi } from './api-port.js';
import { EXIT_OK } from './errors.js';
import { useColor, type CliIo } from './io.js';
import { scanOptions } from './paths.js';

export interface RoutesFlags {
  format: 'table' | 'json';
  config?: string;
  color: boolean;
  /** A previous `routes --format json` output to compare against. */
  compare?: string;
  missingAuth?: 'evidence' | 'strict';
}

/** Lists routes and their auth status; an inventory, so it exits 0 whatever the statuses are. */
export async function runRoutes(paths: string[], flags: RoutesFlags, io: CliIo): Promise<number> {
  const opts = { ...scanOptions(paths, flags.config, io), ...(flags.missingAuth ? { missingAuth: flags.missingAuth } : {}) };
  // Read first: a wrong file name should not cost a scan.
  const previous = flags.compare !== undefined ? readRoutesJson(path.resolve(io.cwd, flags.compare), flags.compare) : undefined;
  const api = io.api ?? (await loadApi());
  const { routes, diagnostics } = await api.listRoutes(opts);
  const { root } = resolveRoot(opts.paths, opts.cwd);
  if (previous) {
    const diff = diffRoutes(previous, toRoutesJson(routes, diagnostics, root));
    io.stdout(flags.format === 'json' ? renderRouteDiffJson(diff) : renderRouteDiffTable(diff, useColor(flags.color, io, false)));
    return EXIT_OK;
  }
  io.stdout(
    flags.format === 'json'
      ? renderRoutesJson(routes, diagnostics)
      : renderRoutesTable(routes, diagnostics, { color: useColor(flags.color, io, false), root }),
  );
  return EXIT_OK;
}
