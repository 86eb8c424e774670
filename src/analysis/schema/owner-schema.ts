import { sourceSetOf, type SourceSet } from '../../discover/project-files.js';
import type { ts } from 'ts-morph';
import type { DataLayer } from '../../model/facts.js';

/** What the analysis knows about one model: its primary key and, if the model is owned, the owner column. */
export interface OwnerModel {
  /** The model's declared name: `Todo`, or a MongoDB collection name. */
  name: string;
  layer: DataLayer;
  idField: string;
  /** Column that binds a record to its owner; absent when the model is not owned (shared data). */
  ownerField?: string;
  /** The owner field is a relation to the user (`owner: User`), matched as `{ owner: { id } }`, not a scalar column. */
  ownerRelation?: boolean;
  /** The owner column holds numbers, not strings (Drizzle `integer`, `serial`, `int`): fixes convert the principal's id. */
  ownerType?: 'number' | 'bigint';
  /** Where the owner field was learnt, for explanations: `schema.prisma: relation to User`. */
  evidence?: string;
  /** Other names the code uses for the model: Prisma `@@map`, Mongoose/Sequelize collection and table names. */
  aliases: string[];
  /**
   * Models the record belongs to through a foreign key of its own (Sequelize `Todo.belongsTo(Project)`, the
   * association an include from the record follows): an include of such a parent, bound to the principal,
   * scopes the record.
   */
  parents?: ParentAssociation[];
  /**
   * The user account itself (`User`, `users`): unowned, but each record belongs to the user it describes, so
   * changing it by a client-chosen id, username or email is an IDOR. See user-model.ts.
   */
  userRecord?: boolean;
}

/** `Todo.belongsTo(Project, { as: 'project', foreignKey: 'projectId' })`, seen from the Todo. */
export interface ParentAssociation {
  model: string;
  /** The record's column pointing at the parent. */
  foreignKey: string;
  /** The association's alias, which an include must name to use it. */
  as?: string;
}

/**
 * Models by name, case-insensitively (so the Prisma accessor `todo` finds `model Todo`), also by
 * collection or table name (so `db.collection('todos')` finds a Mongoose `Todo`).
 */
export class OwnerSchema {
  private readonly byName = new Map<string, OwnerModel[]>();

  /**
   * @param sources the project's files the schema was learnt from, kept for project-wide questions of the
   * analysis (how many places call a function a fix would change).
   */
  constructor(
    readonly models: OwnerModel[] = [],
    readonly sources: SourceSet = sourceSetOf([]),
  ) {
    for (const m of models) {
      for (const key of new Set([m.name, ...m.aliases].map((k) => k.toLowerCase()))) {
        const list = this.byName.get(key) ?? [];
        list.push(m);
        this.byName.set(key, list);
      }
    }
  }

  /** The model called `name`; with a layer, a model of that layer wins over a same-named one of another. */
  get(name: string, layer?: DataLayer): OwnerModel | undefined {
    const list = this.byName.get(name.toLowerCase());
    if (!list) return undefined;
    const exact = list.filter((m) => m.name.toLowerCase() === name.toLowerCase());
    const pool = exact.length ? exact : list;
    return (layer && pool.find((m) => m.layer === layer)) ?? pool[0];
  }
}

/** Mongoose and Sequelize derive collection/table names by pluralising: `Todo` → `todos`, `Category` → `categories`. */
export function pluralize(name: string): string {
  const lower = name.toLowerCase();
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  return `${lower}s`;
}
