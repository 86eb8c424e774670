import type { Rule } from '../src/model/rule.js';
import type { Evidence } from '../src/model/types.js';

/**
 * Routes that no guard protects, claimed as holes from evidence (route.auth.evidence, see
 * src/analysis/route-claims.ts): an error when the evidence says the route needs authentication (or in strict
 * mode), a warning when nothing says either way. Routes public by design are `public` and never reach here;
 * unresolved chains are unresolved-auth's.
 */
export const rule: Rule = {
  id: 'missing-auth',
  description: 'A route that needs authentication is reachable without it.',
  defaultSeverity: 'error',
  check({ route, authFix, config }) {
    if (route.auth.status !== 'unprotected') return [];
    const name = `${route.method} ${route.path}`;
    const evidence = route.auth.evidence ?? [];
    const base = { loc: route.loc, route: { method: route.method, path: route.path }, fix: authFix };
    if (evidence.length && route.auth.optional?.length && config.missingAuth !== 'strict') {
      // Authentication runs but admits anonymous callers: whether it should refuse here is the maintainer's call.
      return [
        {
          ...base,
          messageId: 'optional-auth-needs',
          severity: 'warning',
          message: `${name} admits anonymous callers (${route.auth.optional[0]}), yet ${evidence.map(where).join('; ')}`,
          evidence,
        },
      ];
    }
    if (evidence.length) {
      // Reads alone are a question: avatars, public projects and share links read owned records on purpose.
      const readsOnly = evidence.every((e) => e.kind === 'reads-owned-data') && config.missingAuth !== 'strict';
      return [
        {
          ...base,
          messageId: readsOnly ? 'reads-owned-data' : 'needs-auth',
          ...(readsOnly ? { severity: 'warning' as const } : {}),
          message: readsOnly
            ? `${name} is reachable without authentication and ${evidence.map(where).join('; ')}: guard it, or declare it public`
            : `${name} needs authentication but no guard runs: ${evidence.map(where).join('; ')}`,
          evidence,
        },
      ];
    }
    if (config.missingAuth === 'strict') {
      return [{ ...base, messageId: 'unprotected', message: `${name} is reachable without authentication` }];
    }
    return [
      {
        ...base,
        messageId: 'no-evidence',
        severity: 'warning',
        message: `${name} is reachable without authentication, and nothing shows whether it should be: guard it, or declare it public`,
      },
    ];
  },
};

const where = (e: Evidence) => `${e.message} (${e.file}:${e.line})`;

export default rule;
