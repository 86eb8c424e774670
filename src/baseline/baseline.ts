import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UsageError } from '../model/errors.js';
import type { Finding } from '../model/types.js';

/**
 * A baseline records the findings a project has accepted for now, by fingerprint (rule, method, full
 * path, handler identity, per-finding key: no file, no line), so moving code, editing elsewhere or
 * renaming the handler's file does not resurrect them. Route and message are there for the reviewer
 * of the file; only the fingerprint (and count) is used for matching.
 */
export interface BaselineEntry {
  fingerprint: string;
  ruleId: string;
  /** `GET /users/:id`, absent for findings that are not about a route. */
  route?: string;
  message: string;
  /** How many findings share the fingerprint, when more than one; one more is a new finding. */
  count?: number;
}

export interface Baseline {
  schemaVersion: 1;
  findings: BaselineEntry[];
}

const entrySchema = z.strictObject({
  fingerprint: z.string().regex(/^[0-9a-f]{8,64}$/),
  ruleId: z.string().min(1),
  route: z.string().optional(),
  message: z.string(),
  count: z.number().int().min(2).optional(),
});
const baselineSchema = z.strictObject({ schemaVersion: z.literal(1), findings: z.array(entrySchema) });

/** Messages quote code and reasons; the baseline keeps a line of them, enough to recognise the finding. */
const MESSAGE_MAX = 160;

export function baselineOf(findings: readonly Finding[]): Baseline {
  const byPrint = new Map<string, BaselineEntry>();
  for (const f of findings) {
    const seen = byPrint.get(f.fingerprint);
    if (seen) {
      seen.count = (seen.count ?? 1) + 1;
      continue;
    }
    const message = f.message.replace(/\s+/g, ' ').trim();
    byPrint.set(f.fingerprint, {
      fingerprint: f.fingerprint,
      ruleId: f.ruleId,
      ...(f.route ? { route: `${f.route.method.toUpperCase()} ${f.route.path}` } : {}),
      message: message.length > MESSAGE_MAX ? `${message.slice(0, MESSAGE_MAX - 1)}…` : message,
    });
  }
  const entries = [...byPrint.values()].sort(
    (a, b) =>
      cmp(a.ruleId, b.ruleId) || cmp(a.route ?? '', b.route ?? '') || cmp(a.fingerprint, b.fingerprint),
  );
  // Fixed key order, so the file diffs cleanly from one update to the next.
  return {
    schemaVersion: 1,
    findings: entries.map((e) => ({
      fingerprint: e.fingerprint,
      ruleId: e.ruleId,
      ...(e.route !== undefined ? { route: e.route } : {}),
      message: e.message,
      ...(e.count !== undefined ? { count: e.count } : {}),
    })),
  };
}

/** Locale-independent, so two machines write byte-identical files. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function serializeBaseline(baseline: Baseline): string {
  return `${JSON.stringify(baseline, null, 2)}\n`;
}

export function writeBaseline(file: string, baseline: Baseline): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, serializeBaseline(baseline));
}

/** Reads and validates a baseline; a missing or malformed file is a usage error (exit 2), never "empty". */
export function readBaseline(file: string, shown = file): Baseline {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UsageError(`baseline file not found: ${shown} (create it with --update-baseline)`);
    }
    throw err;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`baseline ${shown} is not valid JSON (${(err as Error).message}); regenerate it with --update-baseline`);
  }
  const parsed = baselineSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new UsageError(`baseline ${shown} is not an auth-enforcer baseline${where}: ${issue.message}; regenerate it with --update-baseline`);
  }
  return parsed.data as Baseline;
}

export interface BaselineSplit {
  /** Findings not in the baseline: the ones to report. */
  fresh: Finding[];
  /** Findings the baseline accepts. */
  known: Finding[];
}

/**
 * Splits findings into new and baselined. A fingerprint recorded n times accepts n findings; any more
 * with that fingerprint are new (the later ones in report order, since identical fingerprints cannot
 * be told apart).
 */
export function splitByBaseline(findings: readonly Finding[], baseline: Baseline): BaselineSplit {
  const allowance = new Map<string, number>();
  for (const e of baseline.findings) allowance.set(e.fingerprint, e.count ?? 1);
  const fresh: Finding[] = [];
  const known: Finding[] = [];
  for (const f of findings) {
    const left = allowance.get(f.fingerprint) ?? 0;
    if (left > 0) {
      allowance.set(f.fingerprint, left - 1);
      known.push(f);
    } else {
      fresh.push(f);
    }
  }
  return { fresh, known };
}

/** What an update changed, for the one-line message. */
export function baselineChanges(before: Baseline | undefined, after: Baseline): { added: number; removed: number } {
  const count = (b: Baseline | undefined) => new Map((b?.findings ?? []).map((e) => [e.fingerprint, e.count ?? 1]));
  const old = count(before);
  const now = count(after);
  let added = 0;
  let removed = 0;
  for (const [fp, n] of now) added += Math.max(0, n - (old.get(fp) ?? 0));
  for (const [fp, n] of old) removed += Math.max(0, n - (now.get(fp) ?? 0));
  return { added, removed };
}
