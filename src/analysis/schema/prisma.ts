import type { IdentityFields } from '../identity-fields.js';
import type { OwnerModel } from './owner-schema.js';

interface PrismaField {
  name: string;
  type: string;
  isList: boolean;
  attributes: string;
}

/** Models named like the user entity: a relation to one of them marks the owner. */
const USER_MODELS = /^(user|users|account|member|profile)$/i;

/**
 * Parses the `model X { ... }` blocks of a schema.prisma file. Prisma's grammar is line-based and
 * simple enough that a small reader beats pulling in the Prisma engines.
 */
export function parsePrismaSchema(text: string, identity: IdentityFields, file: string): OwnerModel[] {
  const models: OwnerModel[] = [];
  const source = text.replace(/\/\/.*$/gm, '');
  const blockPattern = /^\s*model\s+(\w+)\s*\{([\s\S]*?)^\s*\}/gm;
  for (let m = blockPattern.exec(source); m; m = blockPattern.exec(source)) {
    const [, name, body] = m;
    const fields: PrismaField[] = [];
    let mapped: string | undefined;
    let compositeId: string | undefined;
    for (const raw of body.split('\n')) {
      const line = raw.trim();
      if (!line) continue;
      if (line.startsWith('@@')) {
        mapped ??= /^@@map\(\s*(?:name:\s*)?"([^"]+)"/.exec(line)?.[1];
        compositeId ??= /^@@id\(\s*(?:fields:\s*)?\[\s*(\w+)/.exec(line)?.[1];
        continue;
      }
      const f = /^(\w+)\s+(\w+)(\[\])?\??\s*(.*)$/.exec(line);
      if (f) fields.push({ name: f[1], type: f[2], isList: !!f[3], attributes: f[4] });
    }
    const idField = fields.find((f) => /@id\b/.test(f.attributes))?.name ?? compositeId ?? 'id';
    const owner = USER_MODELS.test(name) ? undefined : ownerOf(fields, identity);
    models.push({
      name,
      layer: 'prisma',
      idField,
      ownerField: owner?.field,
      evidence: owner && `${file}: ${owner.why}`,
      aliases: mapped ? [mapped] : [],
    });
  }
  return models;
}

function ownerOf(fields: PrismaField[], identity: IdentityFields): { field: string; why: string } | undefined {
  // A relation to the user model names its foreign key: `owner User @relation(fields: [ownerId], references: [id])`.
  for (const f of fields) {
    if (f.isList || !USER_MODELS.test(f.type)) continue;
    const fk = /@relation\([^)]*fields:\s*\[\s*(\w+)/.exec(f.attributes)?.[1];
    if (fk) return { field: fk, why: `relation \`${f.name}\` to ${f.type}` };
  }
  const scalars = fields.filter((f) => !f.isList && identity.has(f.name));
  scalars.sort((a, b) => identity.rank(a.name) - identity.rank(b.name));
  return scalars[0] && { field: scalars[0].name, why: `identity field \`${scalars[0].name}\`` };
}
