import fs from 'node:fs';
import path from 'node:path';
import type { ts } from 'ts-morph';
import type { ProjectFiles } from '../../discover/project-files.js';
import { globSync } from 'tinyglobby';
import type { Config } from '../../model/config.js';
import { IdentityFields } from '../identity-fields.js';
import { collectDrizzleTables } from './drizzle.js';
import { collectMongoCollections } from './mongodb.js';
import { collectMongooseModels } from './mongoose.js';
import { OwnerSchema, type OwnerModel } from './owner-schema.js';
import { parsePrismaSchema } from './prisma.js';
import { collectSequelizeModels } from './sequelize.js';
import { collectSqlTables } from './sql-tables.js';
import { collectTypeormEntities } from './typeorm.js';
import { markUserModels } from './user-model.js';

/**
 * Learns which models are owned, and by which field, from every schema the project declares:
 * `*.prisma` files under root, SQL migrations (`*.sql`, Knex and Kysely `createTable`), Mongoose schemas and models, Sequelize definitions, and the documents
 * inserted into MongoDB collections. The names in config.ownerFields count as identity fields too.
 */
export function loadOwnerSchema(files: ProjectFiles, root: string, config: Config): OwnerSchema {
  const identity = new IdentityFields(config);
  const models: OwnerModel[] = [];
  // One walk of the tree for both kinds of schema files.
  const schemaFiles = globSync(['**/*.prisma', '**/*.sql'], { cwd: root, absolute: true, ignore: ['**/node_modules/**', '**/.git/**', '**/dist/**'] }).sort();
  const sqlFiles: { file: string; text: string }[] = [];
  for (const file of schemaFiles) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue; // unreadable schema: its models are simply unknown
    }
    const rel = path.relative(root, file).split(path.sep).join('/');
    if (file.endsWith('.sql')) sqlFiles.push({ file: rel, text });
    else models.push(...parsePrismaSchema(text, identity, rel));
  }
  // A collector runs only when some file mentions its package (an import, a require): most projects use one
  // data layer. It reads only the files holding the calls it looks for (parsing on demand in a slice scan).
  const uses = (pkg: string) => files.anyMentions(pkg);
  if (uses('mongoose')) models.push(...collectMongooseModels(files.mentioning('Schema', 'model'), identity));
  if (uses('sequelize')) models.push(...collectSequelizeModels(files.mentioning('define', 'init', 'belongsTo'), identity));
  if (uses('drizzle-orm')) models.push(...collectDrizzleTables(files.mentioning('drizzle-orm'), identity));
  if (uses('@Entity')) models.push(...collectTypeormEntities(files.mentioning('@Entity'), identity));
  if (sqlFiles.length || uses('createTable')) models.push(...collectSqlTables(sqlFiles, [...files.mentioning('createTable')], identity));
  // A collection already described by a Mongoose model (or Prisma @@map) keeps that model's owner field.
  const known = new OwnerSchema(models);
  for (const c of uses('mongodb') || uses('mongoose') ? collectMongoCollections(files.mentioning('collection'), identity) : []) {
    const described = known.get(c.name);
    if (!described || (!described.ownerField && c.ownerField)) models.push(c);
  }
  return new OwnerSchema(markUserModels(models), files);
}
