import { ts } from 'ts-morph';
import type { Fix } from '../../model/types.js';
import { isFunctionNode, type FunctionNode } from '../../syntax/functions.js';
import type { FunctionSummaries } from '../function-summary.js';
import type { OwnerSchema } from '../schema/owner-schema.js';
import { insertAt } from './edits.js';
import type { FixOutcome } from './scope-fix.js';

/**
 * A query in a function the handler calls directly (a service method, a repository function) cannot
 * reach the principal. When the function is called from this one place only, the fix threads the
 * principal's id through a new last parameter and scopes the query with it:
 * `get(id: string)` → `get(id: string, userId: string)`, `todoService.get(req.params.id)` →
 * `todoService.get(req.params.id, req.user!.id)`. Anything less clear-cut says why it is left alone.
 */
export function threadPrincipal(
  call: ts.CallExpression,
  query: ts.Node,
  ownerField: string,
  principal: string,
  schema: OwnerSchema,
  summaries: FunctionSummaries,
  scope: (param: string) => FixOutcome,
): FixOutcome {
  const fn = enclosingFunction(query);
  const name = fn && functionName(fn);
  if (!fn || !name) return { notFixableReason: 'the query is in a nested function; pass it the authenticated user\'s id and add the owner to the query there' };
  if (fn.parameters.some((p) => p.dotDotDotToken || p.questionToken || p.initializer) || call.arguments.length !== fn.parameters.length) {
    return { notFixableReason: `${name}() has optional or rest parameters; add a parameter for the authenticated user's id and ${ownerField} to the query there` };
  }
  if (call.arguments.some(ts.isSpreadElement)) return { notFixableReason: `${name}() is called with a spread; pass it the authenticated user's id and add ${ownerField} to the query there` };
  const callers = summaries.possibleCallers(fn, name, schema.sources);
  if (callers !== 1) {
    return { notFixableReason: `${name}() is called from ${callers} places (or cannot be told apart from calls of other functions named ${name}); give it a parameter for the authenticated user's id, pass it from each caller, and add ${ownerField} to the query` };
  }
  // The parameter holds an id: `userId` stays, a relation owner `author` becomes `authorId`.
  const idName = /(id|Id|ID)$/.test(ownerField) ? ownerField : `${ownerField}Id`;
  const param = unusedName(fn, [idName, 'currentUserId', 'principalId']);
  if (!param) return { notFixableReason: `no free parameter name in ${name}()` };
  const scoped = scope(param);
  if (!scoped.fix) return scoped;
  const fnFile = fn.getSourceFile();
  const typed = /\.[cm]?tsx?$/.test(fnFile.fileName) ? `${param}: string` : param;
  const last = fn.parameters[fn.parameters.length - 1];
  const paramEdit = last ? insertAt(fnFile, last.getEnd(), `, ${typed}`) : insertAt(fnFile, fn.parameters.pos, typed);
  const lastArg = call.arguments[call.arguments.length - 1];
  const argEdit = lastArg ? insertAt(call.getSourceFile(), lastArg.getEnd(), `, ${principal}`) : insertAt(call.getSourceFile(), call.arguments.pos, principal);
  const fix: Fix = {
    description: `pass the authenticated user's id to ${name}() and ${scoped.fix.description}`,
    edits: [paramEdit, argEdit, ...scoped.fix.edits],
  };
  return { fix };
}

function enclosingFunction(n: ts.Node): FunctionNode | undefined {
  for (let cur = n.parent; cur; cur = cur.parent) if (isFunctionNode(cur)) return cur;
  return undefined;
}

function functionName(fn: FunctionNode): string | undefined {
  if (fn.name && ts.isIdentifier(fn.name)) return fn.name.text;
  const holder = fn.parent;
  if (ts.isVariableDeclaration(holder) && ts.isIdentifier(holder.name)) return holder.name.text;
  if (ts.isPropertyAssignment(holder) && ts.isIdentifier(holder.name)) return holder.name.text;
  if (ts.isPropertyDeclaration(holder) && ts.isIdentifier(holder.name)) return holder.name.text;
  return undefined;
}

function unusedName(fn: FunctionNode, candidates: string[]): string | undefined {
  const used = new Set<string>();
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n)) used.add(n.text);
    ts.forEachChild(n, visit);
  };
  visit(fn);
  return candidates.find((c) => !used.has(c));
}
