import crypto from 'node:crypto';
import type { Finding, ScanResult } from '../model/types.js';

/**
 * An app in which no route is protected and none reads the caller does not authenticate at all: one finding
 * for the app says so, instead of one "nothing says either way" warning per route. Findings with evidence
 * (an administrative route, a write of user-owned data) stay: they are claims about their routes.
 *
 * A property of the whole route list, so it is applied to complete results (a scan, or a cached scan with a
 * slice merged in), never inside a slice; applying it twice changes nothing.
 */
export function collapseAppWithoutAuth(result: ScanResult): ScanResult {
  if (result.routes.some((r) => r.auth.status === 'protected' || r.auth.status === 'unknown')) return result;
  const open = result.findings.filter((f) => f.ruleId === 'missing-auth' && f.messageId === 'no-evidence');
  if (open.length < 2) return result;
  const app: Finding = {
    ruleId: 'missing-auth',
    messageId: 'app-without-auth',
    severity: 'warning',
    message: `no route of this app authenticates its callers (${open.length} routes are open and none reads the caller): add authentication, or declare the routes public if the app is meant to be open`,
    loc: open[0]!.loc,
    fingerprint: crypto.createHash('sha256').update('missing-auth\0app-without-auth').digest('hex').slice(0, 16),
  };
  const findings = [...result.findings.filter((f) => !open.includes(f)), app];
  const errors = findings.filter((f) => f.severity === 'error').length;
  return { ...result, findings, summary: { ...result.summary, errors, warnings: findings.length - errors } };
}
