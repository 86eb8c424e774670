import { ts } from 'ts-morph';
import { snippet } from '../../syntax/loc.js';
import { unwrap } from '../../syntax/resolve.js';
import { findDeclaration, type Declaration } from '../../syntax/scope.js';
import { isRefusingResponse, refusal } from '../branch-refusal.js';
import type { IdentityFields } from '../identity-fields.js';
import { normalizeFieldName } from '../identity-fields.js';
import { unwrapValue, type Provenance } from '../provenance.js';
import type { QueryNode } from './db-call.js';

/** What the handler does with a fetched record right after fetching it. */
export interface RecordCheck {
  /** The record's owner is compared with the principal and the handler refuses on mismatch, before any use. */
  ownerChecked: boolean;
  /** The handler refuses when the record is missing (`if (!todo) return 404`), before any use. */
  missingRefused: boolean;
  evidence?: string;
  /** The variable holding the record, when the result is kept. */
  variable?: ts.VariableDeclaration;
}

/** Relation objects whose `.id` is the owner: `todo.user.id`. */
const OWNER_RELATIONS = new Set(['user', 'owner', 'author', 'creator', 'tenant', 'account', 'createdby']);
/** Calls that write, so a check after them comes too late. */
const WRITE_CALL = /^(update|delete|destroy|remove|create|insert|save|upsert|replace|findByIdAnd|findOneAnd)/;
const CHAIN_METHODS = new Set(['exec', 'lean', 'populate', 'select', 'orFail']);

/**
 * Looks at the statements after `const todo = await <call>` in the same block: a check such as
 * `if (!todo || todo.userId !== req.user.id) return res.status(404)...` counts only when it refuses,
 * and only when nothing used the record or wrote to the database before it.
 */
export function recordCheck(call: QueryNode, ownerField: string | undefined, identity: IdentityFields, prov: Provenance): RecordCheck {
  const none: RecordCheck = { ownerChecked: false, missingRefused: false };
  const variable = holdingVariable(call);
  if (!variable) return none;
  // `const [row] = await db.select()...` (Drizzle, raw SQL rows): the first element is the record.
  const first = ts.isArrayBindingPattern(variable.name) ? variable.name.elements[0] : undefined;
  const holder: ts.VariableDeclaration | ts.BindingElement | undefined = ts.isIdentifier(variable.name)
    ? variable
    : first && ts.isBindingElement(first) && !first.dotDotDotToken && ts.isIdentifier(first.name) ? first : undefined;
  if (!holder || !ts.isIdentifier(holder.name)) return none;
  const statement = variable.parent.parent;
  const block = statement.parent;
  if (!ts.isVariableStatement(statement) || !(ts.isBlock(block) || ts.isSourceFile(block) || ts.isCaseClause(block))) return { ...none, variable };
  const name = holder.name.text;
  const result: RecordCheck = { ...none, variable };
  const isOwnerRead = (e: ts.Node) => readsRecordOwner(e, name, holder, ownerField, identity);
  for (const st of block.statements.slice(block.statements.indexOf(statement) + 1)) {
    if (ts.isIfStatement(st)) {
      // `if (todo.userId === me) { ... } else return 403`, or a then-branch that always returns followed by a refusal.
      if (conditionRequiresMatch(st.expression, isOwnerRead, prov) && refusesOtherwise(st, block.statements)) {
        return { ...result, ownerChecked: true, evidence: snippet(st.expression, 80) };
      }
      const refuses = refusal(st.thenStatement, 'client-error');
      if (refuses && conditionHasMismatch(st.expression, isOwnerRead, prov)) {
        return { ...result, ownerChecked: true, evidence: snippet(st.expression, 80) };
      }
      if (refuses && isMissingCheck(st.expression, name, holder)) {
        result.missingRefused = true;
        continue;
      }
    }
    const delegated = delegatedCheck(st, holder, ownerField, identity, prov);
    if (delegated) return { ...result, ownerChecked: true, evidence: delegated };
    if (refersTo(st, name, holder) || writes(st)) return result;
  }
  return result;
}

/**
 * `assertOwner(todo, req.user.id)` / `await ensureOwnership(todo, user)`: a project helper that receives
 * the record and refuses (throws, or returns a refusal) when its owner is not the principal. One level deep.
 */
