import { ts } from 'ts-morph';
import type { FrameworkAdapter } from '../adapter.js';
import { planExpressAuthFixes } from './auth-fix.js';
import { ExpressRouteComposer } from './routes.js';
import { EXPRESS_PACKAGES, ExpressRouters } from './routers.js';

export const expressAdapter: FrameworkAdapter = {
  name: 'express',
  detect({ project }) {
    if (project.packages.some((p) => [...EXPRESS_PACKAGES].some((pkg) => pkg in p.deps))) return true;
    for (const sf of project.files.mentioning('express')) if (importsExpress(sf)) return true;
    return false;
  },
  routes(ctx) {
    const routers = new ExpressRouters(ctx.resolver, ctx.project.files);
    return new ExpressRouteComposer(ctx, routers).compose(routers.build());
  },
  planAuthFixes: planExpressAuthFixes,
};

function importsExpress(sf: ts.SourceFile): boolean {
  return /\bfrom\s+['"]express(\.oi)?['"]|require\(\s*['"]express(\.oi)?['"]\s*\)/.test(sf.text);
}
