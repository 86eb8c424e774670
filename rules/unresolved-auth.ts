import type { Rule } from '../src/model/rule.js';

/** Routes whose chain could not be resolved: not a claim that they are holes, but nothing shows they are guarded. */
export const rule: Rule = {
  id: 'unresolved-auth',
  description: 'Whether authentication runs before a route cannot be resolved.',
  defaultSeverity: 'warning',
  check({ route }) {
    if (route.auth.status !== 'unknown') return [];
    return [
      {
        messageId: 'unknown',
        message: `${route.method} ${route.path}: cannot tell whether authentication runs (${route.auth.reason ?? 'unresolved chain'}); name the middleware in "guards" or "notGuards" to settle it`,
        loc: route.loc,
        route: { method: route.method, path: route.path },
      },
    ];
  },
};

export default rule;
