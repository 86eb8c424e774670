import type { Config } from '../model/config.js';

/** Field names that identify the acting user or the tenant a record belongs to, in order of preference. */
export const BUILTIN_IDENTITY_FIELDS = [
  'userId',
  'user_id',
  'ownerId',
  'owner_id',
  'owner',
  'authorId',
  'author_id',
  'createdBy',
  'createdById',
  'created_by',
  'tenantId',
  'tenant_id',
  'accountId',
  'account_id',
] as const;

/** Header-style and case variants compare equal: `x-user-id`, `USER_ID` and `userId` are one field. */
export function normalizeFieldName(name: string): string {
  return name
    .toLowerCase()
    .replace(/^x-/, '')
    .replace(/[-_\s]/g, '');
}

/** The identity field names in force: built-ins plus the configured owner fields. */
export class IdentityFields {
  private readonly normalized: Set<string>;
  readonly names: string[];

  constructor(config: Pick<Config, 'ownerFields'>, extra: string[] = []) {
    this.names = [...new Set([...BUILTIN_IDENTITY_FIELDS, ...config.ownerFields, ...extra])];
    this.normalized = new Set(this.names.map(normalizeFieldName));
  }

  has(name: string | undefined): boolean {
    return name !== undefined && this.normalized.has(normalizeFieldName(name));
  }

  /** Position in the preference order (lower is a better owner-field candidate); -1 if not an identity field. */
  rank(name: string): number {
    const n = normalizeFieldName(name);
    return this.names.findIndex((f) => normalizeFieldName(f) === n);
  }
}

/** Owner fields that name who wrote a record (`authorId`, `createdBy`), not whose private data it is. */
const AUTHOR_FIELDS = new Set(['author', 'authorid', 'creator', 'creatorid', 'createdby', 'createdbyid', 'postedby', 'postedbyid', 'publisher', 'publisherid']);

export function isAuthorField(name: string | undefined): boolean {
  return name !== undefined && AUTHOR_FIELDS.has(normalizeFieldName(name));
}

/**
 * Whether anyone signed in may read a model's records: ownership is about who may change a record, unless
 * the record is private data. Authored content (articles, comments, posts: an `authorId` owner) is written
 * to be read by others, so reads are public by design and only writes need the owner; `privateModels` in
 * the config says otherwise for a model. A model owned by `userId`/`ownerId`/`owner` is private.
 */
export function readsArePublic(model: string | undefined, ownerField: string | undefined, config: Pick<Config, 'privateModels'>): boolean {
  if (!isAuthorField(ownerField)) return false;
  const m = model?.toLowerCase();
  return !config.privateModels.some((p) => p.toLowerCase() === m);
}
