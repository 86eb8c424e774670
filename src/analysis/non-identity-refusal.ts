import { ts } from 'ts-morph';
import { isFunctionNode, type FunctionNode } from '../syntax/functions.js';
import { snippet } from '../syntax/loc.js';
import { unwrap } from '../syntax/resolve.js';
import { findDeclaration } from '../syntax/scope.js';
import { refusalAt } from './guard-evidence.js';

/**
 * Checks that refuse for reasons other than who the caller is: a feature flag (`if (!hasFeature) 403`), a
 * read-only or maintenance switch, a first-run setup guard (`if (workspaceCount > 0) throw Forbidden`), a plan
 * or licence. They answer 403 like an authorisation check, so a refusal alone does not make a guard: a 401
 * (or a login redirect) is about identity by definition; any other refusal is when what it tests mentions the
 * caller, a credential or a permission, and no switch of the deployment or the product gates it.
 */

/** What a test of the caller's identity, credentials or rights mentions (a header or cookie the caller sends is a credential). */
const IDENTITY = /auth|token|jwt|bearer|session|cookie|header|credential|principal|login|user|payload|api[-_]?key|secret|signature|password|account|member|identity|verif|claim|passport|role|admin|permission|scope|grant|rights|owner|privilege|acl|abilit|\bcan\b/i;
/** Switches of the product or the deployment that gate a refusal for everyone. */
const SWITCH = /feature|flag|\bplan\b|quota|maintenance|read_?only|readOnly|settings?\b|license|licence|subscription|isCloud|multi_?tenant|setup|installed|billing/i;
/** What the request carries that is no credential: the browser, the address, a captcha, a CSRF token, the rate. */
const NOT_CREDENTIAL = /user-?agent|isbot|\bbots?\b|captcha|csrf|xsrf|rate-?limit|throttl|referr?er|\borigin\b|x-forwarded-for|remoteAddress|\.ip\b|\bips?\b|allowedIp|country|geo/i;
/** What reads the request: a switch that does (`req.user.plan === 'free'`) is about the caller, not the deployment. */
const CALLER = /\b(req|request|ctx|c)\.|\bgetRequest\(/;
/** A refusal that says "not authenticated" whatever its condition. */
const ABOUT_IDENTITY = /401|unauthori[sz]ed|unauthenticated|login|signin|sign-in|AuthenticationError|NotAuthenticated|AuthError/i;

/**
 * The condition of the first refusal, when the function refuses and no refusal of it is about identity; else
 * undefined. `returnsFalse`: a `return false` refuses too (a Nest guard's 403).
 */
export function refusesOnlyForOtherReasons(fn: FunctionNode, opts: { returnsFalse?: boolean } = {}): string | undefined {
  if (!fn.body) return undefined;
  const sites: { node: ts.Node; evidence: string }[] = [];
  const visit = (n: ts.Node): void => {
    const evidence = refusalAt(n);
    if (evidence) sites.push({ node: n, evidence });
    else if (opts.returnsFalse && ts.isReturnStatement(n) && n.expression && unwrap(n.expression).kind === ts.SyntaxKind.FalseKeyword && enclosingFunction(n) === fn) {
      sites.push({ node: n, evidence: 'returns false' });
    }
    ts.forEachChild(n, visit);
  };
  visit(fn.body);
  if (!sites.length) return undefined;
  let first: string | undefined;
  for (const site of sites) {
    if (ABOUT_IDENTITY.test(site.evidence)) return undefined;
    const conjuncts = conditionsOf(site.node, fn);
    if (!conjuncts.length) return undefined; // refuses unconditionally: whoever calls
    const gated = conjuncts.some((c) => (SWITCH.test(c.written) && !CALLER.test(c.written)) || NOT_CREDENTIAL.test(c.context));
    if (!gated && conjuncts.some((c) => IDENTITY.test(c.context))) return undefined;
    first ??= `${site.evidence} when ${conjuncts.map((c) => `\`${c.text}\``).join(' and ')}`;
  }
  return first;
}

/**
 * What must hold for `site` to run, as texts, one per conjunct: the conditions of the `if`s around it (negated in
 * an `else`), with the initialisers of the locals they test; the call a callback is handed to; the `try` a
 * `catch` guards.
 */
interface Conjunct {
  /** The test as written, shortened. */
  text: string;
  /** The test as written. */
  written: string;
  /** The test with where its locals come from, to read what it is about. */
  context: string;
}

function conditionsOf(site: ts.Node, fn: FunctionNode): Conjunct[] {
  const out: Conjunct[] = [];
  const plain = (n: ts.Node): Conjunct => ({ text: snippet(n, 50), written: n.getText(), context: n.getText() });
  let child: ts.Node = site;
  for (let n: ts.Node | undefined = site.parent; n && n !== fn; child = n, n = n.parent) {
    if (ts.isIfStatement(n) && child !== n.expression) {
      const inThen = child === n.thenStatement;
      const parts = split(n.expression, inThen ? ts.SyntaxKind.AmpersandAmpersandToken : ts.SyntaxKind.BarBarToken);
      out.push(...parts.map((c) => ({ text: `${inThen ? '' : 'not '}${snippet(c, 50)}`, written: c.getText(), context: withInitializers(c, fn) })));
    } else if (ts.isConditionalExpression(n) && child !== n.condition) {
      out.push({ text: snippet(n.condition, 50), written: n.condition.getText(), context: withInitializers(n.condition, fn) });
    } else if (ts.isCatchClause(n)) {
      out.push(plain(n.parent.tryBlock));
    } else if (isFunctionNode(n) && n.parent && ts.isCallExpression(n.parent)) {
      // jwt.verify(token, secret, (err) => { if (err) 403 }): the call decides when the callback runs.
      const call = n.parent;
      out.push({ text: snippet(call.expression, 50), written: call.expression.getText(), context: [call.expression, ...call.arguments.filter((a) => a !== n)].map((a) => a.getText()).join(' ') });
    }
  }
  return out;
}

function split(cond: ts.Expression, op: ts.SyntaxKind): ts.Expression[] {
  const e = unwrap(cond) as ts.Expression;
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === op) return [...split(e.left, op), ...split(e.right, op)];
  return [e];
}

/** `!hasFeature` with `const hasFeature = await tenantHasFeature(...)`: the test and where its locals come from. */
function withInitializers(cond: ts.Expression, fn: FunctionNode): string {
  const parts = [cond.getText()];
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n)) {
      const decl = findDeclaration(n.text, n);
      if (decl && ts.isVariableDeclaration(decl) && decl.initializer && decl.pos >= fn.pos && decl.end <= fn.end) parts.push(decl.initializer.getText());
    }
    ts.forEachChild(n, visit);
  };
  visit(cond);
  return parts.join(' ');
}

function enclosingFunction(n: ts.Node): ts.Node | undefined {
  for (let p = n.parent; p; p = p.parent) if (isFunctionNode(p)) return p;
  return undefined;
}
