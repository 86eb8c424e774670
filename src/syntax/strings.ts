import { ts } from 'ts-morph';
import { unwrap, type Resolver } from './resolve.js';

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
    if (v.kind === 'node' && v.node !== e && (ts.isStringLiteralLike(v.node) || ts.isTemplateExpression(v.node) || ts.isBinaryExpression(v.node))) {
      return staticString(v.node, resolver, depth + 1);
    }
  }
  return undefined;
}

/** The strings of a path argument: one string, or each element of an array of strings. */
export function staticStrings(expr: ts.Node, resolver: Resolver): string[] | undefined {
  const e = unwrap(expr);
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
