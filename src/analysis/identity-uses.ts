import { ts } from 'ts-morph';
import type { IdentityUse } from '../model/facts.js';
import type { Fix } from '../model/types.js';
import { locOf, snippet } from '../syntax/loc.js';
import { unwrap } from '../syntax/resolve.js';
import { refusal } from './branch-refusal.js';
import type { AnyDbCall, DbCall } from './data-access/db-call.js';
import { filterShape, writtenShapes } from './data-access/index.js';
import { appendProperty, objectText, propertyKey, replaceNode } from './fixes/edits.js';
import { removeDeadBinding } from './fixes/unused-binding.js';
import { normalizeFieldName, readsArePublic, type IdentityFields } from './identity-fields.js';
import type { Config } from '../model/config.js';
import { sourceText } from './origin-text.js';
import { originField, originKey, type ObjectShape, type Origin, type Provenance, type ShapeEntry } from './provenance.js';
import type { RequestSpec } from './request-spec.js';
import type { VerifiedValues } from './verified-values.js';
import { principalAt, withSetup } from './fixes/principal.js';
import { ownerValue } from './fixes/owner-value.js';

export interface IdentityContext {
  spec: RequestSpec;
  identity: IdentityFields;
  root: string;
  /** Request values the handler compared with the principal and refused on mismatch (`params:userId`), by position. */
  verified: VerifiedValues;
  config: Pick<Config, 'privateModels'>;
  /** The helper the code sits in, when not the handler itself. */
  helperName?: string;
}

/** Keys that hold an id (`userId`, `owner_id`, `ownerID`), as opposed to a name (`owner`, `author`). */
const ID_LIKE = /(id|Id|ID)$/;
/** The schema says the owner column holds the user's id (a relation or foreign key to the user), whatever its name. */
function ownerReferencesUser(model: DbCall['model']): boolean {
  return /relation|refs |references|belongsTo|@ManyToOne|@OneToOne/.test(model?.evidence ?? '');
}

/** Update operators whose operand holds the written fields (MongoDB/Mongoose). */
const UPDATE_OPERATORS = new Set(['$set', '$setOnInsert']);
/** Relation objects written through Prisma's `connect`: `user: { connect: { id } }`. */
const OWNER_RELATIONS = new Set(['user', 'owner', 'author', 'creator', 'tenant', 'account']);

type Prop = Extract<ShapeEntry, { kind: 'prop' }>;
type RequestOrigin = Extract<Origin, { kind: 'request' }>;

/** Identity fields a database call takes from the request: in its filter, in the values it writes, or by spreading the body. */
export function identityUsesOfCall(db: AnyDbCall, prov: Provenance, ctx: IdentityContext): IdentityUse[] {
  const uses: IdentityUse[] = [];
  const model = db.model?.name ?? db.modelName;
  const ownerField = db.model?.ownerField;
  const isIdentityKey = (key: string) => ctx.identity.has(key) || (!!ownerField && normalizeFieldName(key) === normalizeFieldName(ownerField));
  const flagged = (o: Origin): o is RequestOrigin => o.kind === 'request' && !ctx.verified.has(originKey(o)!, db.call);
  // The principal as the column stores it (`Number(...)` for a Drizzle integer owner column).
  const asStored = (key: string) => (principal: string) => ownerValue(principal, db.model, key);

  const filter = filterShape(db, prov);
  // A path segment that selects whose records to show in a read is a namespace, not an identity claim, when
  // it names the user rather than identifying them (`/:owner/:repo`, `where: { owner }`: a login), or when
  // the model's reads are public anyway (authored content). `/:userId/todos` on a private model stays reported.
  const privateReads = !!ownerField && !readsArePublic(model, ownerField, ctx.config);
  const namespace = (key: string, o: RequestOrigin) =>
    o.part === 'params' && (db.kind === 'read' || db.kind === 'list') && (!privateReads || (!ID_LIKE.test(key) && !ownerReferencesUser(db.model)));
  for (const e of filter?.entries ?? []) {
    if (e.kind === 'prop' && isIdentityKey(e.key) && flagged(e.origin) && !namespace(e.key, e.origin)) uses.push(propUse(e, e.origin, 'filter', model, ctx, prov, e.key, asStored(e.key)));
  }

  if (db.kind === 'create' || db.kind === 'update') {
    for (const { data, shape } of writtenShapes(db, prov, dataDocument)) {
      for (const e of writtenProps(shape, prov)) {
        if (isIdentityKey(e.key) && flagged(e.origin)) uses.push(propUse(e, e.origin, 'write', model, ctx, prov, e.key, asStored(e.key)));
        const connected = connectedId(e, prov);
        if (connected && OWNER_RELATIONS.has(normalizeFieldName(e.key)) && flagged(connected.origin)) {
          uses.push(propUse(connected, connected.origin, 'write', model, ctx, prov, e.key));
        }
      }
      if (ownerField) {
        const mass = massAssignment(data, shape, ownerField, flagged);
        if (mass) uses.push(massUse(mass, ownerField, model, ctx));
      }
    }
  }
  return uses;
}

