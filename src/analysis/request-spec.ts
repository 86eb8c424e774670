import type { ts } from 'ts-morph';
import type { RequestPart } from '../model/facts.js';
import type { Fix, FrameworkName } from '../model/types.js';

export type SourceKind = { kind: 'request'; part: RequestPart } | { kind: 'principal' };

/**
 * How one framework exposes the request and the verified principal inside a handler. Adapters build
 * one per handler; the analysis uses it to seed provenance and never looks at framework syntax itself.
 */
export interface RequestSpec {
  framework: FrameworkName;
  /**
   * Classifies an expression that reads the request: `req.body` → request/body, `req.params.id` →
   * request/params, `c.req.param('id')` → request/params, `req.user` → principal. Returns undefined
   * for anything else (the analysis then follows variables itself).
   */
  classify(node: ts.Node): SourceKind | undefined;
  /** Source text that reads the principal's id where `at` stands, for fixes (`req.user!.id`); undefined if none is reachable. */
  principalIdText(at: ts.Node): string | undefined;
  /**
   * When `principalIdText(at)` is undefined: the text of the principal's id that becomes reachable with these edits
   * (and generated files), which a fix using it must include. A Nest handler without a principal gets a
   * `@CurrentUser() user` parameter and its import: `{ text: 'user.id', edits, newFiles }`.
   */
  principalSetup?(at: ts.Node): ({ text: string } & Pick<Fix, 'edits' | 'newFiles'>) | undefined;
}
