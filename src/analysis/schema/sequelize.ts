import { ts } from 'ts-morph';
import type { IdentityFields } from '../identity-fields.js';
import { calleeText, forEachCallLike, objectLiteralOf, propertyKeys, propertyValue, stringArg } from './ast.js';
import { pluralize, type OwnerModel } from './owner-schema.js';

const USER_MODEL = /^(user|users|account)$/i;

interface Draft {
  model: OwnerModel;
  /** Names the code uses for the model class or variable, for `Todo.belongsTo(User)`. */
  handles: Set<string>;
  attributeOwner?: string;
}

/**
 * Sequelize models: `sequelize.define('Todo', attrs, opts)`, `class Todo extends Model {}; Todo.init(attrs, { sequelize })`,
 * the owner foreign key of `Todo.belongsTo(User, { foreignKey })` (default `UserId`), and the parents each model
 * belongs to (`Todo.belongsTo(Project)`): includes can only follow associations declared on the queried model.
 */
export function collectSequelizeModels(files: Iterable<ts.SourceFile>, identity: IdentityFields): OwnerModel[] {
  const sources = [...files];
  const drafts: Draft[] = [];
  const add = (name: string, attrs: ts.ObjectLiteralExpression, opts: ts.ObjectLiteralExpression | undefined, handle?: string) => {
    const owners = propertyKeys(attrs).filter((k) => identity.has(k));
    owners.sort((a, b) => identity.rank(a) - identity.rank(b));
    const tableName = opts && propertyValue(opts, 'tableName');
    const aliases = [pluralize(name)];
    if (tableName && ts.isStringLiteralLike(tableName)) aliases.push(tableName.text);
    drafts.push({
      model: { name, layer: 'sequelize', idField: 'id', aliases },
      handles: new Set([name, ...(handle ? [handle] : [])].map((h) => h.toLowerCase())),
      attributeOwner: owners[0],
    });
  };
  for (const sf of sources) {
    forEachCallLike(sf, (call) => {
      if (!ts.isCallExpression(call)) return;
      const name = calleeText(call);
      if (name === 'define') {
        const modelName = stringArg(call, 0);
        const attrs = objectLiteralOf(call.arguments[1]);
        if (!modelName || !attrs) return;
        const holder = ts.isVariableDeclaration(call.parent) && ts.isIdentifier(call.parent.name) ? call.parent.name.text : undefined;
        add(modelName, attrs, objectLiteralOf(call.arguments[2]), holder);
      } else if (name === 'init' && ts.isPropertyAccessExpression(call.expression) && ts.isIdentifier(call.expression.expression)) {
        const attrs = objectLiteralOf(call.arguments[0]);
        const opts = objectLiteralOf(call.arguments[1]);
        // `sequelize` in the options is what makes this Model.init and not some other init().
        if (!attrs || !opts || !propertyValue(opts, 'sequelize')) return;
        const modelNameOption = propertyValue(opts, 'modelName');
        const className = call.expression.expression.text;
        const modelName = modelNameOption && ts.isStringLiteralLike(modelNameOption) ? modelNameOption.text : className;
        add(modelName, attrs, opts, className);
      }
    });
  }
  const draftOf = (handle: string) => drafts.find((d) => d.handles.has(handle.toLowerCase()));
  for (const sf of sources) {
    forEachCallLike(sf, (call) => {
      if (!ts.isCallExpression(call) || calleeText(call) !== 'belongsTo') return;
      if (!ts.isPropertyAccessExpression(call.expression) || !ts.isIdentifier(call.expression.expression)) return;
      const target = call.arguments[0];
      const draft = draftOf(call.expression.expression.text);
      if (!target || !ts.isIdentifier(target) || !draft) return;
      // Sequelize names the foreign key after the alias (or the target) and its primary key: `ownerId`, `UserId`.
      const as = aliasOf(call.arguments[1]);
      const foreignKey = foreignKeyOf(call.arguments[1]) ?? `${as ?? target.text}Id`;
      const parent = draftOf(target.text);
      if (parent) (draft.model.parents ??= []).push({ model: parent.model.name, foreignKey, ...(as ? { as } : {}) });
      if (!USER_MODEL.test(target.text)) return;
      // Several associations with the user (`owner`, `assignee`): an identity column (`ownerId`) is the owner.
      if (draft.model.ownerField && (!identity.has(foreignKey) || identity.has(draft.model.ownerField))) return;
      draft.model.ownerField = foreignKey;
      draft.model.evidence = `${sf.fileName}: belongsTo(${target.text})`;
    });
  }
  for (const d of drafts) {
    if (!d.model.ownerField && d.attributeOwner) {
      d.model.ownerField = d.attributeOwner;
      d.model.evidence = `identity attribute \`${d.attributeOwner}\``;
    }
  }
  return drafts.map((d) => d.model);
}

/** `{ as: 'project' }`. */
function aliasOf(options: ts.Expression | undefined): string | undefined {
  const opts = objectLiteralOf(options);
  const as = opts && propertyValue(opts, 'as');
  return as && ts.isStringLiteralLike(as) ? as.text : undefined;
}

/** `{ foreignKey: 'ownerId' }` or `{ foreignKey: { name: 'ownerId' } }`. */
function foreignKeyOf(options: ts.Expression | undefined): string | undefined {
  const opts = objectLiteralOf(options);
  const fk = opts && propertyValue(opts, 'foreignKey');
  if (!fk) return undefined;
  if (ts.isStringLiteralLike(fk)) return fk.text;
  const obj = objectLiteralOf(fk);
  const name = obj && propertyValue(obj, 'name');
  return name && ts.isStringLiteralLike(name) ? name.text : undefined;
}
