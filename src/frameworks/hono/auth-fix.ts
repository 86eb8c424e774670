import type { AdapterContext, AuthFixRequest } from '../adapter.js';
import type { Fix } from '../../model/types.js';

export function planHonoAuthFixes(_ctx: AdapterContext, _request: AuthFixRequest): Map<string, { fix?: Fix; notFixableReason?: string }> {
  return new Map();
}
