import type { ts } from 'ts-morph';

/**
 * Request values compared with the principal and refused on mismatch (`if (req.params.userId !== req.user.id)
 * return 403`), keyed by origin (`params:userId`). A verification counts only for uses after it, inside the
 * block that holds it: a check written after the query it should protect protects nothing. A helper's uses
 * are verified by its own checks, or by the caller's checks before the call.
 */
export class VerifiedValues {
  private readonly checks: { key: string; check: ts.IfStatement }[] = [];

  constructor(private readonly caller?: { verified: VerifiedValues; site: ts.Node }) {}

  add(key: string, check: ts.IfStatement): void {
    this.checks.push({ key, check });
  }

  /** Whether the value `key` is verified where `at` stands. */
  has(key: string, at: ts.Node): boolean {
    for (const { key: k, check } of this.checks) {
      if (k === key && precedesInBlock(check, at)) return true;
    }
    return !!this.caller && this.caller.verified.has(key, this.caller.site);
  }
}

function precedesInBlock(check: ts.IfStatement, at: ts.Node): boolean {
  if (check.getSourceFile() !== at.getSourceFile() || check.getEnd() > at.getStart()) return false;
  const block = check.parent;
  for (let n: ts.Node | undefined = at; n; n = n.parent) if (n === block) return true;
  return false;
}
