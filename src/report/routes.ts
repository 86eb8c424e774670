import type { ChalkInstance } from 'chalk';
import type { AuthStatus, Diagnostic, Evidence, FrameworkName, Route } from '../model/types.js';
import { relativeFile } from './paths.js';
import { chalkFor } from './stylish.js';
import { plural } from './summary.js';

export interface RoutesRenderOptions {
  color: boolean;
  /** Scan root, to make paths relative when a route carries an absolute one. */
  root: string;
}

/** The `routes --format json` contract (architecture.md, "Output contracts"). */
export interface RoutesJson {
  schemaVersion: 1;
  routes: RouteJson[];
  diagnostics: Diagnostic[];
}

export interface RouteJson {
  framework: FrameworkName;
  method: string;
  path: string;
  file: string;
  line: number;
  column: number;
  /** The handler's name (null for an anonymous function) and where it is defined, which may be another file. */
  handler: { name: string | null; file: string; line: number; column: number };
  auth: {
    status: AuthStatus;
    guards: { name: string; kind: string; scope: string; evidence: string; file: string; line: number; column: number }[];
    reason: string | null;
    /** What an inferred status rests on: why an open route needs authentication, or why it is public by design. */
    evidence?: Evidence[];
  };
}

export function toRoutesJson(routes: readonly Route[], diagnostics: readonly Diagnostic[], root = ''): RoutesJson {
  const rel = (f: string) => (root ? relativeFile(f, root) : f);
  return {
    schemaVersion: 1,
    routes: routes.map((r) => ({
      framework: r.framework,
      method: r.method,
      path: r.path,
      file: rel(r.loc.file),
      line: r.loc.line,
      column: r.loc.column,
      handler: {
        name: r.handler.name ?? null,
        file: rel(r.handler.loc.file),
        line: r.handler.loc.line,
        column: r.handler.loc.column,
      },
      auth: {
        status: r.auth.status,
        guards: r.auth.guards.map((g) => ({
          name: g.name,
          kind: g.kind,
          scope: g.scope,
          evidence: g.evidence,
          file: rel(g.loc.file),
          line: g.loc.line,
          column: g.loc.column,
        })),
        reason: r.auth.reason ?? null,
        ...(r.auth.evidence?.length ? { evidence: r.auth.evidence.map((e) => ({ ...e, file: rel(e.file) })) } : {}),
      },
    })),
    diagnostics: diagnostics.map((d) => ({ ...d, ...(d.file && root ? { file: relativeFile(d.file, root) } : {}) })),
  };
}

export function renderRoutesJson(routes: readonly Route[], diagnostics: readonly Diagnostic[], root = ''): string {
  return `${JSON.stringify(toRoutesJson(routes, diagnostics, root), null, 2)}\n`;
}

const STATUS_ORDER: AuthStatus[] = ['unprotected', 'unknown', 'public', 'protected'];

function paintStatus(c: ChalkInstance, status: AuthStatus, text: string): string {
  switch (status) {
    case 'protected':
      return c.green(text);
    case 'public':
      return c.cyan(text);
    case 'unprotected':
      return c.red.bold(text);
    case 'unknown':
      return c.yellow(text);
  }
}

/**
 * A table: METHOD, PATH, STATUS, GUARDS (or the reason, in parentheses, when a route has none), LOCATION;
 * then a count per status and the diagnostics. Columns are padded before colouring so they line up.
 */
export function renderRoutesTable(
  routes: readonly Route[],
  diagnostics: readonly Diagnostic[],
  opts: RoutesRenderOptions,
): string {
  const c = chalkFor(opts.color);
  const header = ['METHOD', 'PATH', 'STATUS', 'GUARDS', 'LOCATION'];
  const rows = routes.map((r) => [
    r.method.toUpperCase(),
    r.path,
    r.auth.status === 'public' && r.auth.evidence?.length ? 'public (inferred)' : r.auth.status,
    r.auth.guards.length > 0
      ? r.auth.guards.map((g) => g.name).join(', ')
      : r.auth.reason
        ? `(${r.auth.reason})`
        : '-',
    `${relativeFile(r.loc.file, opts.root)}:${r.loc.line}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[], paint: (i: number, s: string) => string) =>
    cells
      .map((s, i) => paint(i, i === cells.length - 1 ? s : s.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();

  const out: string[] = [];
  if (routes.length === 0) {
    out.push('No routes found.');
  } else {
    out.push(line(header, (_i, s) => c.bold(s)));
    routes.forEach((r, k) => {
      out.push(line(rows[k]!, (i, s) => (i === 2 ? paintStatus(c, r.auth.status, s) : i === 4 ? c.dim(s) : s)));
    });
    const counts = STATUS_ORDER.map((s) => [s, routes.filter((r) => r.auth.status === s).length] as const)
      .filter(([, n]) => n > 0)
      .map(([s, n]) => paintStatus(c, s, `${n} ${s}`));
    out.push('', `${plural(routes.length, 'route')}: ${counts.join(', ')}`);
  }
  if (diagnostics.length > 0) {
    out.push('', c.bold('Diagnostics:'));
    for (const d of diagnostics) {
      const where = d.file ? `${relativeFile(d.file, opts.root)}${d.line ? `:${d.line}` : ''}  ` : '';
      out.push(`  ${d.level.padEnd(7)}  ${where}${d.message}  ${c.dim(d.code)}`);
    }
  }
  return `${out.join('\n')}\n`;
}
