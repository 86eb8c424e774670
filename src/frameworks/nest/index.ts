import type { ts } from 'ts-morph';
import type { FrameworkAdapter } from '../adapter.js';
import { planNestAuthFixes } from './auth-fix.js';
import { NestRouteComposer } from './routes.js';

export const nestAdapter: FrameworkAdapter = {
  name: 'nest',
  detect({ project }) {
    if (project.packages.some((p) => '@nestjs/core' in p.deps || '@nestjs/common' in p.deps)) return true;
    for (const sf of project.files.mentioning('@nestjs/')) if (importsNest(sf)) return true;
    return false;
  },
  routes(ctx) {
    return new NestRouteComposer(ctx).compose();
  },
  planAuthFixes: planNestAuthFixes,
};

function importsNest(sf: ts.SourceFile): boolean {
  return /\bfrom\s+['"]@nestjs\/(core|common)['"]/.test(sf.text);
}
