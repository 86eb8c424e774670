import { ts } from 'ts-morph';
import { isFunctionNode, type FunctionNode } from '../syntax/functions.js';
import { snippet } from '../syntax/loc.js';
import { unwrap } from '../syntax/resolve.js';
import { findDeclaration } from '../syntax/scope.js';
import { refusalAt } from './guard-evidence.js';

/** One place a function refuses the request, with what must hold for it to run. */
export interface RefusalSite {
  node: ts.Node;
  evidence: string;
  conjuncts: Conjunct[];
}

/**
 * Every refusal in `fn` (nested callbacks included). `returnsFalse`: a `return false` of `fn` itself refuses
 * too (a Nest guard's 403).
 */
export function refusalSites(fn: FunctionNode, opts: { returnsFalse?: boolean } = {}): RefusalSite[] {
  if (!fn.body) return [];
  const out: RefusalSite[] = [];
  const visit = (n: ts.Node): void => {
    const evidence = refusalAt(n);
    if (evidence) out.push({ node: n, evidence, conjuncts: conditionsOf(n, fn) });
    else if (opts.returnsFalse && ts.isReturnStatement(n) && n.expression && unwrap(n.expression).kind === ts.SyntaxKind.FalseKeyword && enclosingFunction(n) === fn) {
      out.push({ node: n, evidence: 'returns false', conjuncts: conditionsOf(n, fn) });
    }
    ts.forEachChild(n, visit);
  };
  visit(fn.body);
  return out;
}

/**
 * What must hold for `site` to run, as texts, one per conjunct: the conditions of the `if`s around it (negated in
 * an `else`), with the initialisers of the locals they test; the call a callback is handed to; the `try` a
 * `catch` guards.
 */
export interface Conjunct {
  /** The test itself, when it is an expression (not a `try` block or a call handed the callback). */
  expr?: ts.Expression;
  /** The site runs when `expr` is false (an `else` branch). */
  negated?: boolean;
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
      out.push(...parts.map((c) => ({ expr: c, negated: !inThen, text: `${inThen ? '' : 'not '}${snippet(c, 50)}`, written: c.getText(), context: withInitializers(c, fn) })));
    } else if (ts.isConditionalExpression(n) && child !== n.condition) {
      out.push({ expr: n.condition, negated: child === n.whenFalse, text: snippet(n.condition, 50), written: n.condition.getText(), context: withInitializers(n.condition, fn) });
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

/**
 * `!hasFeature` with `const hasFeature = await tenantHasFeature(...)`: the test and where its locals come from (those
 * declared inside `fn`, or any when it is not given), as text to read what the test is about.
 */
export function withInitializers(cond: ts.Expression, fn?: ts.Node): string {
  const parts = [cond.getText()];
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n)) {
      const decl = findDeclaration(n.text, n);
      const local = decl && ts.isVariableDeclaration(decl) && decl.initializer && (!fn || (decl.pos >= fn.pos && decl.end <= fn.end));
      if (local) parts.push(decl.initializer!.getText());
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
