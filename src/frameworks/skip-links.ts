import { skipVerdict, type HookSkip, type RouteFacts } from '../analysis/hook-skips.js';
import { snippet } from '../syntax/loc.js';
import type { Resolver } from '../syntax/resolve.js';
import type { ChainLink } from './chain.js';

/**
 * What a guard with skip conditions is for one route (Express middleware and Fastify hooks alike): no guard
 * when a skip names the route (the project made it public), a hole when a crafted request takes a skip meant
 * for other paths (`?x=/public`), unknown when a skip cannot be decided; undefined when every skip is
 * never taken and the guard stands.
 */
export function skipLink(name: string, skips: readonly HookSkip[], route: RouteFacts, resolver: Resolver): ChainLink | undefined {
  for (const skip of skips) {
    const { verdict, example } = skipVerdict(skip, route, resolver);
    const when = snippet(skip.when, 60);
    const condition = skip.negated ? `!(${when})` : when;
    if (verdict === 'skips') return { verdict: 'none', skippedBy: `${name} skips its check for this path (\`${condition}\`)` };
    if (verdict === 'bypass') {
      const how = example ? `\`${example}\` takes it` : 'a client can choose requests that take it';
      return { verdict: 'none', bypass: `${name} skips its check when \`${condition}\`, and ${how}: the route is reachable without authentication` };
    }
    if (verdict === 'unknown') return { verdict: 'unknown', reason: `${name} skips its check when \`${when}\`, which the scan cannot decide for this route` };
  }
  return undefined;
}
