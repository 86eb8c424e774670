import { ts } from 'ts-morph';
import { unwrap, type Resolver } from './resolve.js';
import { findDeclaration } from './scope.js';

/**
 * The truth of a test over environment variables in a deployment that sets none: `process.env.X` is unset, so
 * `if (process.env.SERVE_CLIENT)` is false, `process.env.MODE === 'local'` false, `!process.env.X` true. Undefined
 * when the test reads anything else. With a resolver, names are followed to what they hold
 * (`config.IS_LOCAL_MODE` defined as `env.IS_LOCAL_MODE === 'yes'`, `const env = process.env`).
 */
export function holdsWithoutEnvironment(expr: ts.Expression, resolver?: Resolver, depth = 0): boolean | undefined {
  if (depth > 6) return undefined;
  const e = unwrap(expr) as ts.Expression;
  if (isEnvironmentRead(e)) return false;
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) {
    const v = holdsWithoutEnvironment(e.operand, resolver, depth + 1);
    return v === undefined ? undefined : !v;
  }
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken) {
      const [l, r] = [holdsWithoutEnvironment(e.left, resolver, depth + 1), holdsWithoutEnvironment(e.right, resolver, depth + 1)];
      if (op === ts.SyntaxKind.AmpersandAmpersandToken) return l === false || r === false ? false : l === true && r === true ? true : undefined;
      return l === true || r === true ? true : l === false && r === false ? false : undefined;
    }
    // `process.env.X === 'true'`: an unset variable equals no literal.
    const equal = op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken;
    const unequal = op === ts.SyntaxKind.ExclamationEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken;
    const literal = (x: ts.Expression) => {
      const u = unwrap(x);
      return ts.isStringLiteralLike(u) || ts.isNumericLiteral(u) || u.kind === ts.SyntaxKind.TrueKeyword || u.kind === ts.SyntaxKind.FalseKeyword;
    };
    if ((equal || unequal) && ((isEnvironmentRead(e.left) && literal(e.right)) || (isEnvironmentRead(e.right) && literal(e.left)))) return unequal;
    return undefined;
  }
  // A name holding such a test: follow it to its definition.
  if (resolver && (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e))) {
    const v = resolver.value(e);
    const held = v.kind === 'node' ? (ts.isVariableDeclaration(v.node) ? v.node.initializer : v.node) : undefined;
    if (held && held !== e && ts.isExpression(held)) return holdsWithoutEnvironment(held, resolver, depth + 1);
  }
  return undefined;
}

/** `process.env.X`, `process.env['X']`, or `env.X` where `env` is declared as `process.env`. */
export function isEnvironmentRead(expr: ts.Expression): boolean {
  const e = unwrap(expr);
  if (!ts.isPropertyAccessExpression(e) && !ts.isElementAccessExpression(e)) return false;
  if (/^process\.env$/.test(e.expression.getText())) return true;
  // const env = process.env; ... env.X
  const holder = unwrap(e.expression);
  const decl = ts.isIdentifier(holder) ? findDeclaration(holder.text, holder) : undefined;
  return !!decl && ts.isVariableDeclaration(decl) && !!decl.initializer && /^process\.env$/.test(unwrap(decl.initializer).getText());
}
