import type { Evidence, Fix, SourceLoc } from './types.js';

/** Where a request-derived value came from. */
export type RequestPart = 'body' | 'query' | 'params' | 'headers' | 'cookies' | 'request';

/** An identity field (userId, ownerId, ...) whose value the client controls, reaching a sink. */
export interface IdentityUse {
  field: string;
  source: RequestPart;
  /** write: create/update data; filter: a query's where; decision: an if/comparison; mass-assignment: ...req.body into an owned model. */
  sink: 'write' | 'filter' | 'decision' | 'mass-assignment';
  /** The model written or queried, when known. */
  model?: string;
  loc: SourceLoc;
  /** Source text of the offending value, for messages. */
  expression: string;
  /** Source text of the request read the value comes from (`req.body`, `req.get('x-user-id')`), for messages. */
  sourceExpression?: string;
  fix?: Fix;
  notFixableReason?: string;
}

export type DataLayer = 'prisma' | 'mongoose' | 'sequelize' | 'mongodb' | 'typeorm' | 'drizzle' | 'knex' | 'kysely' | 'sql';

/** A database call made while handling the route. */
export interface DataAccess {
  layer: DataLayer;
  model?: string;
  /** The method called: findUnique, findById, update, ... */
  operation: string;
  kind: 'read' | 'list' | 'update' | 'delete' | 'create';
  /** The record is selected by a request-derived id. */
  byRequestId: boolean;
  /** Where that id came from (`req.params.id`). */
  idExpression?: string;
  /** The same, as a provenance key (`params:id`): matched against parameters a route guard ties to the caller. */
  idKey?: string;
  /** The model's owner field, if the model is owned (from schema or config); for a user account, its id. */
  ownerField?: string;
  /** The record is a user account, owned by the user it describes: only changes of it need the principal. */
  userRecord?: boolean;
  /** How the access is bound to the principal, if it is. */
  scopedBy?: 'query' | 'check' | 'role';
  /** For a record written back (`repo.save(todo)`), where it was read: one hole, reported once, at the write. */
  readLoc?: SourceLoc;
  loc: SourceLoc;
  expression: string;
  fix?: Fix;
  notFixableReason?: string;
}

/** Evidence that the handler itself refuses unauthenticated requests. */
export interface InlineAuth {
  evidence: string;
  loc: SourceLoc;
  /** The check's verdict also passes callers without credentials when this holds (`isPublic`): records open by design. */
  admits?: string;
  /** The handler sends the caller to the login page on a helper's verdict (in a sign-in step: back to the flow's start). */
  redirectsOnVerdict?: boolean;
  /** The check is of a credential read off the request (a header, a cookie), not of a signed-in caller or a session helper. */
  ofCredential?: boolean;
}

/** Everything the rules need to know about one handler; plain data. */
export interface HandlerFacts {
  identityUses: IdentityUse[];
  dataAccesses: DataAccess[];
  inlineAuth?: InlineAuth;
  /**
   * What the handler does that tells whether its route is meant to be open (reads the principal, issues a
   * token, renders a page, ...); computed only for routes no guard protects.
   */
  signals?: Evidence[];
}
