import type { ts } from 'ts-morph';
import type { DataAccess, DataLayer } from '../../model/facts.js';
import type { Resolver } from '../../syntax/resolve.js';
import type { OwnerModel, OwnerSchema } from '../schema/owner-schema.js';

/** A database call recognised in a handler, before provenance decides whether it is scoped. */
export interface DbCall {
  layer: DataLayer;
  call: ts.CallExpression;
  /** The model as the code names it: the Prisma accessor, the Mongoose model, the collection. */
  modelName: string;
  model?: OwnerModel;
  operation: string;
  kind: DataAccess['kind'];
  /** The selector: Prisma/Sequelize `where`, a Mongoose or MongoDB filter. */
  filter?: ts.Expression;
  /** An id passed positionally: `findById(id)`, `findByPk(id)`. */
  idArg?: ts.Expression;
  /** The values written: Prisma `data` (create and update of an upsert), a Mongoose update or document. */
  data: ts.Expression[];
}

export interface MatchContext {
  schema: OwnerSchema;
  resolver: Resolver;
}

/** Recognises one data layer's calls. */
export type DbCallMatcher = (call: ts.CallExpression, ctx: MatchContext) => DbCall | undefined;
