import { ts } from 'ts-morph';
import type { DataAccess } from '../../model/facts.js';
import { locOf, snippet } from '../../syntax/loc.js';
import { unwrap } from '../../syntax/resolve.js';
import { scopeFix, type FixOutcome } from '../fixes/scope-fix.js';
import { threadPrincipal } from '../fixes/thread-principal.js';
import { principalAt, withSetup } from '../fixes/principal.js';
import type { OwnerSchema } from '../schema/owner-schema.js';
import type { FunctionSummaries } from '../function-summary.js';
import { normalizeFieldName, readsArePublic, type IdentityFields } from '../identity-fields.js';
import type { Config } from '../../model/config.js';
import { originText } from '../origin-text.js';
import { originKey, unwrapValue, type ObjectShape, type Origin, type Provenance } from '../provenance.js';
import type { RequestSpec } from '../request-spec.js';
import type { AnyDbCall } from './db-call.js';
import { filterShape } from './index.js';
import { recordCheck } from './record-check.js';
import { isRecordWrite, recordWriteAccess } from './record-write.js';
import { includesOf } from './sequelize.js';
import type { VerifiedValues } from '../verified-values.js';
import { isAccountKey } from '../schema/user-model.js';

/** A DataAccess with what later passes need: the id's provenance key and whether a missing record is refused. */
export interface AccessRecord {
  fact: DataAccess;
  db: AnyDbCall;
  idKey?: string;
  missingRefused: boolean;
  /** Set when the call sits in a helper, not in the handler: fixes there cannot reach the principal. */
  helperName?: string;
  /** The calls from the handler down to the function holding the query (empty in the handler itself). */
  chain: ts.CallExpression[];
  /** A read checked by a caller on the record the helper returned: it counts as made at that call. */
  liftedTo?: { chain: ts.CallExpression[]; call: ts.CallExpression };
  /** The call, in the function being analysed, whose value is this read's record (returned up from a helper). */
  heldAt?: ts.CallExpression;
  /** What a fix edits instead of the call itself: the read that selected the record a write saves. */
  fixAt?: { db: AccessRecord['db']; chain: ts.CallExpression[]; helperName?: string };
}

export interface AccessContext {
  spec: RequestSpec;
  identity: IdentityFields;
  root: string;
  config?: Pick<Config, 'privateModels'>;
  /** The project's schema (and files): a fix that threads the principal into a helper checks the helper's other callers. */
  schema?: OwnerSchema;
  summaries?: FunctionSummaries;
  /** Request values compared with the principal and refused on mismatch (before the query): as good as the principal. */
  verified?: VerifiedValues;
}

/** Keys that select one record besides the primary key. */
const SELECTOR_KEY = /^(_?id|uuid|slug)$|[a-z0-9](Id|_id)$/;
/** Prisma/Mongo operators whose operands are all required (a conjunction). */
const CONJUNCTIONS = new Set(['AND', '$and']);
/** Prisma names compound unique inputs after their fields joined by `_`: `id_userId`. */
const COMPOUND_UNIQUE = /^[A-Za-z0-9]+(_[A-Za-z0-9]+)+$/;
/** Relation filters whose `id` is the owner: `where: { user: { id: me } }`. */
const OWNER_RELATIONS = new Set(['user', 'owner', 'author', 'creator', 'tenant', 'account']);

