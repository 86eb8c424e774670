import { ts } from 'ts-morph';
import type { DataAccess, DataLayer } from '../../model/facts.js';
import type { Resolver } from '../../syntax/resolve.js';
import type { OwnerModel, OwnerSchema } from '../schema/owner-schema.js';

/** What runs a query: a call (`prisma.todo.findFirst(...)`, `pool.query(...)`) or a SQL client's tagged template (`sql\`SELECT ...\``). */
export type QueryNode = ts.CallExpression | ts.TaggedTemplateExpression;

/**
 * A database call recognised in a handler, before provenance decides whether it is scoped. Data layers
 * work on calls; only raw SQL also runs as a bare tagged template, so the layer-independent analysis
 * (provenance, record checks, fixes) takes an AnyDbCall and narrows with isCallDb before a layer's code.
 */
export interface DbCall<Q extends QueryNode = ts.CallExpression> {
  layer: DataLayer;
  call: Q;
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

export type AnyDbCall = DbCall<QueryNode>;

export function isCallDb(db: AnyDbCall): db is DbCall {
  return ts.isCallExpression(db.call);
}

export interface MatchContext {
  schema: OwnerSchema;
  resolver: Resolver;
}

/** Recognises one data layer's calls. */
export type DbCallMatcher = (call: ts.CallExpression, ctx: MatchContext) => DbCall | undefined;
