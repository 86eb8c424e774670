import type * as ApiModule from '../api.js';

/** The library surface the CLI drives (src/api.ts); tests hand main() a fake of this shape. */
export type Api = Pick<typeof ApiModule, 'scan' | 'fix' | 'listRoutes'> & Partial<Pick<typeof ApiModule, 'scanForCache'>>;
export type FixOutcome = Awaited<ReturnType<Api['fix']>>;

/**
 * Imported on first use, not at start-up: `--help` and usage errors stay fast (no ts-morph load),
 * and they keep working even if the analysis half fails to load.
 */
export async function loadApi(): Promise<Api> {
  return import('../api.js');
}