function delegatedCheck(st: ts.Statement, variable: ts.VariableDeclaration | ts.BindingElement, ownerField: string | undefined, identity: IdentityFields, prov: Provenance): string | undefined {
  if (!ts.isExpressionStatement(st)) return undefined;
  const call = unwrapValue(st.expression);
  if (!ts.isCallExpression(call)) return undefined;
  const name = (variable.name as ts.Identifier).text;
  // The record itself (`assertOwner(todo, me)`), or its owner (`checkOwner(me, article.authorId)`).
  const recordIndex = call.arguments.findIndex((a) => {
    const u = unwrapValue(a);
    return ts.isIdentifier(u) && findDeclaration(u.text, u) === variable;
  });
  const ownerIndexes = call.arguments.flatMap((a, i) => (readsRecordOwner(a, name, variable, ownerField, identity) ? [i] : []));
  if (recordIndex < 0 && !ownerIndexes.length) return undefined;
  const helper = prov.calledFunction(call);
  const inner = helper && prov.forHelper(helper, call);
  if (!helper?.body || !inner) return undefined;
  const recordParam = recordIndex >= 0 ? helper.parameters[recordIndex] : undefined;
  const ownerParams = new Set<ts.Node>(ownerIndexes.map((i) => helper.parameters[i]).filter((p): p is ts.ParameterDeclaration => !!p && ts.isIdentifier(p.name)));
  const isOwnerRead = (e: ts.Node): boolean => {
    if (recordParam && ts.isIdentifier(recordParam.name) && readsRecordOwner(e, recordParam.name.text, recordParam, ownerField, identity)) return true;
    const u = unwrapValue(e);
    return ts.isIdentifier(u) && ownerParams.has(findDeclaration(u.text, u) as ts.Node);
  };
  let found: string | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isIfStatement(n) && refusal(n.thenStatement, 'client-error') && conditionHasMismatch(n.expression, isOwnerRead, inner)) {
      found = `${snippet(call.expression)}(): ${snippet(n.expression, 60)}`;
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(helper.body);
  return found;
}

/** The `const x` an awaited call (possibly chained: `.lean()`, `.exec()`) is assigned to. */
export function holdingVariable(call: QueryNode): ts.VariableDeclaration | undefined {
  let top: ts.Node = call;
  for (;;) {
    const p = top.parent;
    if (ts.isAwaitExpression(p) || ts.isParenthesizedExpression(p) || ts.isAsExpression(p) || ts.isNonNullExpression(p)) top = p;
    else if (ts.isPropertyAccessExpression(p) && CHAIN_METHODS.has(p.name.text) && ts.isCallExpression(p.parent) && p.parent.expression === p) top = p.parent;
    else break;
  }
  const decl = top.parent;
  return ts.isVariableDeclaration(decl) && decl.initializer === top ? decl : undefined;
}

/** `a || b || (c)`: each alternative on its own refuses, so any of them may carry the owner comparison. */
function conditionHasMismatch(cond: ts.Expression, isOwnerRead: (e: ts.Node) => boolean, prov: Provenance): boolean {
  const e = unwrap(cond);
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.BarBarToken) {
    return conditionHasMismatch(e.left, isOwnerRead, prov) || conditionHasMismatch(e.right, isOwnerRead, prov);
  }
  if (ts.isBinaryExpression(e) && (e.operatorToken.kind === ts.SyntaxKind.ExclamationEqualsEqualsToken || e.operatorToken.kind === ts.SyntaxKind.ExclamationEqualsToken)) {
    return (isOwnerRead(e.left) && prov.origin(e.right).kind === 'principal') || (isOwnerRead(e.right) && prov.origin(e.left).kind === 'principal');
  }
  // `!todo.owner.equals(req.user.id)` (Mongoose ObjectId).
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) {
    const inner = unwrap(e.operand);
    if (ts.isCallExpression(inner) && ts.isPropertyAccessExpression(inner.expression) && inner.expression.name.text === 'equals' && inner.arguments[0]) {
      return isOwnerRead(inner.expression.expression) && prov.origin(inner.arguments[0]).kind === 'principal';
    }
  }
  return false;
}

