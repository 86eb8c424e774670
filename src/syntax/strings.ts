import { ts } from 'ts-morph';
import { isFunctionNode } from './functions.js';
import { unwrap, type Resolver } from './resolve.js';
import { findDeclaration } from './scope.js';

/**
 * The string an expression always evaluates to, if syntax can tell: literals, constants, templates and
 * `+` concatenations of those, followed across files. Undefined for anything computed at run time.
 */
export function staticString(expr: ts.Node, resolver: Resolver, depth = 0): string | undefined {
  if (depth > 10) return undefined;
  const e = unwrap(expr);
  if (ts.isStringLiteralLike(e)) return e.text;
  if (ts.isTemplateExpression(e)) {
    let out = e.head.text;
    for (const span of e.templateSpans) {
      const part = staticString(span.expression, resolver, depth + 1);
      if (part === undefined) return undefined;
      out += part + span.literal.text;
    }
    return out;
  }
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const l = staticString(e.left, resolver, depth + 1);
    const r = l === undefined ? undefined : staticString(e.right, resolver, depth + 1);
    return l !== undefined && r !== undefined ? l + r : undefined;
  }
  if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) {
    const v = resolver.value(e);
    if (v.kind === 'node' && v.node !== e && (ts.isStringLiteralLike(v.node) || ts.isTemplateExpression(v.node) || ts.isBinaryExpression(v.node) || ts.isCallExpression(v.node))) {
      return staticString(v.node, resolver, depth + 1);
    }
  }
  // ROUTE.substring(1), NAME.toLowerCase(): string methods on a constant.
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression)) {
    const base = staticString(e.expression.expression, resolver, depth + 1);
    const args = e.arguments.map((a) => unwrap(a));
    const nums = args.map((a) => (ts.isNumericLiteral(a) ? Number(a.text) : undefined));
    if (base !== undefined) {
      switch (e.expression.name.text) {
        case 'substring':
        case 'slice':
          if (nums.every((n) => n !== undefined)) return e.expression.name.text === 'slice' ? base.slice(...(nums as number[])) : base.substring(...(nums as [number, number?]));
          return undefined;
        case 'toLowerCase':
          return base.toLowerCase();
        case 'toUpperCase':
          return base.toUpperCase();
        case 'trim':
          return base.trim();
      }
    }
  }
  return undefined;
}

/**
 * `CODES.map((code) => `/${code}{/*wildcard}`)` over a literal array: one string per element, the callback's
 * parameter standing for the element. Undefined when any part is not static.
 */
export function mappedStrings(call: ts.CallExpression, resolver: Resolver): string[] | undefined {
  if (!ts.isPropertyAccessExpression(call.expression) || call.expression.name.text !== 'map') return undefined;
  const cb = call.arguments[0] && unwrap(call.arguments[0]);
  if (!cb || !isFunctionNode(cb) || !cb.body) return undefined;
  const param = cb.parameters[0];
  const body = ts.isBlock(cb.body) ? cb.body.statements.find(ts.isReturnStatement)?.expression : (cb.body as ts.Expression);
  const entries = literalEntries(call.expression.expression, resolver);
  if (!param || !ts.isIdentifier(param.name) || !body || !entries) return undefined;
  const name = param.name.text;
  const out: string[] = [];
  for (const entry of entries) {
    const value = staticString(entry, resolver);
    if (value === undefined) return undefined;
    const b = unwrap(body);
    let text: string | undefined;
    if (ts.isTemplateExpression(b)) {
      text = b.head.text;
      for (const span of b.templateSpans) {
        const part = ts.isIdentifier(span.expression) && span.expression.text === name ? value : staticString(span.expression, resolver);
        if (part === undefined) return undefined;
        text += part + span.literal.text;
      }
    } else text = ts.isIdentifier(b) && b.text === name ? value : staticString(b, resolver);
    if (text === undefined) return undefined;
    out.push(text);
  }
  return out;
}

/**
 * The strings of a path argument: one string, each element of an array of strings, or each value a loop gives
 * its variable (`for (const [url, file] of new Map([['/a', 'a.js'], ...]))`, `['/a', '/b'].forEach((p) => ...)`):
 * a route registered in such a loop is one route per value.
 */
export function staticStrings(expr: ts.Node, resolver: Resolver): string[] | undefined {
  const e = unwrap(expr);
  if (ts.isIdentifier(e)) {
    const values = loopValues(e, resolver);
    if (values) {
      const out = values.map((v) => staticString(v, resolver));
      return out.every((v): v is string => v !== undefined) ? out : undefined;
    }
  }
  if (ts.isArrayLiteralExpression(e)) {
    const out: string[] = [];
    for (const el of e.elements) {
      const s = staticString(el, resolver);
      if (s === undefined) return undefined;
      out.push(s);
    }
    return out;
  }
  const s = staticString(e, resolver);
  return s === undefined ? undefined : [s];
}

/** The values a loop variable takes, when the loop runs over a literal array or Map (through constants). */
function loopValues(id: ts.Identifier, resolver: Resolver): ts.Expression[] | undefined {
  const decl = findDeclaration(id.text, id);
  if (!decl) return undefined;
  // const [url, file] of ...: the position of the variable inside each entry.
  const positions: number[] = [];
  let holder: ts.Node = decl;
  while (ts.isBindingElement(holder)) {
    const pattern = holder.parent;
    if (!ts.isArrayBindingPattern(pattern)) return undefined;
    positions.unshift(pattern.elements.indexOf(holder));
    holder = pattern.parent;
  }
  let iterable: ts.Expression | undefined;
  if (ts.isVariableDeclaration(holder) && ts.isVariableDeclarationList(holder.parent) && ts.isForOfStatement(holder.parent.parent)) {
    iterable = holder.parent.parent.expression;
  } else if (ts.isParameter(holder) && isFunctionNode(holder.parent) && holder.parent.parameters[0] === holder) {
    const call = holder.parent.parent;
    if (ts.isCallExpression(call) && call.arguments[0] === holder.parent && ts.isPropertyAccessExpression(call.expression) && call.expression.name.text === 'forEach') {
      iterable = call.expression.expression;
    }
  }
  if (!iterable) return undefined;
  const entries = literalEntries(iterable, resolver);
  if (!entries) return undefined;
  const out: ts.Expression[] = [];
  for (const entry of entries) {
    let value: ts.Expression | undefined = entry;
    for (const i of positions) {
      const u: ts.Node | undefined = value && unwrap(value);
      const element: ts.Expression | undefined = u && ts.isArrayLiteralExpression(u) ? u.elements[i] : undefined;
      value = element && !ts.isSpreadElement(element) ? element : undefined;
    }
    if (!value) return undefined;
    out.push(value);
  }
  return out;
}

/** The entries of `[a, b]` or `new Map([[k, v], ...])`, written in place or held in a constant. */
function literalEntries(expr: ts.Expression, resolver: Resolver, depth = 0): ts.Expression[] | undefined {
  if (depth > 4) return undefined;
  const e = unwrap(expr);
  if (ts.isArrayLiteralExpression(e)) return e.elements.some(ts.isSpreadElement) ? undefined : [...e.elements];
  if (ts.isNewExpression(e) && e.expression.getText() === 'Map' && e.arguments?.[0]) return literalEntries(e.arguments[0], resolver, depth + 1);
  if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) {
    const v = resolver.value(e);
    if (v.kind === 'node' && v.node !== e && ts.isExpression(v.node)) return literalEntries(v.node, resolver, depth + 1);
  }
  return undefined;
}
