import type { Rule } from '../src/model/rule.js';

/**
 * Reported by the pipeline, not per route: a `// auth-enforcer-disable-next-line` comment without
 * `-- <reason>`. It silences nothing until it says why.
 */
export const rule: Rule = {
  id: 'suppression-without-reason',
  description: 'A suppression comment gives no reason, so it silences nothing.',
  defaultSeverity: 'error',
  check: () => [],
};

export default rule;