export function accessFacts(db: AnyDbCall, prov: Provenance, ctx: AccessContext, helperName?: string, chain: ts.CallExpression[] = []): AccessRecord {
  // A write of a record read earlier (`repo.save(todo)`, `todo.destroy()`) changes what the read selected.
  if (isRecordWrite(db)) {
    return recordWriteAccess(db, prov, {
      root: ctx.root,
      identity: ctx.identity,
      chain,
      helperName,
      publicContent: (read) => !!read.userRecord || readsArePublic(read.model, read.ownerField, ctx.config ?? { privateModels: [] }),
      accessOfRead: (read, p) => accessFacts(read, p, ctx, helperName, chain),
    });
  }
  const idField = db.model?.idField ?? (db.layer === 'mongoose' || db.layer === 'mongodb' ? '_id' : 'id');
  // A user account belongs to the user it describes: its own id (or username, email) is its owner.
  const userRecord = !db.model?.ownerField && !!db.model?.userRecord;
  const ownerField = db.model?.ownerField ?? (userRecord ? idField : undefined);
  const filter = filterShape(db, prov);

  let idOrigin: Origin | undefined;
  if (db.idArg) {
    const o = prov.origin(db.idArg);
    if (o.kind === 'request') idOrigin = o;
  }
  if (!idOrigin && filter && db.kind !== 'list' && db.kind !== 'create') idOrigin = selectorOrigin(filter, idField, ctx.identity, prov, userRecord);

  let scopedBy: DataAccess['scopedBy'];
  const verified = ctx.verified;
  const isVerified = verified ? (key: string) => verified.has(key, db.call) : undefined;
  if (userRecord) {
    if ((filter && bindsAccount(filter, idField, prov, isVerified)) || (db.idArg && idOrigin && isVerified?.(originKey(idOrigin)!))) scopedBy = 'query';
  } else if (filter && bindsOwner(filter, ownerField, ctx.identity, prov, isVerified)) scopedBy = 'query';
  // Sequelize: a required include of the parent the record belongs to, bound to the principal.
  if (!scopedBy && includesOf(db).some((inc) => { const s = prov.shape(inc.where); return !!s && bindsOwner(s, inc.ownerField, ctx.identity, prov, isVerified); })) scopedBy = 'query';
  // `favoritedBy: { connect: { id: me } }` on public content (an article) only links the caller to it: not a
  // change of its content; following a user (`followedBy: { connect: { id: me } }`) likewise. On private data,
  // linking oneself (joining someone's project) stays reported.
  const publicContent = userRecord || readsArePublic(db.model?.name ?? db.modelName, ownerField, ctx.config ?? { privateModels: [] });
  if (!scopedBy && publicContent && db.kind === 'update' && db.data.length && db.data.every((d) => onlyLinksPrincipal(d, prov))) scopedBy = 'query';
  let missingRefused = db.operation.endsWith('OrThrow');
  if (db.kind === 'read') {
    const check = recordCheck(db.call, ownerField, ctx.identity, prov);
    if (!scopedBy && check.ownerChecked) scopedBy = 'check';
    missingRefused ||= check.missingRefused || check.ownerChecked;
  }
  const fact: DataAccess = {
    layer: db.layer,
    model: db.model?.name ?? db.modelName,
    operation: db.operation,
    kind: db.kind,
    byRequestId: !!idOrigin,
    ...(idOrigin ? { idExpression: originText(idOrigin), idKey: originKey(idOrigin) } : {}),
    ...(ownerField ? { ownerField } : {}),
    ...(userRecord ? { userRecord } : {}),
    ...(scopedBy ? { scopedBy } : {}),
    loc: locOf(db.call, ctx.root),
    expression: snippet(db.call, 80),
  };
  return { fact, db, idKey: idOrigin && originKey(idOrigin), missingRefused, helperName, chain };
}

/**
 * An update or delete by a request id that follows, in the same function, a read of the same model by
 * the same id which the handler checked (or scoped and refused when missing) is covered by that check.
 */
export function inheritChecks(records: AccessRecord[]): void {
  for (const w of records) {
    if ((w.fact.kind !== 'update' && w.fact.kind !== 'delete') || !w.fact.byRequestId || w.fact.scopedBy || !w.idKey) continue;
    const guard = records.find(
      (r) =>
        r.fact.kind === 'read' &&
        r.idKey === w.idKey &&
        r.fact.model === w.fact.model &&
        precedes(r, w) &&
        (r.fact.scopedBy === 'check' || (r.fact.scopedBy === 'query' && r.missingRefused)),
    );
    if (guard) w.fact.scopedBy = 'check';
  }
}

/**
 * The read runs before the write, in the same function or in a function that goes on to call (after the
 * read) the one holding the write: `updateArticle()` checks the author, then calls `disconnectTags(slug)`.
 */
