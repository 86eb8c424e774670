import path from 'node:path';
import type { SliceInput } from '../discover/project.js';
import type { Finding, Route, ScanResult } from '../model/types.js';
import { byLocation, byLocationThenRule } from '../model/order.js';
import type { LibraryDigests } from './libraries.js';

/**
 * Slice scans: what a run that reports only on some files (`--staged`, `--changed`, `--only-files`) must
 * re-analyse, given the last full scan (the base) and the source files that differ from it.
 *
 * A route's findings can change only if its registration, its handler, something its handler reaches,
 * or something its chain runs through changed. From the base:
 *
 * - the seeds are the files that differ from the base, plus the files to report on;
 * - their importers, transitively, are every file that can use what a seed defines (a handler calling
 *   a changed service, a router mounting a changed router, a module importing a changed controller);
 * - the affected routes are those registered or handled in one of those files, or whose chain
 *   (`Route.chainFiles`: mounts, plugins, modules, guard definitions) runs through a seed;
 * - the slice is those files plus every file the affected routes' chains run through.
 *
 * Route composition then starts from the slice only; other files are parsed when the analysis reaches
 * them. Anything the plan cannot bound (a file added or removed, a change reaching most of the project)
 * means a full scan. `test/cache/slice-gate.test.ts` holds the plan to the full scan on every fixture.
 */

export interface ScanBase {
  result: ScanResult;
  /** Source files (relative to the root, posix) and their content digests. */
  sources: Record<string, string>;
  /** Source file → the project files it imports (relative). */
  imports: Record<string, string[]>;
  /** The files discovery found (relative): the same for a slice, since no file came or went. */
  discovered: string[];
  /** Files outside the root the scan read (absolute), with their digests (see libraries.ts). */
  libraries?: LibraryDigests;
}

export type SlicePlan =
  | { kind: 'slice'; files: string[]; seeds: Set<string>; inSlice: (r: Route) => boolean }
  | { kind: 'full'; why: string };

/**
 * Past this share of a large project a slice saves little over a full scan, which also refreshes the
 * base. Small projects always slice: there either costs a fraction of a second.
 */
const MAX_SLICE_SHARE = 0.4;
const LARGE_PROJECT = 200;

export function planSlice(base: ScanBase, current: Record<string, string>, report: Iterable<string>, maxShare = MAX_SLICE_SHARE): SlicePlan {
  const changed = new Set<string>();
  for (const [file, digest] of Object.entries(current)) {
    const before = base.sources[file];
    if (before === undefined) return { kind: 'full', why: `${file} is new since the cached scan` };
    if (before !== digest) changed.add(file);
  }
  for (const file of Object.keys(base.sources)) if (!(file in current)) return { kind: 'full', why: `${file} was removed since the cached scan` };

  const seeds = new Set(changed);
  for (const file of report) if (file in current) seeds.add(file);

  const importers = reverse(base.imports);
  const reach = new Set<string>();
  const stack = [...seeds];
  while (stack.length) {
    const file = stack.pop()!;
    if (reach.has(file)) continue;
    reach.add(file);
    stack.push(...(importers.get(file) ?? []));
  }
  const touched = (r: Route) => reach.has(r.loc.file) || reach.has(r.handler.loc.file) || (r.chainFiles ?? []).some((f) => seeds.has(f));
  // Findings name their route by method and path, so routes sharing both (one in each of two files) go
  // into the slice together, or the merge could not tell whose findings are whose.
  const keys = new Set(base.result.routes.filter(touched).map(routeKey));
  const inSlice = (r: Route) => touched(r) || keys.has(routeKey(r));
  const files = new Set(reach);
  for (const r of base.result.routes) {
    if (!inSlice(r)) continue;
    files.add(r.loc.file).add(r.handler.loc.file);
    for (const f of r.chainFiles ?? []) files.add(f);
  }
  const total = Object.keys(current).length;
  if (total >= LARGE_PROJECT && files.size > maxShare * total) return { kind: 'full', why: `the change reaches ${files.size} of ${total} files` };
  return { kind: 'slice', files: [...files].sort(), seeds, inSlice };
}

