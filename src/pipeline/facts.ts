import type { AdapterContext, RouteRecord } from '../frameworks/adapter.js';
import type { HandlerFacts } from '../model/facts.js';
import type { Diagnostic } from '../model/types.js';

/** Handler facts for every route whose handler resolved. */
export function handlerFacts(_ctx: AdapterContext, _records: RouteRecord[], _diagnostics: Diagnostic[]): Map<RouteRecord, HandlerFacts> {
  return new Map();
}
