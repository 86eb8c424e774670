import type { Config } from './config.js';
import type { HandlerFacts } from './facts.js';
import type { Finding, Fix, Route, Severity } from './types.js';

export interface RuleContext {
  route: Route;
  /** Undefined when the handler could not be resolved to a function. */
  facts?: HandlerFacts;
  config: Config;
  /** The framework's auth-insertion fix for this route, if it can make one. */
  authFix?: Fix;
}

/** A finding before the pipeline fills severity (from config) and fingerprint. */
export type RawFinding = Omit<Finding, 'severity' | 'fingerprint' | 'ruleId'> & {
  severity?: Severity;
  /** Extra identity beyond rule/method/path/handler, to keep two findings in one handler apart (e.g. the field name). */
  fingerprintKey?: string;
};

export interface Rule {
  id: string;
  /** One line for SARIF shortDescription and the README rule list. */
  description: string;
  defaultSeverity: Severity;
  check(ctx: RuleContext): RawFinding[];
}
