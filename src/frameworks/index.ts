import type { FrameworkAdapter } from './adapter.js';
import { expressAdapter } from './express/index.js';

/** Every framework adapter; the pipeline runs those whose detect() is true. */
export const adapters: FrameworkAdapter[] = [expressAdapter];