/**
 * The base with the slice's routes and findings in place of those it re-analysed: what a full scan
 * would say, for every route the plan covers. Routes outside the plan keep the base's results (the
 * slice scan may see them partly composed, without the files that mount them), except a route every
 * file of which the slice scan read (`scope`, the files it composed routes from) that the slice no
 * longer has: it is gone (a router mounted nowhere, whose routes were orphans, is mounted now).
 */
export function mergeSlice(base: ScanResult, slice: ScanResult, plan: Extract<SlicePlan, { kind: 'slice' }>, scope: Iterable<string> = plan.files): ScanResult {
  const key = routeKey;
  const read = new Set(scope);
  const fresh = slice.routes.filter(plan.inSlice);
  const sliceIds = new Set(slice.routes.map((r) => r.id));
  const gone = (r: Route) => !sliceIds.has(r.id) && [r.loc.file, r.handler.loc.file, ...(r.chainFiles ?? [])].every((f) => read.has(f));
  const replaced = new Set([...base.routes.filter(plan.inSlice), ...fresh].map(key));
  let baseKept = base.routes.filter((r) => !replaced.has(key(r)));
  // A vanished route goes with its findings, unless another kept route shares its method and path.
  const vanished = baseKept.filter(gone);
  const stillNamed = new Set(baseKept.filter((r) => !gone(r)).map(key));
  const dropped = new Set(vanished.filter((r) => !stillNamed.has(key(r))));
  baseKept = baseKept.filter((r) => !dropped.has(r));
  const findingKept = (f: Finding, routes: Set<string>) => (f.route ? routes.has(key(f.route)) : !read.has(f.loc.file));
  const keptKeys = new Set(baseKept.map(key));
  const freshKeys = new Set(fresh.map(key));
  const findings = [
    ...base.findings.filter((f) => findingKept(f, keptKeys)),
    ...slice.findings.filter((f) => (f.route ? freshKeys.has(key(f.route)) : read.has(f.loc.file))),
  ].sort(byLocationThenRule);
  const suppressed = [...base.suppressed.filter((f) => findingKept(f, keptKeys)), ...slice.suppressed.filter((f) => !f.route || freshKeys.has(key(f.route)))];
  const diagnostics = [...base.diagnostics.filter((d) => !d.file || !read.has(d.file)), ...slice.diagnostics.filter((d) => d.file && read.has(d.file))];
  const routes = [...baseKept, ...fresh].sort(byLocation);
  const errors = findings.filter((f) => f.severity === 'error').length;
  return {
    ...base,
    routes,
    findings,
    suppressed,
    diagnostics,
    summary: { ...base.summary, routes: routes.length, errors, warnings: findings.length - errors, durationMs: slice.summary.durationMs },
  };
}

/** What the slice scan is given: the plan's files, seeds and routes, and the base's files and imports, as absolute paths. */
export function sliceInput(root: string, plan: Extract<SlicePlan, { kind: 'slice' }>, base: Omit<ScanBase, 'result'>, contents?: Map<string, Buffer>): SliceInput {
  const abs = (f: string) => path.join(root, f);
  return {
    scope: plan.files.map(abs),
    discovered: base.discovered?.length ? base.discovered.map(abs) : undefined,
    contents: contents && new Map([...contents].map(([f, bytes]) => [abs(f), bytes])),
    seeds: [...plan.seeds].map(abs),
    imports: new Map(Object.entries(base.imports).map(([f, targets]) => [abs(f), targets.map(abs)])),
    needs: plan.inSlice,
  };
}

function routeKey(r: { method: string; path: string }): string {
  return `${r.method.toUpperCase()} ${r.path}`;
}

function reverse(imports: Record<string, string[]>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [file, targets] of Object.entries(imports)) for (const t of targets) out.set(t, [...(out.get(t) ?? []), file]);
  return out;
}
