import { ts } from 'ts-morph';
import { evaluateBound, NO_BINDINGS, NOT_LITERAL } from './bound-arguments.js';
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
  return evaluateBound(expr, NO_BINDINGS, {
    literal: (e) => (isEnvironmentRead(e) ? undefined : NOT_LITERAL),
    // A name holding such a test: follow it to its definition.
    otherwise: (e) => {
      if (!resolver || (!ts.isIdentifier(e) && !ts.isPropertyAccessExpression(e))) return undefined;
      const v = resolver.value(e);
      const held = v.kind === 'node' ? (ts.isVariableDeclaration(v.node) ? v.node.initializer : v.node) : undefined;
      return held && held !== e && ts.isExpression(held) ? holdsWithoutEnvironment(held, resolver, depth + 1) : undefined;
    },
  });
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
