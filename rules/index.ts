import type { Rule } from '../src/model/rule.js';
import missingAuth from './missing-auth.js';
import suppressionWithoutReason from './suppression-without-reason.js';
import unresolvedAuth from './unresolved-auth.js';
import unscopedQuery from './unscoped-query.js';
import userIdFromRequest from './user-id-from-request.js';

/** Every rule, in the order they are documented. Each has its page at rules/<id>.md. */
export const allRules: Rule[] = [missingAuth, unresolvedAuth, userIdFromRequest, unscopedQuery, suppressionWithoutReason];
