import { ts } from 'ts-morph';
import { isFunctionNode, type FunctionNode } from '../syntax/functions.js';
import { errorStatusOf } from './branch-refusal.js';

/** What a handler calls to answer: Express `res`, Fastify `reply`, Hono `c`, Koa-style `ctx`. */
const ANSWERS = new Set(['json', 'send', 'sendStatus', 'status', 'code', 'end', 'text', 'body', 'html', 'type', 'header', 'set', 'redirect', 'notFound', 'callNotFound', 'newResponse']);

/**
 * The call a handler answers with when all it does is answer a constant (`res.json([])`, `c.text('ok')`,
 * `reply.callNotFound()`, `throw new Error('test')`): it reads nothing from the request, calls nothing else and
 * changes nothing, so whoever calls it learns only what the code says. Undefined for any other handler.
 */
export function constantAnswer(fn: FunctionNode): ts.Node | undefined {
  if (!fn.body) return undefined;
  const params = new Set(fn.parameters.flatMap((p) => (ts.isIdentifier(p.name) ? [p.name.text] : [])));
  let answer: ts.Node | undefined;
  let other = false;
  const visit = (n: ts.Node): void => {
    if (other) return;
    if (n !== fn && isFunctionNode(n)) {
      other = true;
      return;
    }
    if (ts.isCallExpression(n)) {
      if (!isAnswerCall(n, params) || !n.arguments.every(isConstant)) {
        other = true;
        return;
      }
      answer ??= outermostChainCall(n);
      ts.forEachChild(n.expression, visit);
      return;
    }
    if (ts.isThrowStatement(n)) {
      const e = n.expression;
      if (!(ts.isNewExpression(e) && ts.isIdentifier(e.expression) && /Error$/.test(e.expression.text) && (e.arguments ?? []).every(isConstant))) other = true;
      else answer ??= n;
      return;
    }
    // Reading anything but the answer objects (the request, a variable, a module) is doing something.
    if (ts.isIdentifier(n) && !isPartOfAnswerChain(n) && !isDeclarationName(n)) {
      other = true;
      return;
    }
    ts.forEachChild(n, visit);
  };
  const body = fn.body;
  if (ts.isBlock(body)) body.statements.forEach(visit);
  else visit(body);
  return other ? undefined : answer;
}

/** `res.status(404).json(x)`, `reply.code(200).send(x)`, `c.json(x)`: a method of one of the handler's parameters, or a chain of them. */
function isAnswerCall(call: ts.CallExpression, params: Set<string>): boolean {
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee) || !ANSWERS.has(callee.name.text)) return false;
  const receiver = callee.expression;
  if (ts.isIdentifier(receiver)) return params.has(receiver.text);
  return ts.isCallExpression(receiver) && isAnswerCall(receiver, params);
}

function outermostChainCall(call: ts.CallExpression): ts.Node {
  let n: ts.Node = call;
  while (ts.isPropertyAccessExpression(n.parent) && ts.isCallExpression(n.parent.parent) && n.parent.parent.expression === n.parent) n = n.parent.parent;
  return n;
}

function isPartOfAnswerChain(id: ts.Identifier): boolean {
  const parent = id.parent;
  // The receiver of an answer call (`res` in `res.json`) or the method name itself.
  return ts.isPropertyAccessExpression(parent) && (parent.name === id || parent.expression === id);
}

function isDeclarationName(id: ts.Identifier): boolean {
  return ts.isParameter(id.parent) || (ts.isPropertyAssignment(id.parent) && id.parent.name === id);
}

/** A literal, or an array or object made of literals only. */
function isConstant(e: ts.Node): boolean {
  if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e)) return isConstant(e.expression);
  if (ts.isStringLiteralLike(e) || ts.isNumericLiteral(e)) return true;
  if ([ts.SyntaxKind.TrueKeyword, ts.SyntaxKind.FalseKeyword, ts.SyntaxKind.NullKeyword].includes(e.kind)) return true;
  if (ts.isIdentifier(e) && e.text === 'undefined') return true;
  if (ts.isArrayLiteralExpression(e)) return e.elements.every(isConstant);
  if (ts.isObjectLiteralExpression(e)) return e.properties.every((p) => ts.isPropertyAssignment(p) && !ts.isComputedPropertyName(p.name) && isConstant(p.initializer));
  return false;
}

/**
 * The answer of a handler that refuses every caller alike: all it does is return an error status it names
 * (`return c.json(..., 501)`, `res.status(410).json(...)`), itself or through the one project helper whose result
 * it returns with its own parameters and constants (`return unsupportedFeature(c, 'not in this edition')`). Such a
 * route serves nobody, signed in or not. `helperOf` resolves a call to a project function.
 */
export function refusesEveryone(fn: FunctionNode, helperOf: (call: ts.CallExpression) => FunctionNode | undefined): ts.Node | undefined {
  const returned = onlyReturns(fn);
  if (!returned?.length) return undefined;
  const params = new Set(fn.parameters.flatMap((p) => (ts.isIdentifier(p.name) ? [p.name.text] : [])));
  if (returned.every((r) => errorStatusOf(r) !== undefined)) return returned[0];
  if (returned.length !== 1 || !ts.isCallExpression(returned[0])) return undefined;
  const call = returned[0];
  if (!call.arguments.every((a) => isConstant(a) || (ts.isIdentifier(a) && params.has(a.text)))) return undefined;
  const helper = helperOf(call);
  const inner = helper && helper !== fn ? onlyReturns(helper) : undefined;
  return inner?.length && inner.every((r) => errorStatusOf(r) !== undefined) ? call : undefined;
}

/** What a function returns, when its body is nothing but one return (or an expression body). */
function onlyReturns(fn: FunctionNode): ts.Expression[] | undefined {
  if (!fn.body) return undefined;
  if (!ts.isBlock(fn.body)) return [fn.body];
  const [only, ...rest] = fn.body.statements;
  if (rest.length || !only) return undefined;
  if (ts.isReturnStatement(only) && only.expression) return [only.expression];
  if (ts.isExpressionStatement(only)) return [only.expression];
  return undefined;
}
