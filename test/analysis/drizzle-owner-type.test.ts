// The type of a Drizzle owner column, for fixes that compare it with the principal's id: numbers for
// integer/int/serial and bigint in number mode (sqlite, pg, mysql), bigints for bigint columns in bigint
// mode, nothing for text columns and for integers in other modes.
import { Project } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { IdentityFields } from '../../src/analysis/identity-fields.js';
import { collectDrizzleTables } from '../../src/analysis/schema/drizzle.js';
import { ownerValue } from '../../src/analysis/fixes/owner-value.js';
import { defaultConfig } from '../../src/model/config.js';

function ownerTypes(text: string) {
  const sf = new Project({ useInMemoryFileSystem: true }).createSourceFile('schema.ts', text).compilerNode;
  return collectDrizzleTables([sf], new IdentityFields(defaultConfig())).map((m) => `${m.name}.${m.ownerField ?? '-'}:${m.ownerType ?? 'as-is'}`);
}

describe('Drizzle owner column types', () => {
  it('sqlite, pg and mysql builders', () => {
    const text = `
import { integer as sqliteInt, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { pgTable, serial, integer, bigint, uuid } from 'drizzle-orm/pg-core';
import { mysqlTable, int } from 'drizzle-orm/mysql-core';
export const users = pgTable('users', { id: serial('id').primaryKey() });
export const a = sqliteTable('a', { id: text('id'), userId: sqliteInt('user_id').notNull().references(() => users.id) });
export const b = pgTable('b', { id: serial('id'), ownerId: integer('owner_id').references(() => users.id) });
export const c = mysqlTable('c', { id: int('id'), userId: int('user_id') });
export const d = pgTable('d', (t) => ({ id: t.serial(), userId: t.bigint({ mode: 'number' }).references(() => users.id) }));
export const e = pgTable('e', { id: serial('id'), userId: bigint('user_id', { mode: 'bigint' }).references(() => users.id) });
export const f = pgTable('f', { id: serial('id'), userId: uuid('user_id').references(() => users.id) });
export const g = sqliteTable('g', { id: text('id'), createdBy: sqliteInt('created_by', { mode: 'timestamp' }) });
`;
    expect(ownerTypes(text)).toEqual([
      'users.-:as-is',
      'a.userId:number',
      'b.ownerId:number',
      'c.userId:number',
      'd.userId:number',
      'e.userId:bigint',
      'f.userId:as-is',
      'g.createdBy:as-is',
    ]);
  });

  it('converts the principal only for the owner column', () => {
    const model = { ownerField: 'userId', ownerType: 'number' as const };
    expect(ownerValue('req.user!.id', model)).toBe('Number(req.user!.id)');
    expect(ownerValue('req.user!.id', model, 'tenantId')).toBe('req.user!.id');
    expect(ownerValue('user.id', { ownerField: 'userId', ownerType: 'bigint' })).toBe('BigInt(user.id)');
    expect(ownerValue('user.id', { ownerField: 'userId' })).toBe('user.id');
  });
});
