import type { ts } from 'ts-morph';
import type { Fix } from '../../model/types.js';
import type { RequestSpec } from '../request-spec.js';
import type { FixOutcome } from './scope-fix.js';

// Where a fix needs the authenticated user's id: the text that reads it, plus any set-up the adapter must
// add to make it reachable (a Nest handler without a principal gets a `@CurrentUser() user` parameter).

export type PrincipalAt = { text: string; edits: Fix['edits']; newFiles?: Fix['newFiles'] };

/** The principal's id where `at` stands, or the adapter's set-up that makes it reachable (a Nest `@CurrentUser() user`). */
export function principalAt(spec: RequestSpec, at: ts.Node): PrincipalAt | undefined {
  const text = spec.principalIdText(at);
  if (text) return { text, edits: [] };
  const setup = spec.principalSetup?.(at);
  return setup && { text: setup.text, edits: setup.edits, ...(setup.newFiles ? { newFiles: setup.newFiles } : {}) };
}

/** A fix that uses a set-up principal carries the set-up's edits and files with it (identical edits apply once). */
export function withSetup(outcome: FixOutcome, principal: PrincipalAt): FixOutcome {
  if (!outcome.fix || (!principal.edits.length && !principal.newFiles?.length)) return outcome;
  const newFiles = [...(outcome.fix.newFiles ?? []), ...(principal.newFiles ?? [])];
  return { fix: { ...outcome.fix, edits: [...principal.edits, ...outcome.fix.edits], ...(newFiles.length ? { newFiles } : {}) } };
}
