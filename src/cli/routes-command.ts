import { resolveRoot } from '../discover/files.js';
import { renderRoutesJson, renderRoutesTable } from '../report/index.js';
import { loadApi } from './api-port.js';
import { EXIT_OK } from './errors.js';
import { useColor, type CliIo } from './io.js';
import { scanOptions } from './paths.js';

export interface RoutesFlags {
  format: 'table' | 'json';
  config?: string;
  color: boolean;
}

/** Lists routes and their auth status; an inventory, so it exits 0 whatever the statuses are. */
export async function runRoutes(paths: string[], flags: RoutesFlags, io: CliIo): Promise<number> {
  const opts = scanOptions(paths, flags.config, io);
  const api = io.api ?? (await loadApi());
  const { routes, diagnostics } = await api.listRoutes(opts);
  const { root } = resolveRoot(opts.paths, opts.cwd);
  io.stdout(
    flags.format === 'json'
      ? renderRoutesJson(routes, diagnostics)
      : renderRoutesTable(routes, diagnostics, { color: useColor(flags.color, io, false), root }),
  );
  return EXIT_OK;
}
