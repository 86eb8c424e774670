import type { IdentityUse } from '../src/model/facts.js';
import type { RawFinding, Rule } from '../src/model/rule.js';

/** Identity fields (userId, ownerId, ...) whose value the client controls, reaching a write, a filter or a decision. */
export const rule: Rule = {
  id: 'user-id-from-request',
  description: 'An identity field such as userId is taken from the request instead of the authenticated user.',
  defaultSeverity: 'error',
  check({ route, facts }) {
    if (!facts) return [];
    const name = `${route.method} ${route.path}`;
    const seen = new Map<string, number>();
    return facts.identityUses.map((use): RawFinding => {
      const base = `${use.sink}:${use.model ?? ''}:${use.field}`;
      const n = (seen.get(base) ?? 0) + 1;
      seen.set(base, n);
      return {
        messageId: messageIdOf(use),
        message: messageOf(name, use),
        loc: use.loc,
        route: { method: route.method, path: route.path },
        fingerprintKey: n === 1 ? base : `${base}#${n}`,
        ...(use.fix ? { fix: use.fix } : {}),
        ...(use.notFixableReason ? { notFixableReason: use.notFixableReason } : {}),
      };
    });
  },
};

function messageIdOf(use: IdentityUse): string {
  if (use.sink === 'mass-assignment') return 'massAssignment';
  if (use.sink === 'decision') return 'decision';
  return 'fromRequest';
}

function messageOf(name: string, use: IdentityUse): string {
  const source = use.sourceExpression ?? `the request ${use.source}`;
  switch (use.sink) {
    case 'mass-assignment':
      return `${name} copies ${source} into ${use.model ?? 'a record'}, letting the client set ${use.field}`;
    case 'decision':
      return `${name} decides access on ${use.field} from ${source} instead of the authenticated user`;
    default:
      return `${name} takes ${use.field} from ${source} instead of the authenticated user`;
  }
}

export default rule;
