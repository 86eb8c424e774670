import type { z } from 'zod';

/** `publicRoutes[0].reason`, `rules["missing-auth"]`; empty string for the root. */
export function formatPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/** What a value is, in the words of an error message. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}

/** One issue as `<field path>: <problem>`; the unknown-key issue names each key on its parent's path. */
export function formatIssue(issue: z.core.$ZodIssue, prefix = ''): { field: string; text: string } {
  if (issue.code === 'unrecognized_keys') {
    const field = formatPath(issue.path, prefix);
    const keys = issue.keys.map((k) => `"${k}"`).join(', ');
    const text = `unknown key${issue.keys.length > 1 ? 's' : ''} ${keys}`;
    return { field, text: field ? `${field}: ${text}` : text };
  }
  const field = formatPath(issue.path, prefix);
  let problem = issue.message;
  // Our schema words invalid_type itself; add what was found, so the user sees both sides.
  if (issue.code === 'invalid_type' && 'input' in issue) {
    problem += `, got ${issue.input === undefined ? 'nothing' : describe(issue.input)}`;
  }
  return { field, text: field ? `${field}: ${problem}` : problem };
}
