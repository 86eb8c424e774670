import { ts } from 'ts-morph';
import type { Config } from '../model/config.js';
import type { HandlerFacts, IdentityUse } from '../model/facts.js';
import type { FunctionNode } from '../syntax/functions.js';
import type { Resolver } from '../syntax/resolve.js';
import { accessFacts, attachScopeFix, inheritChecks, type AccessRecord } from './data-access/access-facts.js';
import { matchDbCall } from './data-access/index.js';
import { IdentityFields } from './identity-fields.js';
import { decisionUses, identityUsesOfCall, verifiedBy } from './identity-uses.js';
import { findInlineAuth } from './inline-auth.js';
import { Provenance } from './provenance.js';
import type { RequestSpec } from './request-spec.js';
import type { OwnerSchema } from './schema/owner-schema.js';

export interface HandlerAnalysisContext {
  resolver: Resolver;
  schema: OwnerSchema;
  config: Config;
  /** Scan root: locations are relative to it. */
  root: string;
}

/**
 * The facts the rules need about one handler: identity fields taken from the request, database
 * accesses and how (or whether) they are bound to the principal, and inline authentication.
 * Project helpers the handler calls are analysed one level deep, with their parameters bound to the
 * handler's arguments.
 */
export function analyzeHandler(fn: FunctionNode, spec: RequestSpec, ctx: HandlerAnalysisContext): HandlerFacts {
  const ownerFields = ctx.schema.models.map((m) => m.ownerField).filter((f): f is string => !!f);
  const identity = new IdentityFields(ctx.config, ownerFields);
  const prov = new Provenance(spec, ctx.resolver, { principals: ctx.config.principals, helperDepth: 1 });
  const matchCtx = { schema: ctx.schema, resolver: ctx.resolver };
  const accesses: AccessRecord[] = [];
  const identityUses: IdentityUse[] = [];
  const dbStatements = new Set<ts.Node>();
  const visitedHelpers = new Set<ts.Node>();

  const analyse = (body: FunctionNode, p: Provenance, helperName?: string): void => {
    const verified = new Set<string>();
    walk(body, (n) => {
      if (ts.isIfStatement(n)) for (const k of verifiedBy(n, p)) verified.add(k);
    });
    const idCtx = { spec, identity, root: ctx.root, verified, helperName };
    const local: AccessRecord[] = [];
    walk(body, (n) => {
      if (ts.isIfStatement(n)) identityUses.push(...decisionUses(n.expression, p, idCtx));
      if (!ts.isCallExpression(n)) return;
      const db = matchDbCall(n, matchCtx);
      if (db) {
        local.push(accessFacts(db, p, { spec, identity, root: ctx.root, verified }, helperName));
        identityUses.push(...identityUsesOfCall(db, p, idCtx));
        if (!helperName) dbStatements.add(topStatement(n, fn));
        return;
      }
      if (helperName) return; // one level of helpers for now
      const helper = p.calledFunction(n);
      if (!helper || helper === fn || visitedHelpers.has(helper)) return;
      visitedHelpers.add(helper);
      const inner = p.forHelper(helper, n);
      if (!inner) return;
      const before = accesses.length;
      analyse(helper, inner, helperLabel(helper, n));
      // A helper that touches the database ends the search for an inline check, like a direct call.
      if (accesses.length > before) dbStatements.add(topStatement(n, fn));
    });
    inheritChecks(local);
    accesses.push(...local);
  };
  analyse(fn, prov);

  for (const rec of accesses) attachScopeFix(rec, { spec, identity, root: ctx.root });
  const inlineAuth = findInlineAuth(fn, prov, ctx.root, (st) => dbStatements.has(st));
  return {
    identityUses,
    dataAccesses: accesses.map((a) => a.fact),
    ...(inlineAuth ? { inlineAuth } : {}),
  };
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
