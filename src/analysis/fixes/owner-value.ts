import type { OwnerModel } from '../schema/owner-schema.js';

/**
 * The principal's id as the owner column stores it. Principal ids are commonly strings (Better Auth,
 * `req.user.id: string`), while a Drizzle `integer`/`serial` owner column compares with numbers only:
 * `eq(todos.userId, Number(req.user!.id))` type-checks whatever the id's declared type (a non-numeric id
 * becomes NaN and matches no row). Other fields, and owner columns of text, take the principal as it is.
 */
export function ownerValue(principal: string, model: Pick<OwnerModel, 'ownerField' | 'ownerType'> | undefined, field = model?.ownerField): string {
  if (!model?.ownerType || field !== model.ownerField) return principal;
  return model.ownerType === 'bigint' ? `BigInt(${principal})` : `Number(${principal})`;
}
