import { normalizeFieldName } from '../identity-fields.js';
import type { OwnerModel } from './owner-schema.js';

/**
 * The model of the user accounts themselves: the one other models' owner fields point at (every schema
 * collector recognises it by these names), whether or not any model points at it yet.
 */
const USER_MODEL = /^users?(entity|model)?$/i;

/** Keys that pick one account besides its primary key. */
const ACCOUNT_KEYS = new Set(['username', 'email', 'login', 'handle']);

/**
 * Marks the user model as owned by itself. Only a model with no owner field of its own: a `User` that
 * belongs to a tenant (`tenantId`) is scoped by that field like any other owned model.
 */
export function markUserModels(models: OwnerModel[]): OwnerModel[] {
  return models.map((m) => (!m.ownerField && [m.name, ...m.aliases].some((n) => USER_MODEL.test(n)) ? { ...m, userRecord: true } : m));
}

/** Whether a filter key picks one account of the user model: its id, `username`, `email`. */
export function isAccountKey(key: string, idField: string): boolean {
  const k = normalizeFieldName(key);
  return k === normalizeFieldName(idField) || k === 'id' || ACCOUNT_KEYS.has(k);
}