/** `todo.userId === me`, alone or as one operand of `&&` (the then-branch runs only when it holds). */
function conditionRequiresMatch(cond: ts.Expression, isOwnerRead: (e: ts.Node) => boolean, prov: Provenance): boolean {
  const e = unwrap(cond);
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken) {
    return conditionRequiresMatch(e.left, isOwnerRead, prov) || conditionRequiresMatch(e.right, isOwnerRead, prov);
  }
  if (ts.isBinaryExpression(e) && (e.operatorToken.kind === ts.SyntaxKind.EqualsEqualsEqualsToken || e.operatorToken.kind === ts.SyntaxKind.EqualsEqualsToken)) {
    return (isOwnerRead(e.left) && prov.origin(e.right).kind === 'principal') || (isOwnerRead(e.right) && prov.origin(e.left).kind === 'principal');
  }
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'equals' && e.arguments[0]) {
    return isOwnerRead(e.expression.expression) && prov.origin(e.arguments[0]).kind === 'principal';
  }
  return false;
}

/** The else-branch refuses, or (no else) the then-branch always returns and the next statement refuses. */
function refusesOtherwise(st: ts.IfStatement, statements: readonly ts.Statement[]): boolean {
  const isLast = statements[statements.length - 1] === st;
  if (st.elseStatement) {
    if (refusal(st.elseStatement, 'client-error')) return true;
    // `else { res.status(404).json(...) }` as the last statement: the response is the end of the handler.
    const last = ts.isBlock(st.elseStatement) ? st.elseStatement.statements[st.elseStatement.statements.length - 1] : st.elseStatement;
    return isLast && !!last && ts.isExpressionStatement(last) && isRefusingResponse(last.expression, 'client-error');
  }
  const then = st.thenStatement;
  const last = ts.isBlock(then) ? then.statements[then.statements.length - 1] : then;
  if (!last || !(ts.isReturnStatement(last) || ts.isThrowStatement(last))) return false;
  const next = statements[statements.indexOf(st) + 1];
  return !!next && !!refusal(next, 'client-error');
}

/** `todo.userId`, `todo.owner.toString()`, `String(todo.owner)`, `todo.user.id`, `todo?.ownerId`. */
function readsRecordOwner(expr: ts.Node, name: string, decl: Declaration, ownerField: string | undefined, identity: IdentityFields): boolean {
  let e = unwrapValue(expr);
  if (ts.isCallExpression(e)) {
    const callee = unwrap(e.expression);
    if (ts.isIdentifier(callee) && callee.text === 'String' && e.arguments[0]) e = unwrapValue(e.arguments[0]);
    else if (ts.isPropertyAccessExpression(callee) && (callee.name.text === 'toString' || callee.name.text === 'toHexString')) e = unwrapValue(callee.expression);
  }
  const path: string[] = [];
  while (ts.isPropertyAccessExpression(e)) {
    path.unshift(e.name.text);
    e = unwrapValue(e.expression);
  }
  if (!ts.isIdentifier(e) || e.text !== name || findDeclaration(name, e) !== decl || path.length === 0) return false;
  const first = path[0];
  if (ownerField && normalizeFieldName(first) === normalizeFieldName(ownerField)) return true;
  if (identity.has(first)) return true;
  return OWNER_RELATIONS.has(normalizeFieldName(first)) && path.length === 2 && (path[1] === 'id' || path[1] === '_id');
}

/** `!todo`, `todo == null`, `todo === null`, `todo === undefined`, possibly inside an `||`. */
function isMissingCheck(cond: ts.Expression, name: string, decl: Declaration): boolean {
  const e = unwrap(cond);
  const isVar = (n: ts.Node) => {
    const u = unwrap(n);
    return ts.isIdentifier(u) && u.text === name && findDeclaration(name, u) === decl;
  };
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) return isVar(e.operand);
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    if (op === ts.SyntaxKind.BarBarToken) return isMissingCheck(e.left, name, decl) && isMissingCheck(e.right, name, decl);
    const nullish = (n: ts.Node) => n.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(n) && n.text === 'undefined');
    if (op === ts.SyntaxKind.EqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsEqualsToken) {
      return (isVar(e.left) && nullish(unwrap(e.right))) || (isVar(e.right) && nullish(unwrap(e.left)));
    }
  }
  return false;
}

function refersTo(node: ts.Node, name: string, decl: Declaration): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(n) && n.text === name && findDeclaration(name, n) === decl) {
      found = true;
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

function writes(node: ts.Node): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(n)) {
      const c = unwrap(n.expression);
      if (ts.isPropertyAccessExpression(c) && WRITE_CALL.test(c.name.text)) {
        found = true;
        return;
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}
