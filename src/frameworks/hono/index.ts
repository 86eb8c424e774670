import type { ts } from 'ts-morph';
import type { FrameworkAdapter } from '../adapter.js';
import { HonoApps } from './apps.js';
import { planHonoAuthFixes } from './auth-fix.js';
import { HonoRouteComposer } from './routes.js';

export const honoAdapter: FrameworkAdapter = {
  name: 'hono',
  detect({ project }) {
    if (project.packages.some((p) => 'hono' in p.deps || '@hono/zod-openapi' in p.deps)) return true;
    for (const sf of project.files.mentioning('hono')) if (importsHono(sf)) return true;
    return false;
  },
  routes(ctx) {
    const apps = new HonoApps(ctx.resolver, ctx.project.files);
    return new HonoRouteComposer(ctx, apps).compose(apps.build());
  },
  planAuthFixes: planHonoAuthFixes,
};

function importsHono(sf: ts.SourceFile): boolean {
  return /\bfrom\s+['"](hono|@hono\/zod-openapi)(\/[\w-]+)?['"]|require\(\s*['"]hono['"]\s*\)/.test(sf.text);
}