function precedes(r: AccessRecord, w: AccessRecord): boolean {
  const chain = r.liftedTo?.chain ?? r.chain;
  const at = r.liftedTo?.call ?? r.db.call;
  const depth = chain.length;
  if (w.chain.length < depth || chain.some((c, i) => w.chain[i] !== c)) return false;
  const later = w.chain[depth] ?? w.db.call;
  return at.getSourceFile() === later.getSourceFile() && at.getStart() < later.getStart();
}

/** Offers the fix for an owned, unscoped access that selects by a request id or lists everything. */
export function attachScopeFix(rec: AccessRecord, ctx: AccessContext): void {
  const { fact } = rec;
  const { db, chain, helperName } = rec.fixAt ?? rec;
  if (!fact.ownerField || fact.scopedBy || fact.kind === 'create' || !(fact.byRequestId || fact.kind === 'list')) return;
  const ownerField = fact.ownerField;
  const outcome = ((): FixOutcome => {
    // Adding `id: me` next to a client-chosen `id` would be a second value for one key: the choice of key is the user's.
    if (fact.userRecord) return { notFixableReason: `the record is a user account: select it by the authenticated user's id, or refuse unless ${fact.idExpression ?? 'the requested id'} is the caller's` };
    if (helperName) {
      const [call] = chain;
      const principal = call && principalAt(ctx.spec, call);
      if (chain.length === 1 && principal && ctx.schema && ctx.summaries) {
        return withSetup(threadPrincipal(call, db.call, ownerField, principal.text, ctx.schema, ctx.summaries, (param) => scopeFix(db, ownerField, param)), principal);
      }
      return {
        notFixableReason:
          chain.length > 1
            ? `the query is in ${helperName}(), ${chain.length} calls away from the handler; pass the authenticated user's id down to it and add ${ownerField} to the query there`
            : `the query is in ${helperName}(); pass it the authenticated user's id and add ${ownerField} to the query there`,
      };
    }
    const principal = principalAt(ctx.spec, db.call);
    if (!principal) return { notFixableReason: 'the authenticated user is not reachable where the query is made' };
    return withSetup(scopeFix(db, ownerField, principal.text), principal);
  })();
  if (outcome.fix) fact.fix = outcome.fix;
  else fact.notFixableReason = outcome.notFixableReason;
}

/** The request value that picks the record: the primary key first, then other selector-like keys. */
function selectorOrigin(filter: ObjectShape, idField: string, identity: IdentityFields, prov: Provenance, account = false): Origin | undefined {
  for (const e of filter.entries) {
    if (e.kind !== 'prop' || !COMPOUND_UNIQUE.test(e.key)) continue;
    const inner = prov.shape(e.value);
    const found = inner && !inner.whole ? selectorOrigin(inner, idField, identity, prov, account) : undefined;
    if (found) return found;
  }
  const candidates = filter.entries.filter(
    (e): e is Extract<typeof e, { kind: 'prop' }> => e.kind === 'prop' && e.origin.kind === 'request' && !identity.has(e.key),
  );
  const primary = candidates.find((e) => e.key === idField);
  return (primary ?? candidates.find((e) => SELECTOR_KEY.test(e.key) || (account && isAccountKey(e.key, idField))))?.origin;
}

/**
 * A user-account filter that picks the caller's own account: a key naming the account (`id`, `_id`, `username`,
 * `email`) bound to the principal, at the top or inside `AND`. Relation filters do not count: an account
 * related to the caller (`team: { ownerId: me }`) is still someone else's.
 */
function bindsAccount(filter: ObjectShape, idField: string, prov: Provenance, verified: (key: string) => boolean = () => false): boolean {
  return filter.entries.some((e) => {
    if (e.kind !== 'prop') return false;
    if (isAccountKey(e.key, idField)) return e.origin.kind === 'principal' || (e.origin.kind === 'request' && verified(originKey(e.origin)!)) || equalsPrincipal(e.value, prov);
    if (!CONJUNCTIONS.has(e.key)) return false;
    const v = unwrapValue(e.value);
    return (ts.isArrayLiteralExpression(v) ? [...v.elements] : [v]).some((p) => {
      const s = prov.shape(p);
      return !!s && bindsAccount(s, idField, prov, verified);
    });
  });
}

