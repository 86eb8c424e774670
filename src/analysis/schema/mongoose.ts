import { ts } from 'ts-morph';
import { findDeclaration } from '../../syntax/scope.js';
import { propertyNameText, unwrap } from '../../syntax/resolve.js';
import type { IdentityFields } from '../identity-fields.js';
import { calleeText, forEachCallLike, objectLiteralOf, propertyKeys, propertyValue, stringArg } from './ast.js';
import { pluralize, type OwnerModel } from './owner-schema.js';

const USER_REF = /^(user|users|account)$/i;

/** `new Schema({...})` / `new mongoose.Schema<T>({...})`. */
function isSchemaConstruction(n: ts.Node): n is ts.NewExpression {
  return ts.isNewExpression(n) && calleeText(n) === 'Schema';
}

/** Mongoose models: `model('Todo', todoSchema)` / `mongoose.model('Todo', new Schema({...}), 'todo_items')`. */
export function collectMongooseModels(files: Iterable<ts.SourceFile>, identity: IdentityFields): OwnerModel[] {
  const sources = [...files];
  // Schemas by variable name, for a model() call in another file than its schema.
  const schemasByName = new Map<string, ts.NewExpression>();
  for (const sf of sources) {
    forEachCallLike(sf, (n) => {
      if (isSchemaConstruction(n) && ts.isVariableDeclaration(n.parent) && ts.isIdentifier(n.parent.name)) {
        schemasByName.set(n.parent.name.text, n);
      }
    });
  }
  const models: OwnerModel[] = [];
  for (const sf of sources) {
    forEachCallLike(sf, (call) => {
      if (!ts.isCallExpression(call) || calleeText(call) !== 'model') return;
      const name = stringArg(call, 0);
      if (!name || call.arguments.length < 2) return;
      const schema = schemaOf(call.arguments[1], schemasByName);
      const fields = schema && objectLiteralOf(schema.arguments?.[0]);
      const owner = fields && ownerOf(fields, identity);
      const options = schema && objectLiteralOf(schema.arguments?.[1]);
      const collectionOption = options && propertyValue(options, 'collection');
      const aliases = [pluralize(name)];
      const explicit = stringArg(call, 2) ?? (collectionOption && ts.isStringLiteralLike(collectionOption) ? collectionOption.text : undefined);
      if (explicit) aliases.push(explicit);
      models.push({
        name,
        layer: 'mongoose',
        idField: '_id',
        ownerField: owner?.field,
        evidence: owner && `${sf.fileName}: ${owner.why}`,
        aliases,
      });
    });
  }
  return models;
}

function schemaOf(arg: ts.Expression, byName: Map<string, ts.NewExpression>): ts.NewExpression | undefined {
  const e = unwrap(arg);
  if (isSchemaConstruction(e)) return e;
  if (!ts.isIdentifier(e)) return undefined;
  const decl = findDeclaration(e.text, e);
  if (decl && ts.isVariableDeclaration(decl) && decl.initializer && isSchemaConstruction(unwrap(decl.initializer))) {
    return unwrap(decl.initializer) as ts.NewExpression;
  }
  // Imported schema: match by the exported name.
  const imported = decl && ts.isImportSpecifier(decl) ? (decl.propertyName ?? decl.name).text : e.text;
  return byName.get(imported);
}

function ownerOf(fields: ts.ObjectLiteralExpression, identity: IdentityFields): { field: string; why: string } | undefined {
  // `owner: { type: Schema.Types.ObjectId, ref: 'User' }` is the strongest evidence.
  for (const p of fields.properties) {
    if (!ts.isPropertyAssignment(p)) continue;
    const def = objectLiteralOf(p.initializer);
    const ref = def && propertyValue(def, 'ref');
    if (ref && ts.isStringLiteralLike(ref) && USER_REF.test(ref.text)) {
      const key = propertyNameText(p.name);
      if (key !== undefined) return { field: key, why: `\`${key}\` refs ${ref.text}` };
    }
  }
  const keys = propertyKeys(fields).filter((k) => identity.has(k));
  keys.sort((a, b) => identity.rank(a) - identity.rank(b));
  return keys[0] ? { field: keys[0], why: `identity field \`${keys[0]}\`` } : undefined;
}
