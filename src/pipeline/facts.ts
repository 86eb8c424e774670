import { analyzeHandler } from '../analysis/handler-facts.js';
import { loadOwnerSchema } from '../analysis/schema/index.js';
import type { AdapterContext, RouteRecord } from '../frameworks/adapter.js';
import type { HandlerFacts } from '../model/facts.js';
import type { Diagnostic, Route } from '../model/types.js';
import { locOf } from '../syntax/loc.js';

/**
 * Handler facts for every route whose handler resolved to a function. A handler the analysis cannot
 * digest becomes a diagnostic, never a crash of the whole scan.
 */
export function handlerFacts(ctx: AdapterContext, records: RouteRecord[], diagnostics: Diagnostic[]): Map<RouteRecord, HandlerFacts> {
  const out = new Map<RouteRecord, HandlerFacts>();
  if (!records.length) return out;
  const { project, resolver } = ctx;
  const schema = loadOwnerSchema(project.files, project.root, project.config);
  const analysisCtx = { resolver, schema, config: project.config, root: project.root };
  // One handler can serve several routes (app.route chains, path arrays): analyse it once.
  const byHandler = new Map<unknown, HandlerFacts>();
  const slice = project.slice?.needs;
  // A route's claim compares it with the routes of its file (src/analysis/route-claims.ts), whose statuses
  // may rest on their own facts (inline checks): in a slice, a needed route's neighbours need facts too.
  const neededFiles = slice && new Set(records.filter((r) => slice(r.route)).map((r) => r.route.loc.file));
  const needs = slice && ((route: Route) => slice(route) || neededFiles!.has(route.loc.file));
  // Signals are for routes no guard protects: what they do decides whether they are holes.
  const wantSignals = new Set(records.filter((r) => r.route.auth.status !== 'protected').map((r) => r.handler));
  for (const record of records) {
    if (!record.handler || !record.requestSpec) continue;
    // A slice scan composes more routes than it is for (the scope's); the others keep the cached facts.
    if (needs && !needs(record.route)) continue;
    let facts = byHandler.get(record.handler);
    if (!facts) {
      try {
        facts = analyzeHandler(record.handler, record.requestSpec, analysisCtx, { signals: wantSignals.has(record.handler) });
      } catch (err) {
        const loc = locOf(record.handler, project.root);
        diagnostics.push({
          level: 'warning',
          code: 'analysis-failed',
          message: `could not analyse the handler of ${record.route.method} ${record.route.path}: ${(err as Error).message}`,
          file: loc.file,
          line: loc.line,
        });
        continue;
      }
      byHandler.set(record.handler, facts);
    }
    out.set(record, facts);
  }
  return out;
}
