// Until rules/index.ts registers them, end-to-end tests add the analysis rules to the registry the
// pipeline reads (vi.mock of rules/index.js); once registered this adds nothing.
import type { Rule } from '../../src/model/rule.js';

export async function withAnalysisRules(original: () => Promise<{ allRules: Rule[] }>) {
  const mod = await original();
  const { default: unscopedQuery } = await import('../../rules/unscoped-query.js');
  const { default: userIdFromRequest } = await import('../../rules/user-id-from-request.js');
  const ids = new Set(mod.allRules.map((r) => r.id));
  return { ...mod, allRules: [...mod.allRules, ...[unscopedQuery, userIdFromRequest].filter((r) => !ids.has(r.id))] };
}
