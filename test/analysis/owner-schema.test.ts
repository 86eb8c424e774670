import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IdentityFields } from '../../src/analysis/identity-fields.js';
import { parsePrismaSchema } from '../../src/analysis/schema/prisma.js';
import { defaultConfig } from '../../src/model/config.js';
import { FixtureProject, repoRoot } from './harness.js';

const fixture = (name: string) => new FixtureProject(path.join(repoRoot, 'fixtures/express', name));
const summary = (p: FixtureProject) => p.schema.models.map((m) => `${m.layer}:${m.name} id=${m.idField} owner=${m.ownerField ?? '-'}`);

describe('loadOwnerSchema', () => {
  it('reads Prisma models: the owner from a relation to User, unowned models stay unowned', () => {
    const p = fixture('prisma-owner-scoping');
    expect(summary(p)).toEqual(['prisma:User id=id owner=-', 'prisma:Todo id=id owner=userId', 'prisma:Tag id=id owner=-']);
    // Case-insensitive, so the client accessor finds the model.
    expect(p.schema.get('todo')?.name).toBe('Todo');
  });

  it('reads a Mongoose schema field that refs User, and answers for the collection name', () => {
    const p = fixture('mongoose-owner-scoping');
    expect(summary(p)).toEqual(['mongoose:Todo id=_id owner=owner']);
    expect(p.schema.get('todos')?.ownerField).toBe('owner');
  });

  it('reads Sequelize define() and the foreign key of belongsTo(User)', () => {
    expect(summary(fixture('sequelize-owner-scoping'))).toEqual([
      'sequelize:User id=id owner=-',
      'sequelize:Project id=id owner=ownerId',
      'sequelize:Label id=id owner=ownerId',
      // belongsTo(User) twice: the identity column ownerId is the owner, not assigneeId
      'sequelize:Todo id=id owner=ownerId',
    ]);
  });

  it('learns a MongoDB collection owner from the documents the project inserts', () => {
    expect(summary(fixture('mongodb-driver-owner-scoping'))).toEqual(['mongodb:todos id=_id owner=userId']);
  });
});

describe('parsePrismaSchema', () => {
  const identity = new IdentityFields({ ...defaultConfig(), ownerFields: ['workspaceId'] });
  const parse = (text: string) => parsePrismaSchema(text, identity, 'schema.prisma').map((m) => [m.name, m.ownerField, m.idField, m.aliases]);

  it('prefers the relation to User over other identity fields, and keeps @@map as an alias', () => {
    const text = `
model Post {
  postId    Int    @id @default(autoincrement())
  tenantId  String
  writer    User   @relation("written", fields: [writerRef], references: [id])
  writerRef String // the author
  @@map("posts")
}`;
    expect(parse(text)).toEqual([['Post', 'writerRef', 'postId', ['posts']]]);
  });

  it('falls back to identity names in preference order, configured owner fields included', () => {
    expect(parse('model A {\n  id String @id\n  tenantId String\n  authorId String\n}')).toEqual([['A', 'authorId', 'id', []]]);
    expect(parse('model B {\n  id String @id\n  workspaceId String\n}')).toEqual([['B', 'workspaceId', 'id', []]]);
    expect(parse('model C {\n  id String @id\n  users User[]\n}')).toEqual([['C', undefined, 'id', []]]);
  });
});