/** The filter requires the owner field (or, for unowned models, any identity field) to equal the principal. */
export function bindsOwner(
  filter: ObjectShape,
  ownerField: string | undefined,
  identity: IdentityFields,
  prov: Provenance,
  verified: (key: string) => boolean = () => false,
  depth = 0,
): boolean {
  const isPrincipal = (o: Origin) => o.kind === 'principal' || (o.kind === 'request' && verified(originKey(o)!));
  const isOwnerKey = (key: string) => (ownerField ? normalizeFieldName(key) === normalizeFieldName(ownerField) : identity.has(key));
  for (const e of filter.entries) {
    if (e.kind !== 'prop') continue;
    if (isOwnerKey(e.key) && (isPrincipal(e.origin) || equalsPrincipal(e.value, prov))) return true;
    const nested = () => prov.shape(e.value);
    // Prisma compound unique input: `where: { id_userId: { id, userId: me } }`.
    if (COMPOUND_UNIQUE.test(e.key)) {
      const s = nested();
      if (s && !s.whole && bindsOwner(s, ownerField, identity, prov, verified)) return true;
    }
    if (CONJUNCTIONS.has(e.key)) {
      const v = unwrapValue(e.value);
      const parts = ts.isArrayLiteralExpression(v) ? v.elements : [v];
      if (parts.some((p) => { const s = prov.shape(p); return !!s && bindsOwner(s, ownerField, identity, prov, verified); })) return true;
    } else if (OWNER_RELATIONS.has(normalizeFieldName(e.key)) || isOwnerKey(e.key)) {
      // `where: { user: { id: me } }`, or the owner relation itself: `{ owner: { id: me } }` (TypeORM).
      const s = nested();
      if (s?.entries.some((n) => n.kind === 'prop' && (n.key === 'id' || n.key === '_id') && isPrincipal(n.origin))) return true;
    } else if (depth < MAX_RELATION_DEPTH && !NOT_REQUIRED.has(e.key)) {
      // Ownership through a parent: `where: { id, project: { ownerId: me } }`, `members: { some: { userId: me } }`.
      const s = nested();
      if (s && !s.whole && bindsOwner(s, undefined, identity, prov, verified, depth + 1)) return true;
    }
  }
  return false;
}

/** How deep a relation filter is followed for an owner: `task → project → workspace`. */
const MAX_RELATION_DEPTH = 3;
/** Filter operators whose operand need not hold for the record to match. */
const NOT_REQUIRED = new Set(['OR', 'NOT', '$or', '$nor', '$not', 'none', 'every', 'not']);

/** `{ equals: me }` / `{ $eq: me }`. */
function equalsPrincipal(value: ts.Expression, prov: Provenance): boolean {
  const v = unwrap(value);
  if (!ts.isObjectLiteralExpression(v)) return false;
  const s = prov.shape(v);
  return !!s?.entries.some((n) => n.kind === 'prop' && (n.key === 'equals' || n.key === '$eq') && n.origin.kind === 'principal');
}

/** Prisma relation writes that connect or disconnect the principal and nothing else: `{ favoritedBy: { connect: { id: me } } }`. */
function onlyLinksPrincipal(data: ts.Expression, prov: Provenance): boolean {
  const shape = prov.shape(data);
  if (!shape || shape.whole || !shape.entries.length) return false;
  return shape.entries.every((e) => {
    if (e.kind !== 'prop') return false;
    const rel = prov.shape(e.value);
    if (!rel || rel.whole || !rel.entries.length) return false;
    return rel.entries.every((op) => {
      if (op.kind !== 'prop' || (op.key !== 'connect' && op.key !== 'disconnect')) return false;
      const target = prov.shape(op.value);
      return !!target && !target.whole && target.entries.length === 1 && target.entries.every((t) => t.kind === 'prop' && t.key === 'id' && t.origin.kind === 'principal');
    });
  });
}
