import { ts } from 'ts-morph';
import { returnedExpressions, isFunctionNode } from './functions.js';
import { snippet } from './loc.js';
import { unwrap, type Resolver } from './resolve.js';
import { staticString } from './strings.js';

/** A string read from configuration, taken at the default the code gives it when the setting is absent. */
export interface DefaultedString {
  value: string;
  /** What was read (`process.env.API_PREFIX || 'api'`), for the reason that says the default was assumed. */
  from: string;
  /** Where the default is written, so an edit there re-judges what depends on it. */
  at: ts.Node;
}

/**
 * The default of a configuration read: `process.env.X || 'api'`, `process.env.X ?? 'api'`, a constant holding
 * one, or `configService.get('app.apiPrefix')` where a `registerAs('app', () => ({ apiPrefix: ... }))`
 * namespace gives it. `configFiles` are the files that may declare namespaces (those mentioning registerAs).
 */
export function defaultedString(expr: ts.Node, resolver: Resolver, configFiles: () => Iterable<ts.SourceFile>, depth = 0): DefaultedString | undefined {
  if (depth > 6) return undefined;
  const e = unwrap(expr);
  if (ts.isBinaryExpression(e) && (e.operatorToken.kind === ts.SyntaxKind.BarBarToken || e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)) {
    const fallback = staticString(e.right, resolver);
    if (fallback !== undefined && readsEnvironment(e.left, resolver)) return { value: fallback, from: snippet(e, 70), at: e };
    return undefined;
  }
  // `/api/${apiVersion}/auth` with `apiVersion = process.env.API_VERSION || 'v1'`: each part at its default.
  if (ts.isTemplateExpression(e)) {
    let value = e.head.text;
    let assumed: DefaultedString | undefined;
    for (const span of e.templateSpans) {
      const fixed = staticString(span.expression, resolver);
      const part = fixed === undefined ? defaultedString(span.expression, resolver, configFiles, depth + 1) : undefined;
      if (fixed === undefined && !part) return undefined;
      assumed ??= part;
      value += (fixed ?? part!.value) + span.literal.text;
    }
    return assumed && { value, from: assumed.from, at: assumed.at };
  }
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && /^(get|getOrThrow)$/.test(e.expression.name.text) && /config/i.test(e.expression.expression.getText())) {
    const key = e.arguments[0] && staticString(e.arguments[0], resolver);
    return key ? namespaceDefault(key, resolver, configFiles, depth) : undefined;
  }
  if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) {
    const v = resolver.value(e);
    if (v.kind === 'node' && v.node !== e) return defaultedString(v.node, resolver, configFiles, depth + 1);
  }
  return undefined;
}

/** `app.apiPrefix` → the `apiPrefix` property of the object `registerAs('app', () => ({ ... }))` returns. */
function namespaceDefault(key: string, resolver: Resolver, configFiles: () => Iterable<ts.SourceFile>, depth: number): DefaultedString | undefined {
  const [namespace, ...path] = key.split('.');
  if (!path.length) return undefined;
  for (const sf of configFiles()) {
    let found: DefaultedString | undefined;
    const visit = (n: ts.Node): void => {
      if (found) return;
      if (ts.isCallExpression(n) && unwrap(n.expression).getText() === 'registerAs' && n.arguments[0] && staticString(n.arguments[0], resolver) === namespace) {
        const factory = n.arguments[1] && unwrap(n.arguments[1]);
        const objects = factory && isFunctionNode(factory) ? returnedExpressions(factory).map((r) => unwrap(r)) : [];
        for (const obj of objects) {
          const value = property(obj, path);
          const d = value && defaultedString(value, resolver, configFiles, depth + 1);
          const fixed = value && !d ? staticString(value, resolver) : undefined;
          found = d ?? (fixed !== undefined ? { value: fixed, from: key, at: value! } : undefined);
          if (found) return;
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
    if (found) return found;
  }
  return undefined;
}

function property(obj: ts.Node, path: string[]): ts.Expression | undefined {
  let current: ts.Node | undefined = obj;
  for (const name of path) {
    if (!current || !ts.isObjectLiteralExpression(current)) return undefined;
    const p: ts.ObjectLiteralElementLike | undefined = current.properties.find((x) => x.name && (ts.isIdentifier(x.name) || ts.isStringLiteralLike(x.name)) && x.name.text === name);
    current = p && ts.isPropertyAssignment(p) ? unwrap(p.initializer) : undefined;
  }
  return current as ts.Expression | undefined;
}

/** `process.env.X`, `env('X')`, or a local computed from one (`const base = (env('BASE') ?? '').replace(...)`). */
function readsEnvironment(expr: ts.Expression, resolver: Resolver): boolean {
  const ENV = /process\.env\b|\benv\b/;
  if (ENV.test(expr.getText())) return true;
  const e = unwrap(expr);
  if (!ts.isIdentifier(e)) return false;
  const v = resolver.value(e);
  return v.kind === 'node' && v.node !== e && ENV.test(v.node.getText());
}
