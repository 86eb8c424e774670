import type { PackageInfo } from '../discover/packages.js';
import type { Diagnostic } from '../model/types.js';

/**
 * Libraries that build an app's routes themselves, from decorators, specs or wrappers the adapters do not
 * model. A project using one shows "no routes", which must not read as "nothing to worry about".
 */
const UNMODELLED_ROUTERS = [
  'routing-controllers',
  'tsoa',
  'inversify-express-utils',
  '@decorators/express',
  '@tsed/platform-express',
  '@tsed/common',
  'express-openapi',
  'swagger-routes-express',
  'express-zod-api',
  '@awaitjs/express',
  'trpc-openapi',
];

/** Frameworks were detected but no route was found: say so, naming the likely cause. */
export function noRoutesDiagnostic(frameworks: string[], packages: PackageInfo[]): Diagnostic {
  const used = UNMODELLED_ROUTERS.filter((lib) => packages.some((p) => lib in p.deps));
  const cause = used.length
    ? `routes registered through ${used.join(', ')} are not analysed`
    : 'its routes may be registered in a way the tool does not follow (a generated or dynamic registration)';
  return {
    level: 'warning',
    code: 'no-routes',
    message: `${frameworks.join(' and ')} ${frameworks.length > 1 ? 'are' : 'is'} used but no routes were found: ${cause}; nothing was checked`,
  };
}