/** `if (todo.ownerId !== req.body.userId)`: an authorisation decision taken on a client-supplied identity. */
export function decisionUses(cond: ts.Expression, prov: Provenance, ctx: IdentityContext): IdentityUse[] {
  const uses: IdentityUse[] = [];
  for (const cmp of comparisons(cond)) {
    for (const [mine, other] of [[cmp.left, cmp.right], [cmp.right, cmp.left]] as const) {
      const o = prov.origin(mine);
      if (o.kind !== 'request' || ctx.verified.has(originKey(o)!, cond)) continue;
      const field = originField(o) ?? (ts.isIdentifier(unwrap(mine)) ? (unwrap(mine) as ts.Identifier).text : undefined);
      if (!ctx.identity.has(field)) continue;
      // Compared with the principal: a check, not a decision (a field of the caller's own record is not the caller).
      const against = prov.origin(other);
      if (against.kind === 'principal' && !against.fromRecord) continue;
      if (isConstant(other) || isTypeofOf(mine)) continue; // a presence or shape test, not an identity comparison
      uses.push({
        field: field!,
        source: o.part,
        sink: 'decision',
        loc: locOf(mine, ctx.root),
        expression: snippet(mine),
        sourceExpression: sourceText(o),
        notFixableReason: 'compare the record with the authenticated user instead; the intended check cannot be inferred',
      });
    }
  }
  return uses;
}

/**
 * Request values the handler verifies: `if (req.params.userId !== req.user.id) return res.sendStatus(403)`
 * (alone or next to a role check) makes later uses of `req.params.userId` legitimate.
 */
export function verifiedBy(ifStatement: ts.IfStatement, prov: Provenance): string[] {
  if (!refusal(ifStatement.thenStatement, 'client-error')) return [];
  const keys: string[] = [];
  for (const cmp of comparisons(ifStatement.expression)) {
    if (cmp.operatorToken.kind !== ts.SyntaxKind.ExclamationEqualsEqualsToken && cmp.operatorToken.kind !== ts.SyntaxKind.ExclamationEqualsToken) continue;
    const [l, r] = [prov.origin(cmp.left), prov.origin(cmp.right)];
    if (l.kind === 'request' && r.kind === 'principal') keys.push(originKey(l)!);
    if (r.kind === 'request' && l.kind === 'principal') keys.push(originKey(r)!);
  }
  return keys;
}

function isConstant(n: ts.Node): boolean {
  const e = unwrap(n);
  return (
    ts.isLiteralExpression(e) ||
    ts.isNoSubstitutionTemplateLiteral(e) ||
    e.kind === ts.SyntaxKind.NullKeyword ||
    e.kind === ts.SyntaxKind.TrueKeyword ||
    e.kind === ts.SyntaxKind.FalseKeyword ||
    (ts.isIdentifier(e) && e.text === 'undefined') ||
    ts.isTypeOfExpression(e)
  );
}

function isTypeofOf(n: ts.Node): boolean {
  return ts.isTypeOfExpression(unwrap(n));
}

/** Equality comparisons anywhere in a condition, through `&&`, `||`, `!` and parentheses. */
function comparisons(cond: ts.Expression): ts.BinaryExpression[] {
  const out: ts.BinaryExpression[] = [];
  const visit = (n: ts.Node): void => {
    const e = unwrap(n);
    if (ts.isBinaryExpression(e)) {
      const op = e.operatorToken.kind;
      if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken) {
        visit(e.left);
        visit(e.right);
      } else if (
        op === ts.SyntaxKind.EqualsEqualsEqualsToken ||
        op === ts.SyntaxKind.ExclamationEqualsEqualsToken ||
        op === ts.SyntaxKind.EqualsEqualsToken ||
        op === ts.SyntaxKind.ExclamationEqualsToken
      ) {
        out.push(e);
      }
    } else if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) visit(e.operand);
  };
  visit(cond);
  return out;
}

/** A MongoDB-style update writes what is inside `$set`; a Prisma/Sequelize one writes the object itself. */
function dataDocument(data: ts.Expression): ts.Expression {
  const d = unwrap(data);
  return ts.isArrayLiteralExpression(d) && d.elements[0] ? d.elements[0] : data;
}

function writtenProps(shape: ObjectShape, prov: Provenance): Prop[] {
  const out: Prop[] = [];
  for (const e of shape.entries) {
    if (e.kind !== 'prop') continue;
    if (UPDATE_OPERATORS.has(e.key)) {
      const inner = prov.shape(e.value);
      if (inner) out.push(...writtenProps(inner, prov));
    } else out.push(e);
  }
  return out;
}

