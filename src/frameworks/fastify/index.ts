import { ts } from 'ts-morph';
import type { FrameworkAdapter } from '../adapter.js';
import { planFastifyAuthFixes } from './auth-fix.js';
import { FastifyContextBuilder } from './contexts.js';
import { FastifyGuardClassifier } from './guards.js';
import { FastifyInstances } from './instances.js';
import { composeFastifyRoutes } from './routes.js';

export const fastifyAdapter: FrameworkAdapter = {
  name: 'fastify',
  detect({ project }) {
    if (project.packages.some((p) => 'fastify' in p.deps)) return true;
    for (const sf of project.files.mentioning('fastify')) if (importsFastify(sf)) return true;
    return false;
  },
  routes(ctx) {
    const instances = new FastifyInstances(ctx.resolver, ctx.project.files.scope());
    const roots = new FastifyContextBuilder(ctx.resolver, instances, ctx.project.files).build();
    return composeFastifyRoutes(ctx, roots, new FastifyGuardClassifier(ctx, instances));
  },
  planAuthFixes: planFastifyAuthFixes,
};

function importsFastify(sf: ts.SourceFile): boolean {
  return /\bfrom\s+['"]fastify['"]|require\(\s*['"]fastify['"]\s*\)/.test(sf.text);
}
