import { z } from 'zod';

/** HTTP methods accepted in `publicRoutes[].route`; `*` means any method. */
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT'] as const;

const NON_EMPTY = 'expected a non-empty string';

const nonEmptyString = z.string({ error: NON_EMPTY }).trim().min(1, { error: NON_EMPTY });
const stringList = z.array(nonEmptyString, { error: 'expected an array of strings' });

/** `METHOD /path`: one method (or `*`), whitespace, a path starting with `/`, no further whitespace. */
export const PUBLIC_ROUTE_RE = new RegExp(`^(\\*|${HTTP_METHODS.join('|')})\\s+(/\\S*)$`, 'i');

const guardSpec = z
  .strictObject(
    {
      module: nonEmptyString.optional(),
      export: nonEmptyString.optional(),
      name: nonEmptyString.optional(),
    },
    { error: 'expected an object like { "name": "requireAuth" } or { "module": "./src/auth", "export": "requireAuth" }' },
  )
  // A guard with neither a name nor a module could never match anything: say so instead of ignoring it.
  .refine((g) => g.name !== undefined || g.module !== undefined, { error: 'expected "name" or "module"' })
  .refine((g) => g.export === undefined || g.module !== undefined, { error: '"export" needs "module"', path: ['export'] });

const publicRoute = z.strictObject(
  {
    route: z
      .string({ error: 'expected a string like "GET /health"' })
      .trim()
      .regex(PUBLIC_ROUTE_RE, {
        error: (iss) =>
          `expected "METHOD /path" where METHOD is ${HTTP_METHODS.join(', ')} or *, got ${JSON.stringify(iss.input)}`,
      }),
    reason: nonEmptyString,
  },
  { error: 'expected an object like { "route": "GET /health", "reason": "load balancer probe" }' },
);

const severity = z.enum(['error', 'warning', 'off'], { error: 'expected "error", "warning" or "off"' });

export const configSchema = z.strictObject(
  {
    // Editors put a JSON schema reference here; accepted and ignored.
    $schema: z.string().optional(),
    guards: z.array(guardSpec, { error: 'expected an array' }).optional(),
    notGuards: z.array(guardSpec, { error: 'expected an array' }).optional(),
    publicRoutes: z.array(publicRoute, { error: 'expected an array' }).optional(),
    ownerFields: stringList.optional(),
    privilegedGuards: stringList.optional(),
    privateModels: stringList.optional(),
    principals: stringList.optional(),
    missingAuth: z.enum(['evidence', 'strict'], { error: 'expected "evidence" or "strict"' }).optional(),
    rules: z.record(z.string(), severity, { error: 'expected an object mapping rule ids to "error", "warning" or "off"' }).optional(),
    include: stringList.optional(),
    exclude: stringList.optional(),
  },
  { error: 'expected an object' },
);

export type ConfigInput = z.infer<typeof configSchema>;
