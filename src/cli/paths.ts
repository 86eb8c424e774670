import { existsSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../model/errors.js';
import type { ScanOptions } from '../model/options.js';
import type { CliIo } from './io.js';

/**
 * Scan options from positional paths and --config, checked up front so a typo is a usage error
 * (exit 2) before any analysis starts. The config itself is loaded and validated by scan().
 */
export function scanOptions(paths: string[], configFlag: string | undefined, io: CliIo): ScanOptions {
  const resolved = (paths.length > 0 ? paths : ['.']).map((p) => path.resolve(io.cwd, p));
  resolved.forEach((abs, i) => {
    if (!existsSync(abs)) throw new UsageError(`path not found: ${paths[i] ?? abs}`);
  });
  const opts: ScanOptions = { paths: resolved, cwd: io.cwd };
  if (configFlag !== undefined) {
    const configPath = path.resolve(io.cwd, configFlag);
    if (!existsSync(configPath)) throw new UsageError(`config file not found: ${configFlag}`);
    opts.configPath = configPath;
  }
  return opts;
}
