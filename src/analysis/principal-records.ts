import { ts } from 'ts-morph';
import { unwrap } from '../syntax/resolve.js';
import { bindsOwner } from './data-access/access-facts.js';
import { filterShape, matchDbCall, type AnyDbCall, type MatchContext } from './data-access/index.js';
import type { IdentityFields } from './identity-fields.js';
import type { OriginSource, Provenance } from './provenance.js';

/**
 * A record read by a query bound to the principal belongs to the principal, and so do its fields:
 * `const member = await prisma.member.findFirst({ where: { userId: req.user.id } })` makes `member.orgId` an
 * org the caller belongs to, and `const me = await prisma.user.findUnique({ where: { id: req.user.id } })`
 * makes `me.tenantId` the caller's tenant. A later query that binds its tenant or owner field to such a
 * field is scoped. A record read by a client-chosen id (`where: { id: req.body.memberId }`) is not.
 * Unless the read throws when nothing matches (`findFirstOrThrow`), the record may be missing: its fields
 * count only when read plainly (`member.orgId` throws on a missing record; `member?.orgId` is undefined,
 * which an ORM takes as no filter at all).
 */
export function principalRecordSource(match: MatchContext, identity: IdentityFields): OriginSource {
  const matched = new Map<ts.CallExpression, AnyDbCall | null>();
  return {
    origin(expr, prov) {
      const e = unwrap(expr);
      if (!ts.isCallExpression(e)) return undefined;
      let db = matched.get(e);
      if (db === undefined) matched.set(e, (db = matchDbCall(e, match) ?? null));
      if (!db || db.kind !== 'read' || !readForPrincipal(db, prov, identity)) return undefined;
      return { kind: 'principal', path: [], node: e, fromRecord: true, ...(/(OrThrow|OrFail)$/.test(db.operation) ? {} : { mayBeMissing: true }) };
    },
  };
}

/** The read's filter binds the model's owner (or, unowned, an identity field) to the principal, or picks the caller's own account. */
function readForPrincipal(db: AnyDbCall, prov: Provenance, identity: IdentityFields): boolean {
  const model = db.model;
  if (!model) return false;
  if (db.idArg) return !!model.userRecord && prov.origin(db.idArg).kind === 'principal';
  const filter = filterShape(db, prov);
  if (!filter || filter.whole) return false;
  if (model.userRecord) return filter.entries.some((e) => e.kind === 'prop' && e.key === model.idField && e.origin.kind === 'principal');
  // An unowned model (a membership) counts when the filter binds one of its identity fields (`userId`) to the principal.
  return bindsOwner(filter, model.ownerField, identity, prov);
}
