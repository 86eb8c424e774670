import type { Fix } from '../../model/types.js';
import type { AdapterContext, AuthFixRequest } from '../adapter.js';

export function planFastifyAuthFixes(_ctx: AdapterContext, _request: AuthFixRequest): Map<string, { fix?: Fix; notFixableReason?: string }> {
  return new Map();
}