/** `user: { connect: { id: req.body.userId } }`: the id entry. */
function connectedId(e: Prop, prov: Provenance): Prop | undefined {
  const rel = prov.shape(e.value);
  const connect = rel?.entries.find((n): n is Prop => n.kind === 'prop' && n.key === 'connect');
  const target = connect && prov.shape(connect.value);
  return target?.entries.find((n): n is Prop => n.kind === 'prop' && (n.key === 'id' || n.key === '_id'));
}

type Mass = { whole: ts.Expression; origin: RequestOrigin } | { spread: ShapeEntry & { kind: 'spread' }; literal?: ts.ObjectLiteralExpression; origin: RequestOrigin };

/**
 * The request body (or part of it) lands whole in an owned model's data, so the client can set the owner:
 * `data: req.body`, `{ ...req.body }` with no owner set after it, `Todo.create(req.body)`.
 */
function massAssignment(data: ts.Expression, shape: ObjectShape, ownerField: string, flagged: (o: Origin) => o is RequestOrigin): Mass | undefined {
  const owner = normalizeFieldName(ownerField);
  // A rest that left the owner out, or a validation schema that does not let it through.
  const removesOwner = (o: RequestOrigin) =>
    !!o.excludes?.some((k) => normalizeFieldName(k) === owner) || (!!o.allowedKeys && !o.allowedKeys.some((k) => normalizeFieldName(k) === owner));
  if (shape.whole) return flagged(shape.whole) && !removesOwner(shape.whole) ? { whole: data, origin: shape.whole } : undefined;
  let found: Mass | undefined;
  for (const e of shape.entries) {
    if (e.kind === 'spread' && flagged(e.origin) && !removesOwner(e.origin)) found = { spread: e, literal: shape.literal, origin: e.origin };
    // An owner set after the spread overrides whatever the client sent.
    else if (e.kind === 'prop' && normalizeFieldName(e.key) === normalizeFieldName(ownerField)) found = undefined;
  }
  return found;
}

function propUse(
  e: Prop,
  origin: RequestOrigin,
  sink: 'write' | 'filter',
  model: string,
  ctx: IdentityContext,
  prov: Provenance,
  field = e.key,
  stored = (principal: string) => principal,
): IdentityUse {
  // In a helper, the handler's argument is where the client's value enters, and where it can be replaced.
  const argument = ctx.helperName ? prov.boundArgument(e.value) : undefined;
  const use: IdentityUse = {
    field,
    source: origin.part,
    sink,
    model,
    loc: locOf(argument ?? e.node, ctx.root),
    expression: snippet(argument ?? e.value),
    sourceExpression: sourceText(origin),
  };
  const argPrincipal = argument && prov.origin(argument).kind === 'request' ? principalAt(ctx.spec, argument) : undefined;
  const principal = !ctx.helperName ? principalAt(ctx.spec, e.node) : undefined;
  if (argument && argPrincipal) {
    const fix = { description: `pass the authenticated user's id as ${field}`, edits: [replaceNode(argument, argPrincipal.text)] };
    use.fix = withSetup({ fix }, argPrincipal).fix;
  } else if (principal) {
    const sf = e.node.getSourceFile();
    const value = stored(principal.text);
    const edit = ts.isShorthandPropertyAssignment(e.node) ? replaceNode(e.node, `${propertyKey(e.key, sf)}: ${value}`) : replaceNode(e.value, value);
    const dead = removeDeadBinding(e.value, e.node);
    use.fix = withSetup({ fix: { description: `take ${field} from the authenticated user`, edits: dead ? [edit, dead] : [edit] } }, principal).fix;
  } else {
    use.notFixableReason = ctx.helperName
      ? `the value is set in ${ctx.helperName}(); pass it the authenticated user's id instead`
      : 'the authenticated user is not reachable here';
  }
  return use;
}

function massUse(mass: Mass, ownerField: string, model: string, ctx: IdentityContext): IdentityUse {
  const node = 'whole' in mass ? mass.whole : mass.spread.node;
  const use: IdentityUse = {
    field: ownerField,
    source: mass.origin.part,
    sink: 'mass-assignment',
    model,
    loc: locOf(node, ctx.root),
    expression: snippet(node),
    sourceExpression: sourceText(mass.origin),
  };
  const principal = !ctx.helperName ? principalAt(ctx.spec, node) : undefined;
  const sf = node.getSourceFile();
  const owner = principal && `${propertyKey(ownerField, sf)}: ${principal.text}`;
  let fix: Fix | undefined;
  const description = `set ${ownerField} from the authenticated user after the request's fields`;
  if (owner && 'whole' in mass) fix = { description, edits: [replaceNode(mass.whole, objectText([`...${unwrap(mass.whole).getText()}`, owner]))] };
  else if (owner && 'spread' in mass && mass.literal) fix = { description, edits: [appendProperty(mass.literal, owner)] };
  if (fix && principal) use.fix = withSetup({ fix }, principal).fix;
  else use.notFixableReason = ctx.helperName ? `the object is built in ${ctx.helperName}()` : 'the object cannot be extended in place';
  return use;
}

