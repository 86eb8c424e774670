import { ts } from 'ts-morph';
import { findDeclaration } from '../../syntax/scope.js';
import { unwrap } from '../../syntax/resolve.js';
import type { IdentityFields } from '../identity-fields.js';
import { calleeText, forEachCallLike, objectLiteralOf, propertyKeys, stringArg } from './ast.js';
import type { OwnerModel } from './owner-schema.js';

/** `db.collection('todos')` directly, or through a variable that holds it. */
export function collectionNameOf(expr: ts.Expression): string | undefined {
  const e = unwrap(expr);
  if (ts.isCallExpression(e) && calleeText(e) === 'collection') return stringArg(e, 0);
  if (ts.isIdentifier(e)) {
    const decl = findDeclaration(e.text, e);
    if (decl && ts.isVariableDeclaration(decl) && decl.initializer) return collectionNameOf(decl.initializer as ts.Expression);
  }
  if (ts.isAwaitExpression(e)) return collectionNameOf(e.expression);
  return undefined;
}

/**
 * MongoDB driver collections have no schema; the documents the project inserts are the next best
 * thing: an identity field in an `insertOne`/`insertMany` document makes it the collection's owner field.
 */
export function collectMongoCollections(files: Iterable<ts.SourceFile>, identity: IdentityFields): OwnerModel[] {
  const byName = new Map<string, OwnerModel>();
  for (const sf of files) {
    forEachCallLike(sf, (call) => {
      if (!ts.isCallExpression(call)) return;
      const name = calleeText(call);
      if (name === 'collection') {
        const collection = stringArg(call, 0);
        if (collection && !byName.has(collection)) byName.set(collection, { name: collection, layer: 'mongodb', idField: '_id', aliases: [] });
        return;
      }
      if ((name !== 'insertOne' && name !== 'insertMany') || !ts.isPropertyAccessExpression(call.expression)) return;
      const collection = collectionNameOf(call.expression.expression);
      if (!collection) return;
      let doc = call.arguments[0] && unwrap(call.arguments[0]);
      if (doc && ts.isArrayLiteralExpression(doc)) doc = doc.elements[0];
      const obj = objectLiteralOf(doc);
      if (!obj) return;
      const owners = propertyKeys(obj).filter((k) => identity.has(k));
      owners.sort((a, b) => identity.rank(a) - identity.rank(b));
      const model = byName.get(collection) ?? { name: collection, layer: 'mongodb' as const, idField: '_id', aliases: [] };
      if (owners[0] && !model.ownerField) {
        model.ownerField = owners[0];
        model.evidence = `${sf.fileName}: documents inserted with \`${owners[0]}\``;
      }
      byName.set(collection, model);
    });
  }
  return [...byName.values()];
}
