import { ts } from 'ts-morph';
import type { Config } from '../model/config.js';
import type { HandlerFacts, IdentityUse } from '../model/facts.js';
import { returnedExpressions, type FunctionNode } from '../syntax/functions.js';
import { findDeclaration } from '../syntax/scope.js';
import { holdingVariable, recordCheck } from './data-access/record-check.js';
import type { Resolver } from '../syntax/resolve.js';
import { accessFacts, attachScopeFix, inheritChecks, type AccessRecord } from './data-access/access-facts.js';
import type { QueryNode } from './data-access/db-call.js';
import { IdentityFields } from './identity-fields.js';
import { decisionUses, identityUsesOfCall, verifiedBy } from './identity-uses.js';
import { findInlineAuth } from './inline-auth.js';
import { handlerSignals } from './handler-signals.js';
import { FunctionSummaries } from './function-summary.js';
import { originSources } from './origin-sources.js';
import { originKey, Provenance, unwrapValue, type OriginSource } from './provenance.js';
import { VerifiedValues } from './verified-values.js';
import type { RequestSpec } from './request-spec.js';
import type { OwnerSchema } from './schema/owner-schema.js';

export interface HandlerAnalysisContext {
  resolver: Resolver;
  schema: OwnerSchema;
  config: Config;
  /** Scan root: locations are relative to it. */
  root: string;
}

/** How deep the analysis follows project functions from a handler (handler → service → repository → ...). */
const MAX_CALL_DEPTH = 4;

/** Summaries live as long as the scan's schema: one per project, shared by every handler. */
const summariesOf = new WeakMap<OwnerSchema, FunctionSummaries>();
/** Origin sources (request-scoped stores, records read for the principal, ...) likewise: built once per scan. */
const sourcesOf = new WeakMap<OwnerSchema, OriginSource[]>();

/**
 * The facts the rules need about one handler: identity fields taken from the request, database
 * accesses and how (or whether) they are bound to the principal, and inline authentication.
 * Project functions the handler calls are followed with their parameters bound to the caller's
 * arguments: direct callees always, deeper ones (services, repositories, helpers in other files, up to
 * MAX_CALL_DEPTH) when their summary says they reach the database. A function called twice with
 * differently-sourced arguments is analysed once per distinct argument signature.
 */
export function analyzeHandler(fn: FunctionNode, spec: RequestSpec, ctx: HandlerAnalysisContext, opts: { signals?: boolean } = {}): HandlerFacts {
  const ownerFields = ctx.schema.models.map((m) => m.ownerField).filter((f): f is string => !!f);
  const identity = new IdentityFields(ctx.config, ownerFields);
  const matchCtx = { schema: ctx.schema, resolver: ctx.resolver };
  let summaries = summariesOf.get(ctx.schema);
  if (!summaries) summariesOf.set(ctx.schema, (summaries = new FunctionSummaries(matchCtx, ctx.resolver)));
  let sources = sourcesOf.get(ctx.schema);
  if (!sources) sourcesOf.set(ctx.schema, (sources = originSources(ctx.resolver, ctx.schema, summaries, identity)));
  const prov = new Provenance(spec, ctx.resolver, { principals: ctx.config.principals, helperDepth: MAX_CALL_DEPTH, summaries, sources });
  const accesses: AccessRecord[] = [];
  const identityUses: IdentityUse[] = [];
  const dbStatements = new Set<ts.Node>();
  const visited = new Set<string>();
  const ids = new Map<ts.Node, number>();
  const idOf = (n: ts.Node) => ids.get(n) ?? (ids.set(n, ids.size), ids.size - 1);

  const analyse = (body: FunctionNode, p: Provenance, verified: VerifiedValues, chain: ts.CallExpression[], helperName?: string): void => {
    const summary = summaries.of(body);
    const dbByCall = new Map(summary.dbCalls.map((d) => [d.call, d]));
    const calleeByCall = new Map(summary.callees.map((c) => [c.call, c.fn]));
    walk(body, (n) => {
      if (ts.isIfStatement(n)) for (const k of verifiedBy(n, p)) verified.add(k, n);
    });
    const idCtx = { spec, identity, root: ctx.root, verified, helperName, config: ctx.config };
    const local: AccessRecord[] = [];
    walk(body, (n) => {
      if (ts.isIfStatement(n)) identityUses.push(...decisionUses(n.expression, p, idCtx));
      const db = ts.isCallExpression(n) || ts.isTaggedTemplateExpression(n) ? dbByCall.get(n) : undefined;
      if (db) {
        local.push(accessFacts(db, p, { spec, identity, root: ctx.root, verified, config: ctx.config }, helperName, chain));
        identityUses.push(...identityUsesOfCall(db, p, idCtx));
        if (!helperName) dbStatements.add(topStatement(n, fn));
        return;
      }
      if (!ts.isCallExpression(n)) return;
      const helper = calleeByCall.get(n);
      if (!helper || helper === fn || chain.length >= MAX_CALL_DEPTH) return;
      // Past the handler's direct callees, only functions that can reach the database matter.
      if (chain.length > 0 && !summaries.of(helper).reachesDb) return;
      const inner = p.forHelper(helper, n);
      if (!inner) return;
      const signature = `${idOf(helper)}(${n.arguments.map((a) => originKey(p.origin(a)) ?? '-').join(',')})`;
      if (visited.has(signature)) return;
      visited.add(signature);
      const before = accesses.length;
      analyse(helper, inner, new VerifiedValues({ verified, site: n }), [...chain, n], helperLabel(helper, n));
      liftReturnedRecordChecks(accesses.slice(before), helper, n, p, chain, identity, summaries);
      // A helper that touches the database ends the search for an inline check, like a direct call.
      if (accesses.length > before && !helperName) dbStatements.add(topStatement(n, fn));
    });
    accesses.push(...local);
  };
  analyse(fn, prov, new VerifiedValues(), []);
  inheritChecks(accesses);

  for (const rec of accesses) attachScopeFix(rec, { spec, identity, root: ctx.root, schema: ctx.schema, summaries });
  const inlineAuth = findInlineAuth(fn, prov, ctx.root, (st) => dbStatements.has(st));
  return {
    identityUses,
    dataAccesses: accesses.map((a) => a.fact),
    ...(inlineAuth ? { inlineAuth } : {}),
    ...(opts.signals ? { signals: handlerSignals(fn, prov, ctx.root) } : {}),
  };
}

