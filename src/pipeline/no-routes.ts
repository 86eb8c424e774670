import type { PackageInfo } from '../discover/packages.js';
import crypto from 'node:crypto';
import type { Diagnostic, Finding } from '../model/types.js';

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

/**
 * Frameworks were detected but no route was found: a warning finding (it counts for --max-warnings and the
 * summary is never a green "no problems"), naming the likely cause, at the project's package.json.
 */
export function noRoutesFinding(frameworks: string[], packages: PackageInfo[]): Finding {
  const d = noRoutesDiagnostic(frameworks, packages);
  const loc = { file: 'package.json', line: 1, column: 1, endLine: 1, endColumn: 1 };
  return {
    ruleId: 'unresolved-auth',
    messageId: 'no-routes',
    severity: 'warning',
    message: d.message,
    loc,
    fingerprint: crypto.createHash('sha256').update(`unresolved-auth\0no-routes\0${frameworks.join()}`).digest('hex').slice(0, 16),
  };
}

/** Frameworks were detected but no route was found: say so, naming the likely cause. */
function noRoutesDiagnostic(frameworks: string[], packages: PackageInfo[]): Diagnostic {
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
