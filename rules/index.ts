import type { Rule } from '../src/model/rule.js';
import missingAuth from './missing-auth.js';
import suppressionWithoutReason from './suppression-without-reason.js';

/** Every rule, in the order they are documented. Each has its page at rules/<id>.md. */
export const allRules: Rule[] = [missingAuth, suppressionWithoutReason];
