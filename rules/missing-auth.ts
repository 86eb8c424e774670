import type { Rule } from '../src/model/rule.js';

/** Routes reachable without authentication: an error when certain, a warning when the chain is unresolved. */
export const rule: Rule = {
  id: 'missing-auth',
  description: 'A route is reachable without authentication and is not declared public.',
  defaultSeverity: 'error',
  check({ route, authFix }) {
    const name = `${route.method} ${route.path}`;
    if (route.auth.status === 'unprotected') {
      return [
        {
          messageId: 'unprotected',
          message: `${name} is reachable without authentication`,
          loc: route.loc,
          route: { method: route.method, path: route.path },
          fix: authFix,
        },
      ];
    }
    if (route.auth.status === 'unknown') {
      return [
        {
          messageId: 'unknown',
          severity: 'warning',
          message: `${name}: cannot tell whether authentication runs (${route.auth.reason ?? 'unresolved chain'})`,
          loc: route.loc,
          route: { method: route.method, path: route.path },
        },
      ];
    }
    return [];
  },
};

export default rule;
