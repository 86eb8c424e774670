import { ts } from 'ts-morph';
import { propertyNameText, unwrap } from '../../syntax/resolve.js';
import type { IdentityFields } from '../identity-fields.js';
import { objectLiteralOf, propertyValue } from './ast.js';
import type { OwnerModel } from './owner-schema.js';

const USER_ENTITY = /^(user|users|account|member|profile)(entity)?$/i;
const PRIMARY = /^(PrimaryGeneratedColumn|PrimaryColumn|ObjectIdColumn)$/;

/**
 * TypeORM entities: classes decorated with `@Entity()` (table name from its argument). The owner is a
 * `@ManyToOne(() => User)` relation, named by its `@JoinColumn({ name })` or an explicit foreign-key
 * column, else the relation itself (`where: { user: { id } }`); failing that, an identity column.
 */
export function collectTypeormEntities(files: Iterable<ts.SourceFile>, identity: IdentityFields): OwnerModel[] {
  const models: OwnerModel[] = [];
  for (const sf of files) {
    if (!sf.text.includes('@Entity')) continue;
    const visit = (n: ts.Node): void => {
      if (ts.isClassDeclaration(n) && n.name) {
        const entity = decorator(n, 'Entity');
        if (entity) models.push(entityModel(n, entity, identity, sf.fileName));
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return models;
}

function entityModel(cls: ts.ClassDeclaration, entity: ts.Decorator, identity: IdentityFields, file: string): OwnerModel {
  const name = cls.name!.text;
  const aliases: string[] = [];
  const arg = ts.isCallExpression(entity.expression) ? entity.expression.arguments[0] : undefined;
  if (arg && ts.isStringLiteralLike(arg)) aliases.push(arg.text);
  const options = objectLiteralOf(arg);
  const tableName = options && propertyValue(options, 'name');
  if (tableName && ts.isStringLiteralLike(tableName)) aliases.push(tableName.text);
  if (name.endsWith('Entity')) aliases.push(name.slice(0, -'Entity'.length));

  const props = cls.members.filter((m): m is ts.PropertyDeclaration => ts.isPropertyDeclaration(m) && !!m.name && propertyNameText(m.name) !== undefined);
  const key = (p: ts.PropertyDeclaration) => propertyNameText(p.name)!;
  const idField = props.find((p) => PRIMARY_DECORATOR(p))?.name;
  const owner = USER_ENTITY.test(name) ? undefined : ownerOf(props, key, identity);
  return {
    name,
    layer: 'typeorm',
    idField: idField ? propertyNameText(idField)! : 'id',
    ownerField: owner?.field,
    ...(owner?.relation ? { ownerRelation: true } : {}),
    evidence: owner && `${file}: ${owner.why}`,
    aliases,
  };
}

function PRIMARY_DECORATOR(p: ts.PropertyDeclaration): boolean {
  return (ts.getDecorators(p) ?? []).some((d) => PRIMARY.test(decoratorName(d) ?? ''));
}

function ownerOf(
  props: ts.PropertyDeclaration[],
  key: (p: ts.PropertyDeclaration) => string,
  identity: IdentityFields,
): { field: string; why: string; relation?: boolean } | undefined {
  for (const p of props) {
    const relation = decorator(p, 'ManyToOne') ?? decorator(p, 'OneToOne');
    if (!relation || !ts.isCallExpression(relation.expression)) continue;
    const target = relationTarget(relation.expression.arguments[0]);
    if (!target || !USER_ENTITY.test(target)) continue;
    const join = decorator(p, 'JoinColumn');
    const joinOptions = join && ts.isCallExpression(join.expression) ? objectLiteralOf(join.expression.arguments[0]) : undefined;
    const joinName = joinOptions && propertyValue(joinOptions, 'name');
    const fkColumn = props.find((q) => key(q) === `${key(p)}Id` && decorator(q, 'Column'));
    const field = fkColumn ? key(fkColumn) : joinName && ts.isStringLiteralLike(joinName) && props.some((q) => key(q) === joinName.text) ? joinName.text : key(p);
    return { field, why: `@ManyToOne(() => ${target}) \`${key(p)}\``, relation: field === key(p) };
  }
  const columns = props.filter((p) => decorator(p, 'Column') && identity.has(key(p))).map(key);
  columns.sort((a, b) => identity.rank(a) - identity.rank(b));
  return columns[0] ? { field: columns[0], why: `identity column \`${columns[0]}\`` } : undefined;
}

/** `() => User`, `(type) => User`, `'User'`. */
function relationTarget(arg: ts.Expression | undefined): string | undefined {
  if (!arg) return undefined;
  const e = unwrap(arg);
  if (ts.isStringLiteralLike(e)) return e.text;
  if (ts.isArrowFunction(e) && !ts.isBlock(e.body)) {
    const body = unwrap(e.body);
    return ts.isIdentifier(body) ? body.text : undefined;
  }
  return undefined;
}

function decorator(node: ts.Node, name: string): ts.Decorator | undefined {
  return (ts.canHaveDecorators(node) ? (ts.getDecorators(node) ?? []) : []).find((d) => decoratorName(d) === name);
}

function decoratorName(d: ts.Decorator): string | undefined {
  const e = ts.isCallExpression(d.expression) ? d.expression.expression : d.expression;
  return ts.isIdentifier(e) ? e.text : ts.isPropertyAccessExpression(e) ? e.name.text : undefined;
}