/**
 * `const article = await findArticle(slug)` where the helper returns the record it read (directly, through
 * the variable holding it, or through a pass-through checker such as `return this.ensureExists(data)`), then
 * `checkOwner(me, article.authorId)` or `if (article.authorId !== me) throw ...` in the caller: the caller's
 * check covers the helper's read, and the read counts as made at the call (for later writes). Records are
 * lifted level by level, so a read two helpers down is checked where the record finally lands.
 */
function liftReturnedRecordChecks(
  records: AccessRecord[],
  helper: FunctionNode,
  call: ts.CallExpression,
  caller: Provenance,
  chain: ts.CallExpression[],
  identity: IdentityFields,
  summaries: FunctionSummaries,
): void {
  const returned = returnedExpressions(helper);
  for (const rec of records) {
    if (rec.fact.kind !== 'read' || rec.fact.scopedBy || !rec.fact.ownerField) continue;
    // Where the record is, inside the helper: the query itself, or a call of a deeper helper that returned it.
    const inside = rec.chain.length === chain.length + 1 ? rec.db.call : rec.heldAt;
    if (!inside || !returned.some((r) => yieldsRecord(r, inside, summaries))) continue;
    rec.heldAt = call;
    const check = recordCheck(call, rec.fact.ownerField, identity, caller);
    if (!check.ownerChecked) continue;
    rec.fact.scopedBy = 'check';
    rec.liftedTo = { chain, call };
  }
}

/** `return data` (holding the record), `return <the call>`, `return this.ensureExists(data)` (a helper returning its argument). */
function yieldsRecord(expr: ts.Expression, recordCall: QueryNode, summaries: FunctionSummaries, depth = 0): boolean {
  const e = unwrapValue(expr);
  if (e === recordCall) return true;
  const held = holdingVariable(recordCall);
  if (held && ts.isIdentifier(e) && ts.isIdentifier(held.name) && e.text === held.name.text && findDeclaration(e.text, e) === held) return true;
  if (depth > 0 || !ts.isCallExpression(e)) return false;
  const fn = summaries.calledFunction(e);
  if (!fn) return false;
  const argIndex = e.arguments.findIndex((a) => yieldsRecord(a, recordCall, summaries, depth + 1));
  const param = fn.parameters[argIndex];
  if (argIndex < 0 || !param || !ts.isIdentifier(param.name)) return false;
  const name = param.name.text;
  return returnedExpressions(fn).some((r) => {
    const u = unwrapValue(r);
    return ts.isIdentifier(u) && u.text === name && findDeclaration(name, u) === param;
  });
}

/** Every node of a function's body, nested callbacks included (they run with the same request). */
function walk(fn: FunctionNode, visit: (n: ts.Node) => void): void {
  const step = (n: ts.Node): void => {
    visit(n);
    ts.forEachChild(n, step);
  };
  if (fn.body) step(fn.body);
}

/** The statement of the handler's body (or of a leading try block) that contains `n`. */
function topStatement(n: ts.Node, fn: FunctionNode): ts.Node {
  let cur = n;
  while (cur.parent && cur.parent !== fn.body && !(ts.isBlock(cur.parent) && ts.isTryStatement(cur.parent.parent) && cur.parent.parent.parent === fn.body)) {
    cur = cur.parent;
  }
  return cur;
}

function helperLabel(helper: FunctionNode, call: ts.CallExpression): string {
  if (helper.name && ts.isIdentifier(helper.name)) return helper.name.text;
  return call.expression.getText();
}
