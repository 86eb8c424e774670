import type { DataAccess } from '../src/model/facts.js';
import type { RawFinding, Rule } from '../src/model/rule.js';
import type { Guard } from '../src/model/types.js';
import { readsArePublic } from '../src/analysis/identity-fields.js';

const VERBS: Record<DataAccess['kind'], string> = { read: 'reads', list: 'lists', update: 'updates', delete: 'deletes', create: 'creates' };

/**
 * Reads, updates and deletes of an owned model by a request id, and lists of an owned model, that are
 * not bound to the authenticated user. Public routes serve public data by design and are skipped, so are
 * reads of authored content (see readsArePublic) and routes behind a guard configured as privileged.
 */
export const rule: Rule = {
  id: 'unscoped-query',
  description: 'A query selects an owned record by a request id (or lists owned records) without binding it to the authenticated user.',
  defaultSeverity: 'error',
  check({ route, facts, config }) {
    if (!facts || route.auth.status === 'public') return [];
    const name = `${route.method} ${route.path}`;
    const seen = new Map<string, number>();
    const findings: RawFinding[] = [];
    // An admin route (a guard the config names as privileged) looks records up by id legitimately.
    if (route.auth.guards.some((g) => isPrivileged(g.name, config.privilegedGuards))) return [];
    // A read whose record is written back unscoped is the same hole as the write: reported once, at the write.
    const writtenBack = new Set(facts.dataAccesses.filter((a) => a.readLoc && isUnscoped(a)).map((a) => locKey(a.readLoc!)));
    for (const access of facts.dataAccesses) {
      if (!isUnscoped(access)) continue;
      if (writtenBack.has(locKey(access.loc))) continue;
      // Reading authored content (articles, comments) is public by design; changing it is not.
      if ((access.kind === 'read' || access.kind === 'list') && readsArePublic(access.model, access.ownerField, config)) continue;
      // Profiles are commonly public: a user account is reported only when it is changed.
      if ((access.kind === 'read' || access.kind === 'list') && access.userRecord) continue;
      // An account picked by a path parameter that a route guard ties to the caller (unless privileged) is theirs.
      if (access.userRecord && boundByGuard(route.auth.guards, access.idKey)) continue;
      const base = `${access.model ?? ''}.${access.operation}`;
      const n = (seen.get(base) ?? 0) + 1;
      seen.set(base, n);
      findings.push({
        messageId: access.kind === 'list' ? 'unscopedList' : 'unscopedById',
        message:
          access.kind === 'list'
            ? `${name} lists ${access.model} without filtering by the authenticated user`
            : `${name} ${VERBS[access.kind]} ${access.model} by a request id without scoping it to the authenticated user`,
        loc: access.loc,
        route: { method: route.method, path: route.path },
        fingerprintKey: n === 1 ? base : `${base}#${n}`,
        ...(access.fix ? { fix: access.fix } : {}),
        ...(access.notFixableReason ? { notFixableReason: access.notFixableReason } : {}),
      });
    }
    return findings;
  },
};

function locKey(loc: { file: string; line: number; column: number }): string {
  return `${loc.file}:${loc.line}:${loc.column}`;
}

/** `params:userId` where a guard of the route refuses unless `:userId` is the caller's (see Guard.bindsParams). */
function boundByGuard(guards: Guard[], idKey: string | undefined): boolean {
  const param = idKey?.startsWith('params:') ? idKey.slice('params:'.length) : undefined;
  return !!param && guards.some((g) => g.bindsParams?.includes(param));
}

/** Owned, not bound to the principal, and either picked by a client-supplied id or listing everything. */
function isUnscoped(a: DataAccess): boolean {
  if (!a.ownerField || a.scopedBy || a.kind === 'create') return false;
  return a.byRequestId || a.kind === 'list';
}

/**
 * `requireRole` matches the guard `requireRole` and `requireRole('admin')`; `RolesGuard` matches `RolesGuard`;
 * `requireAdmin` matches a decorated `fastify.requireAdmin`. A Fastify hook given as an array is each of its
 * elements: `[authenticate, requireAdmin]` holds `requireAdmin`.
 */
function isPrivileged(guard: string, privileged: string[]): boolean {
  return guardNames(guard).some((name) => {
    const member = name.slice(name.lastIndexOf('.', name.includes('(') ? name.indexOf('(') : name.length) + 1);
    return privileged.some((p) => [name, member].some((n) => n === p || n.startsWith(`${p}(`)));
  });
}

/** The elements of `[a, b(c, d)]` (commas inside brackets do not split), or the name itself. */
function guardNames(name: string): string[] {
  const m = /^\[([\s\S]*)\]$/.exec(name.trim());
  if (!m) return [name];
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < m[1].length; i++) {
    const ch = m[1][i];
    if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(m[1].slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(m[1].slice(start).trim());
  return parts.filter(Boolean);
}

export default rule;
