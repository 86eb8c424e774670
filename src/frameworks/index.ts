import type { FrameworkAdapter } from './adapter.js';
import { expressAdapter } from './express/index.js';
import { fastifyAdapter } from './fastify/index.js';
import { honoAdapter } from './hono/index.js';
import { nestAdapter } from './nest/index.js';

/** Every framework adapter; the pipeline runs those whose detect() is true. */
export const adapters: FrameworkAdapter[] = [expressAdapter, fastifyAdapter, nestAdapter, honoAdapter];
