import path from 'node:path';
import { ts } from 'ts-morph';
import type { GuardSpec } from '../model/config.js';
import { unwrap, type Value } from '../syntax/resolve.js';
import type { AdapterContext } from './adapter.js';

/**
 * Matches a middleware/guard expression against guards named in config: by import specifier and
 * export name (resolved to the same declaration), or by the name written at the use site.
 */
export function matchesGuardSpec(ctx: AdapterContext, expr: ts.Node, specs: GuardSpec[]): GuardSpec | undefined {
  if (!specs.length) return undefined;
  const target = unwrap(ts.isCallExpression(unwrap(expr)) ? (unwrap(expr) as ts.CallExpression).expression : expr);
  const written = target.getText();
  const lastName = written.split('.').pop();
  let value: Value | undefined;
  for (const spec of specs) {
    if (spec.name && (spec.name === written || spec.name === lastName)) return spec;
    if (!spec.module) continue;
    value ??= ctx.resolver.value(target);
    const exportName = spec.export ?? 'default';
    if (value.kind === 'external') {
      const member = value.path.length ? value.path[value.path.length - 1] : 'default';
      if (value.pkg === spec.module && member === exportName) return spec;
      continue;
    }
    if (value.kind !== 'node') continue;
    const configDir = ctx.project.config.source ? path.dirname(ctx.project.config.source) : ctx.project.root;
    const resolved = ctx.project.modules.resolve(spec.module, path.join(configDir, '__config__.ts'));
    if (resolved.kind !== 'file') continue;
    const expected = ctx.resolver.exportOf(resolved.file, exportName);
    if (expected.kind === 'node' && sameDefinition(expected.node, value.node)) return spec;
  }
  return undefined;
}

/** A declaration and the function it names are the same definition. */
function sameDefinition(a: ts.Node, b: ts.Node): boolean {
  if (a === b) return true;
  const inner = (n: ts.Node) => (ts.isVariableDeclaration(n) && n.initializer ? unwrap(n.initializer) : n);
  return inner(a) === inner(b);
}
