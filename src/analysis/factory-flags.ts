import { ts } from 'ts-morph';
import type { FunctionNode } from '../syntax/functions.js';
import { snippet } from '../syntax/loc.js';
import { bindArguments, evaluateBound, readsBound } from '../syntax/bound-arguments.js';
import { refusalSites } from './refusal-sites.js';

/**
 * Guard factories whose arguments decide whether the middleware refuses: `authenticate('jwt', msg, isStrict)`
 * builds a strict guard with `true` and optional authentication with `false`. Judged per call site: with the
 * call's arguments bound to the factory's parameters, and an anonymous request (no user, no session), can any
 * refusal of the returned middleware run?
 */

/** Names a request carries only once someone signed in. */
const PRINCIPAL = /^(user|currentUser|principal|session|account|authUser)$/;

/** Why no refusal of `middleware` can run for an anonymous request when `factory` is called by `call`; else undefined. */
export function refusalsOffAt(middleware: FunctionNode, factory: FunctionNode, call: ts.CallExpression): string | undefined {
  const bound = bindArguments(factory, call);
  if (!bound.size) return undefined;
  const sites = refusalSites(middleware);
  if (!sites.length) return undefined;
  let byArgument: string | undefined;
  for (const site of sites) {
    const off = site.conjuncts.find((c) => c.expr && evaluateBound(c.expr, bound, { otherwise: anonymous }) === Boolean(c.negated));
    if (!off) return undefined;
    if (off.expr && readsBound(off.expr, bound)) byArgument ??= off.text;
  }
  // Only when an argument switched a refusal off: a factory whose refusals all need a signed-in user is judged elsewhere.
  return byArgument && `with the arguments of ${snippet(call, 60)}, \`${byArgument}\` is false, so it never refuses an anonymous request: optional authentication`;
}

/** `user`, `req.user`: absent for a caller who did not sign in. */
function anonymous(e: ts.Expression): boolean | undefined {
  const name = ts.isIdentifier(e) ? e.text : ts.isPropertyAccessExpression(e) ? e.name.text : undefined;
  return name && PRINCIPAL.test(name) ? false : undefined;
}
