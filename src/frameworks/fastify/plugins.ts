import { ts } from 'ts-morph';
import { isFunctionNode, returnedExpressions, type FunctionNode } from '../../syntax/functions.js';
import { unwrap, type Resolver, type Value } from '../../syntax/resolve.js';

/** What `fastify.register(x)` registers, as far as syntax can tell. */
export type PluginRef =
  /** A project function; `lifted` when fastify-plugin or skip-override makes it share the parent's context. */
  | { kind: 'function'; fn: FunctionNode; lifted: boolean; via: string }
  | { kind: 'external'; pkg: string; path: string[]; call?: ts.CallExpression; anchor?: ts.Expression }
  | { kind: 'unknown'; reason: string };

/**
 * Resolves a register() argument: inline, imported, `require`d and `import()`ed plugins, `fp(fn)` from
 * fastify-plugin, functions marked with `fn[Symbol.for('skip-override')] = true`, and modules whose default
 * export is the plugin.
 */
export function resolvePlugin(expr: ts.Expression, resolver: Resolver, depth = 0): PluginRef {
  if (depth > 8) return { kind: 'unknown', reason: 'plugin resolution too deep' };
  const e = unwrap(expr);
  if (isFunctionNode(e)) return { kind: 'function', fn: e, lifted: hasSkipOverride(e, resolver), via: 'inline' };
  // register(import('./routes.js')): Fastify awaits the module and uses its default export.
  if (ts.isCallExpression(e) && e.expression.kind === ts.SyntaxKind.ImportKeyword) {
    const spec = e.arguments[0];
    if (!spec || !ts.isStringLiteralLike(spec)) return { kind: 'unknown', reason: 'import() of a computed specifier' };
    return fromValue(resolver.moduleValue(spec.text, e.getSourceFile().fileName), e, resolver, depth);
  }
  // register(import('./routes.js').then((m) => m.usersRoutes)): the module's named export.
  const picked = pickedExport(e);
  if (picked) {
    const mod = resolver.moduleValue(picked.specifier, e.getSourceFile().fileName);
    return mod.kind === 'module' ? fromValue(resolver.exportOf(mod.file, picked.name), e, resolver, depth) : fromValue(mod, e, resolver, depth);
  }
  return fromValue(resolver.value(e), e, resolver, depth);
}

/** `import('x').then((m) => m.name)` (or `m.default`): the specifier and the export picked. */
function pickedExport(e: ts.Node): { specifier: string; name: string } | undefined {
  if (!ts.isCallExpression(e) || !ts.isPropertyAccessExpression(e.expression) || e.expression.name.text !== 'then') return undefined;
  const imported = unwrap(e.expression.expression);
  const spec = ts.isCallExpression(imported) && imported.expression.kind === ts.SyntaxKind.ImportKeyword ? imported.arguments[0] : undefined;
  const pick = e.arguments[0] && unwrap(e.arguments[0]);
  if (!spec || !ts.isStringLiteralLike(spec) || !pick || !ts.isArrowFunction(pick) || pick.parameters.length !== 1) return undefined;
  const param = pick.parameters[0]!.name;
  const body = unwrap(pick.body as ts.Expression);
  if (!ts.isIdentifier(param) || !ts.isPropertyAccessExpression(body) || !ts.isIdentifier(body.expression) || body.expression.text !== param.text) return undefined;
  return { specifier: spec.text, name: body.name.text };
}

function fromValue(v: Value, at: ts.Node, resolver: Resolver, depth: number): PluginRef {
  switch (v.kind) {
    case 'module': {
      // A namespace or dynamic import: Fastify takes `module.default`.
      return fromValue(resolver.exportOf(v.file, 'default'), at, resolver, depth + 1);
    }
    case 'external':
      return { kind: 'external', pkg: v.pkg, path: v.path };
    case 'param':
      return { kind: 'unknown', reason: `the plugin ${at.getText()} is passed in as a parameter` };
    case 'instance':
      return { kind: 'unknown', reason: `${at.getText()} is an object, not a plugin` };
    case 'unknown':
      return { kind: 'unknown', reason: `cannot resolve plugin ${at.getText()}: ${v.reason}` };
    case 'node': {
      const node = unwrap(v.node);
      if (isFunctionNode(node)) return { kind: 'function', fn: node, lifted: hasSkipOverride(node, resolver), via: 'declaration' };
      if (ts.isCallExpression(node)) {
        const callee = resolver.value(node.expression);
        if (callee.kind === 'external' && callee.pkg === 'fastify-plugin' && node.arguments[0]) {
          const inner = resolvePlugin(node.arguments[0], resolver, depth + 1);
          return inner.kind === 'function' ? { ...inner, lifted: true, via: 'fastify-plugin' } : inner;
        }
        if (callee.kind === 'external') return { kind: 'external', pkg: callee.pkg, path: callee.path, call: node };
        // A plugin factory of the project: `metrics(options)` returning `fastifyPlugin(async (fastify) => ...)`.
        if (callee.kind === 'node' && isFunctionNode(unwrap(callee.node))) {
          const returned = returnedExpressions(unwrap(callee.node) as FunctionNode);
          if (returned.length === 1) return fromValue({ kind: 'node', node: returned[0]! }, at, resolver, depth + 1);
        }
        return { kind: 'unknown', reason: `cannot tell what plugin ${node.getText().slice(0, 60)} returns` };
      }
      return { kind: 'unknown', reason: `${at.getText().slice(0, 60)} is not a plugin function` };
    }
  }
}

/** `fn[Symbol.for('skip-override')] = true` anywhere in the function's file. */
function hasSkipOverride(fn: FunctionNode, resolver: Resolver): boolean {
  const sf = fn.getSourceFile();
  if (!sf.text.includes('skip-override')) return false;
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isElementAccessExpression(n.left)) {
      const key = n.left.argumentExpression;
      if (ts.isCallExpression(key) && key.getText().replace(/\s/g, '') === "Symbol.for('skip-override')".replace(/'/g, key.getText().includes('"') ? '"' : "'")) {
        if (n.right.kind === ts.SyntaxKind.TrueKeyword) {
          const target = resolver.value(n.left.expression);
          if (target.kind === 'node' && unwrap(target.node) === fn) found = true;
        }
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}
