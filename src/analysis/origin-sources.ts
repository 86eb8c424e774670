import type { Resolver } from '../syntax/resolve.js';
import { ContextStores } from './context-stores.js';
import type { FunctionSummaries } from './function-summary.js';
import { getterSource } from './getter-values.js';
import type { IdentityFields } from './identity-fields.js';
import { principalRecordSource } from './principal-records.js';
import type { OriginSource } from './provenance.js';
import { requestObjectSource } from './request-object.js';
import type { OwnerSchema } from './schema/owner-schema.js';
import { verifiedTokenSource } from './verified-token.js';

/**
 * Every origin the analysis knows beyond a handler's own parameters, built once per scan: the request held
 * by providers, guards and middleware; verified token payloads; getters; per-request stores; records read
 * for the principal.
 */
export function originSources(resolver: Resolver, schema: OwnerSchema, summaries: FunctionSummaries, identity: IdentityFields): OriginSource[] {
  const sources: OriginSource[] = [];
  sources.push(
    requestObjectSource(resolver),
    verifiedTokenSource(resolver),
    getterSource(resolver),
    new ContextStores({ resolver, summaries, files: schema.sources, sources: () => sources }),
    principalRecordSource({ schema, resolver }, identity),
  );
  return sources;
}
