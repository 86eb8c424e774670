import { ts } from 'ts-morph';
import { isFunctionNode, returnedExpressions, type FunctionNode } from '../../syntax/functions.js';
import { unwrap, type Resolver, type Value } from '../../syntax/resolve.js';

/**
 * What a Fastify instance expression refers to: the root created by `Fastify()` (keyed by that call), or a
 * function parameter that receives an instance (a plugin's `fastify`, a helper's `app`), keyed by the
 * parameter. Never by variable name: two files that both say `fastify` are two different things.
 */
export type InstanceKey = ts.CallExpression | ts.ParameterDeclaration;

/** Methods that return the instance itself, so `app.register(a).get(...)` still registers on `app`. */
const CHAINABLE = new Set(['register', 'addHook', 'decorate', 'decorateRequest', 'decorateReply', 'after', 'withTypeProvider', 'setErrorHandler', 'setNotFoundHandler', 'addContentTypeParser', 'addSchema', 'setValidatorCompiler', 'setSerializerCompiler', 'get', 'post', 'put', 'patch', 'delete', 'options', 'head', 'all', 'route']);

export const FASTIFY_HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'options', 'head', 'all', 'search', 'trace', 'propfind', 'proppatch', 'mkcol', 'copy', 'move', 'lock', 'unlock'];
const API = new Set([...FASTIFY_HTTP_METHODS, 'route', 'register', 'addHook', 'decorate', 'decorateRequest']);

/** A call made on an instance (`fastify.get(...)`), with the API method name. */
export interface InstanceCall {
  call: ts.CallExpression;
  method: string;
}

/** A call that hands an instance to a project function: `registerRoutes(app)`. */
export interface InstancePass {
  call: ts.CallExpression;
  fn: FunctionNode;
  paramIndex: number;
}

/** Every Fastify API call in the project, grouped by the instance it is made on. */
export class FastifyInstances {
  readonly calls = new Map<InstanceKey, InstanceCall[]>();
  readonly passes = new Map<InstanceKey, InstancePass[]>();
  readonly roots: ts.CallExpression[] = [];

  constructor(
    private readonly resolver: Resolver,
    files: Iterable<ts.SourceFile>,
  ) {
    for (const sf of files) {
      const visit = (n: ts.Node): void => {
        if (ts.isCallExpression(n)) this.index(n);
        ts.forEachChild(n, visit);
      };
      visit(sf);
    }
  }

  private index(call: ts.CallExpression): void {
    const callee = call.expression;
    if (ts.isPropertyAccessExpression(callee) && API.has(callee.name.text)) {
      const key = this.instanceOf(callee.expression);
      if (key) push(this.calls, key, { call, method: callee.name.text });
    }
    if (call.arguments.length === 0 || (ts.isPropertyAccessExpression(callee) && callee.name.text === 'register')) return;
    let fn: FunctionNode | undefined;
    call.arguments.forEach((arg, i) => {
      const u = unwrap(arg);
      if (!ts.isIdentifier(u) && !ts.isPropertyAccessExpression(u) && u.kind !== ts.SyntaxKind.ThisKeyword) return;
      const key = this.instanceOf(u);
      if (!key) return;
      if (fn === undefined) {
        const v = this.resolver.value(call.expression);
        if (v.kind !== 'node' || !isFunctionNode(v.node)) return;
        fn = v.node;
      }
      push(this.passes, key, { call, fn, paramIndex: i });
    });
  }

  /** The instance an expression evaluates to, if it is one. */
  instanceOf(expr: ts.Node): InstanceKey | undefined {
    let e = unwrap(expr);
    // app.register(a).register(b): walk chains back to the receiver.
    while (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && CHAINABLE.has(e.expression.name.text)) {
      e = unwrap(e.expression.expression);
    }
    return this.instanceOfValue(this.resolver.value(e), 0);
  }

  private instanceOfValue(v: Value, depth: number): InstanceKey | undefined {
    if (depth > 6) return undefined;
    if (v.kind === 'param') return v.path.length === 0 ? v.node : undefined;
    if (v.kind !== 'node') return undefined;
    const node = unwrap(v.node);
    if (!ts.isCallExpression(node)) return undefined;
    if (ts.isPropertyAccessExpression(node.expression) && CHAINABLE.has(node.expression.name.text)) {
      return this.instanceOf(node);
    }
    const callee = this.resolver.value(node.expression);
    if (callee.kind === 'external' && callee.pkg === 'fastify' && isFactoryPath(callee.path)) {
      if (!this.roots.includes(node)) this.roots.push(node);
      return node;
    }
    // A factory: function buildApp() { const app = Fastify(); ...; return app }
    if (callee.kind === 'node' && isFunctionNode(callee.node)) {
      for (const ret of returnedExpressions(callee.node)) {
        const key = this.instanceOfValue(this.resolver.value(ret), depth + 1);
        if (key && ts.isCallExpression(key)) return key;
      }
    }
    return undefined;
  }
}

/** `Fastify()`, `fastify.fastify()`, `fastify.default()` and `require('fastify')()` all create an instance. */
function isFactoryPath(path: string[]): boolean {
  return path.length === 0 || (path.length === 1 && (path[0] === 'fastify' || path[0] === 'default'));
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
