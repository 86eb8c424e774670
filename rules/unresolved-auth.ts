import type { Rule } from '../src/model/rule.js';

/** Routes whose chain could not be resolved: not a claim that they are holes, but nothing shows they are guarded. */
export const rule: Rule = {
  id: 'unresolved-auth',
  description: 'Whether authentication runs before a route cannot be resolved.',
  defaultSeverity: 'warning',
  check({ route }) {
    if (route.auth.status !== 'unknown') return [];
    const reason = route.auth.reason ?? 'unresolved chain';
    return [
      {
        messageId: 'unknown',
        message: `${route.method} ${route.path}: cannot tell whether authentication runs (${reason})${/guards/.test(reason) ? '' : SETTLE}`,
        loc: route.loc,
        route: { method: route.method, path: route.path },
      },
    ];
  },
};

const SETTLE = '; name the middleware in the config\'s guards or notGuards, or declare the route public, to settle it';

export default rule;
