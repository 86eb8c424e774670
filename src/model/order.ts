/** Sort order of routes and findings in every result: by file, line and column. */
export function byLocation(a: { loc: { file: string; line: number; column: number } }, b: { loc: { file: string; line: number; column: number } }): number {
  return a.loc.file.localeCompare(b.loc.file) || a.loc.line - b.loc.line || a.loc.column - b.loc.column;
}

/** Findings: by location, then rule. */
export function byLocationThenRule(a: { loc: { file: string; line: number; column: number }; ruleId: string }, b: { loc: { file: string; line: number; column: number }; ruleId: string }): number {
  return byLocation(a, b) || a.ruleId.localeCompare(b.ruleId);
}
