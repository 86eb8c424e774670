import { ts } from 'ts-morph';
import { findRefusal } from '../../analysis/guard-evidence.js';
import { testsAbsence } from '../../analysis/optional-auth.js';
import { isFunctionNode, type FunctionNode } from '../../syntax/functions.js';
import { snippet } from '../../syntax/loc.js';
import { findDeclaration } from '../../syntax/scope.js';
import { unwrap, type Resolver } from '../../syntax/resolve.js';

/**
 * Where a guard hook lets a request through without checking it. Hooks shared by many routes often
 * skip some of them: `if (request.url.startsWith('/api/auth/login')) return`, or read a per-route
 * opt-out `if (request.routeOptions.config.public) return`. The skip is decided per route (see
 * `skipVerdict`); a hook is no guard for a route whose requests may take the skip.
 */
export interface HookSkip {
  /** The request is let through when this holds. */
  when: ts.Expression;
  /** `!cond` when the check only runs inside `if (cond) { ... }`. */
  negated: boolean;
  fn: FunctionNode;
}

export interface HookSkips {
  skips: HookSkip[];
  /** Set when the hook passes requests that carry no credentials (optional authentication). */
  optional?: string;
}

/** The route facts a skip condition can read. */
export interface RouteFacts {
  /** Full path as registered (`/api/tasks/:id`). */
  path: string;
  methods: string[];
  /** The route's `config` option, when written as an object literal; `undefined` when it has none. */
  config: ts.ObjectLiteralExpression | undefined | 'unreadable';
}

/** The early exits of a hook that do not refuse, and the checks that only run under a route condition. */
export function findHookSkips(fn: FunctionNode): HookSkips {
  const out: HookSkips = { skips: [] };
  if (!fn.body || !ts.isBlock(fn.body)) return out;
  const done = fn.parameters[2] && ts.isIdentifier(fn.parameters[2].name) ? fn.parameters[2].name.text : undefined;
  const visit = (n: ts.Node): void => {
    if (isFunctionNode(n)) return;
    if (ts.isIfStatement(n)) {
      const routeDependent = readsRoute(n.expression, fn);
      if (exitsWithoutRefusing(n.thenStatement, done, fn)) {
        if (routeDependent) out.skips.push({ when: n.expression, negated: false, fn });
        else if (!out.optional && testsAbsence(n.expression) && readsLocal(n.expression, fn)) out.optional = snippet(n.expression, 50);
      } else if (routeDependent && !n.elseStatement && n.parent === fn.body && refusesOnlyInside(fn.body as ts.Block, n)) {
        out.skips.push({ when: n.expression, negated: true, fn });
      }
    }
    ts.forEachChild(n, visit);
  };
  fn.body.statements.forEach(visit);
  return out;
}

/** Leaves the hook (return, or calling done) without answering 401/403 or throwing. */
function exitsWithoutRefusing(branch: ts.Statement, done: string | undefined, fn: FunctionNode): boolean {
  if (findRefusal(branch)) return false;
  let exits = false;
  let throws = false;
  const visit = (n: ts.Node): void => {
    if (isFunctionNode(n)) return;
    if (ts.isThrowStatement(n)) throws = true;
    if (ts.isReturnStatement(n)) exits = true;
    if (done && ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === done) {
      // done(err) fails the request; done() lets it through.
      if (n.arguments.length === 0) exits = true;
      else throws = true;
    }
    ts.forEachChild(n, visit);
  };
  visit(branch);
  return exits && !throws && !answers(branch, fn);
}

/**
 * The branch answers the request itself, so the handler does not run: `reply.send(...)`,
 * `reply.code(503)`, `reply.redirect(...)`, or a helper given the reply (`rejectToken(reply, ...)`).
 */
function answers(branch: ts.Node, fn: FunctionNode): boolean {
  const reply = fn.parameters[1];
  const isReply = (n: ts.Node) => !!reply && ts.isIdentifier(n) && findDeclaration(n.text, n) === reply;
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found || isFunctionNode(n)) return;
    if (ts.isCallExpression(n)) {
      const callee = n.expression;
      if (ts.isPropertyAccessExpression(callee) && /^(send|redirect|callNotFound|code|status|view|sendFile)$/.test(callee.name.text)) found = true;
      if (n.arguments.some((a) => isReply(unwrap(a)))) found = true;
    }
    ts.forEachChild(n, visit);
  };
  visit(branch);
  return found;
}

/** Every refusal of the hook sits inside this if statement (so the check runs only when its condition holds). */
function refusesOnlyInside(body: ts.Block, inner: ts.IfStatement): boolean {
  if (!findRefusal(inner.thenStatement) && !callsJwtVerify(inner.thenStatement)) return false;
  return body.statements.every((st) => st === inner || (!findRefusal(st) && !callsJwtVerify(st)));
}

function callsJwtVerify(n: ts.Node): boolean {
  return /\bjwtVerify\s*\(/.test(n.getText());
}

// ---------------------------------------------------------------------------------------------------
// What a condition reads.

type Access =
  | { kind: 'url' } // the raw request URL, chosen by the client (query string included)
  | { kind: 'routePath' } // the path the route was registered with
  | { kind: 'method' }
  | { kind: 'config'; path: string[] }
  | { kind: 'is404' }
  | { kind: 'request' } // anything else on the request: headers, session, body — the client's
  | { kind: 'other' };

const CONFIG_ROOTS = ['request.routeOptions.config', 'request.routeConfig', 'request.context.config', 'reply.context.config', 'reply.routeOptions.config'];
const URLS = new Set(['request.url', 'request.raw.url', 'request.originalUrl', 'request.raw.originalUrl']);
const ROUTE_PATHS = new Set(['request.routerPath', 'request.routeOptions.url', 'request.routeConfig.url', 'request.context.config.url', 'reply.context.config.url']);
const METHODS = new Set(['request.method', 'request.raw.method', 'request.routeOptions.method']);

/** `request.routeOptions.config.auth` → `['request','routeOptions','config','auth']`, through local aliases. */
function accessPath(expr: ts.Node, fn: FunctionNode, depth = 0): string[] | undefined {
  if (depth > 6) return undefined;
  const e = unwrap(expr);
  if (ts.isPropertyAccessExpression(e)) {
    const base = accessPath(e.expression, fn, depth + 1);
    return base && [...base, e.name.text];
  }
  if (ts.isElementAccessExpression(e) && ts.isStringLiteralLike(e.argumentExpression)) {
    const base = accessPath(e.expression, fn, depth + 1);
    return base && [...base, e.argumentExpression.text];
  }
  if (!ts.isIdentifier(e)) return undefined;
  const [request, reply] = fn.parameters;
  const decl = findDeclaration(e.text, e);
  if (!decl) return undefined;
  if (decl === request) return ['request'];
  if (decl === reply) return ['reply'];
  if (!isInside(decl, fn)) return undefined;
  // const cfg = request.routeOptions.config
  if (ts.isVariableDeclaration(decl) && decl.initializer && ts.isIdentifier(decl.name)) {
    if (!isConst(decl)) return undefined;
    return accessPath(decl.initializer, fn, depth + 1);
  }
  // const { config } = request.routeOptions; const { url } = request
  if (ts.isBindingElement(decl) && ts.isObjectBindingPattern(decl.parent) && ts.isVariableDeclaration(decl.parent.parent)) {
    const holder = decl.parent.parent;
    if (!holder.initializer || !isConst(holder)) return undefined;
    const base = accessPath(holder.initializer, fn, depth + 1);
    const key = (decl.propertyName ?? decl.name).getText();
    return base && [...base, key];
  }
  // (request) destructured in the parameter list: ({ url }, reply) => ...
  if (ts.isBindingElement(decl) && decl.parent === request?.name) return ['request', (decl.propertyName ?? decl.name).getText()];
  return undefined;
}

function classifyAccess(path: string[] | undefined): Access {
  if (!path) return { kind: 'other' };
  const text = path.join('.');
  if (URLS.has(text)) return { kind: 'url' };
  if (ROUTE_PATHS.has(text)) return { kind: 'routePath' };
  if (METHODS.has(text)) return { kind: 'method' };
  if (text === 'request.is404') return { kind: 'is404' };
  for (const root of CONFIG_ROOTS) {
    if (text === root || text.startsWith(`${root}.`)) return { kind: 'config', path: path.slice(root.split('.').length) };
  }
  return path[0] === 'request' || path[0] === 'reply' ? { kind: 'request' } : { kind: 'other' };
}

/** Whether a condition depends on which route the request is for. */
function readsRoute(cond: ts.Expression, fn: FunctionNode): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found || isFunctionNode(n)) return;
    if (ts.isPropertyAccessExpression(n) || ts.isIdentifier(n) || ts.isElementAccessExpression(n)) {
      const kind = classifyAccess(accessPath(n, fn)).kind;
      if (kind === 'url' || kind === 'routePath' || kind === 'method' || kind === 'config' || kind === 'is404') {
        found = true;
        return;
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(cond);
  return found;
}

/** Whether a condition reads the hook's parameters or its locals (not a module-level switch). */
function readsLocal(cond: ts.Expression, fn: FunctionNode): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(n)) {
      const decl = findDeclaration(n.text, n);
      if (decl && isInside(decl, fn)) found = true;
    }
    ts.forEachChild(n, visit);
  };
  visit(cond);
  return found;
}


// ---------------------------------------------------------------------------------------------------
// Evaluating a condition for one route: T always holds, F never, M holds for some requests (the
// client can choose them), U cannot be told.

type Truth = 'T' | 'F' | 'M' | 'U';
type Val =
  | { kind: 'lit'; value: string | number | boolean | null | undefined }
  | { kind: 'list'; values: (string | number | boolean | null)[] }
  | { kind: 'url' }
  | { kind: 'routePath' }
  | { kind: 'method' }
  | { kind: 'request' }
  | { kind: 'unknown' };

/** Whether a route's requests may take the skip: 'skips', 'never', or 'unknown' (with the condition's text). */
export function skipVerdict(skip: HookSkip, route: RouteFacts, resolver: Resolver): 'skips' | 'never' | 'unknown' {
  const t = new SkipEvaluator(skip.fn, route, resolver).truth(skip.when);
  const truth = skip.negated ? not(t) : t;
  return truth === 'F' ? 'never' : truth === 'U' ? 'unknown' : 'skips';
}

function not(t: Truth): Truth {
  return t === 'T' ? 'F' : t === 'F' ? 'T' : t;
}

class SkipEvaluator {
  constructor(
    private readonly fn: FunctionNode,
    private readonly route: RouteFacts,
    private readonly resolver: Resolver,
  ) {}

  truth(expr: ts.Expression): Truth {
    const e = unwrap(expr);
    if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) return not(this.truth(e.operand));
    if (ts.isBinaryExpression(e)) {
      const op = e.operatorToken.kind;
      if (op === ts.SyntaxKind.AmpersandAmpersandToken) return and(this.truth(e.left), this.truth(e.right));
      if (op === ts.SyntaxKind.BarBarToken) return or(this.truth(e.left), this.truth(e.right));
      if (op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken) return this.equals(e.left, e.right);
      if (op === ts.SyntaxKind.ExclamationEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken) return not(this.equals(e.left, e.right));
    }
    if (ts.isCallExpression(e)) return this.call(e);
    return this.truthy(this.value(e as ts.Expression));
  }

  private value(expr: ts.Expression): Val {
    const e = unwrap(expr);
    if (ts.isStringLiteralLike(e)) return { kind: 'lit', value: e.text };
    if (ts.isNumericLiteral(e)) return { kind: 'lit', value: Number(e.text) };
    if (e.kind === ts.SyntaxKind.TrueKeyword) return { kind: 'lit', value: true };
    if (e.kind === ts.SyntaxKind.FalseKeyword) return { kind: 'lit', value: false };
    if (e.kind === ts.SyntaxKind.NullKeyword) return { kind: 'lit', value: null };
    if (ts.isIdentifier(e) && e.text === 'undefined') return { kind: 'lit', value: undefined };
    // request.routeOptions.url ?? '': a registered route always has its path and method.
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken) {
      const left = this.value(e.left);
      return left.kind === 'routePath' || left.kind === 'method' || left.kind === 'url' ? left : { kind: 'unknown' };
    }
    const access = classifyAccess(accessPath(e, this.fn));
    switch (access.kind) {
      case 'url':
        return { kind: 'url' };
      case 'routePath':
        return { kind: 'routePath' };
      case 'method':
        return { kind: 'method' };
      case 'is404':
        return { kind: 'lit', value: false }; // the route exists
      case 'config':
        return this.configValue(access.path);
      case 'request':
        return { kind: 'request' };
    }
    // A module constant: const PUBLIC = ['/health', '/login'] or a string.
    const v = this.resolver.value(e);
    if (v.kind === 'node') {
      let node = unwrap(v.node);
      if (ts.isNewExpression(node) && node.expression.getText() === 'Set' && node.arguments?.[0]) node = unwrap(node.arguments[0]);
      if (ts.isArrayLiteralExpression(node)) {
        const values: (string | number | boolean | null)[] = [];
        for (const el of node.elements) {
          const x = this.value(el as ts.Expression);
          if (x.kind !== 'lit' || x.value === undefined) return { kind: 'unknown' };
          values.push(x.value);
        }
        return { kind: 'list', values };
      }
      if (node !== e && (ts.isStringLiteralLike(node) || ts.isNumericLiteral(node))) return this.value(node as ts.Expression);
    }
    return { kind: 'unknown' };
  }

  private configValue(path: string[]): Val {
    const { config } = this.route;
    if (config === 'unreadable') return { kind: 'unknown' };
    if (path.length === 0) return { kind: 'lit', value: true }; // the config object always exists
    let obj: ts.ObjectLiteralExpression | undefined = config;
    for (let i = 0; i < path.length; i++) {
      if (!obj) return { kind: 'lit', value: undefined };
      if (obj.properties.some((p) => ts.isSpreadAssignment(p))) return { kind: 'unknown' };
      const prop = obj.properties.find((p) => p.name && (ts.isIdentifier(p.name) || ts.isStringLiteralLike(p.name)) && p.name.text === path[i]);
      if (!prop) return { kind: 'lit', value: undefined };
      if (!ts.isPropertyAssignment(prop)) return { kind: 'unknown' };
      const init = unwrap(prop.initializer);
      if (i === path.length - 1) {
        const v = this.value(init as ts.Expression);
        return v.kind === 'lit' ? v : { kind: 'unknown' };
      }
      if (!ts.isObjectLiteralExpression(init)) return { kind: 'unknown' };
      obj = init;
    }
    return { kind: 'unknown' };
  }

  private truthy(v: Val): Truth {
    switch (v.kind) {
      case 'lit':
        return v.value ? 'T' : 'F';
      case 'list':
      case 'url':
      case 'routePath':
      case 'method':
        return 'T';
      case 'request':
        return 'M';
      case 'unknown':
        return 'U';
    }
  }

  private equals(left: ts.Expression, right: ts.Expression): Truth {
    const a = this.value(left);
    const b = this.value(right);
    const [x, y] = a.kind === 'lit' ? [b, a] : [a, b];
    if (x.kind === 'request' || y.kind === 'request') return 'M';
    if (y.kind !== 'lit') return 'U';
    switch (x.kind) {
      case 'lit':
        return x.value === y.value ? 'T' : 'F';
      case 'url':
        return typeof y.value === 'string' && urlCanEqual(this.route.path, y.value) ? 'M' : typeof y.value === 'string' ? 'F' : 'U';
      case 'routePath':
        return y.value === this.route.path ? 'T' : 'F';
      case 'method':
        return this.methodIs(y.value);
      default:
        return 'U';
    }
  }

  private methodIs(value: unknown): Truth {
    if (typeof value !== 'string') return 'F';
    const methods = this.route.methods;
    if (methods.includes('ALL') || methods.some((m) => m.startsWith('<'))) return 'M';
    const hits = methods.filter((m) => m === value.toUpperCase()).length;
    return hits === 0 ? 'F' : hits === methods.length ? 'T' : 'M';
  }

  private call(call: ts.CallExpression): Truth {
    const callee = unwrap(call.expression);
    if (!ts.isPropertyAccessExpression(callee)) return this.opaque(call);
    const name = callee.name.text;
    const arg = call.arguments[0];
    // /^\/public/.test(request.url)
    if (name === 'test' && arg && ts.isRegularExpressionLiteral(unwrap(callee.expression))) {
      const subject = this.value(arg);
      if (subject.kind === 'request') return 'M';
      if (subject.kind !== 'routePath') return subject.kind === 'url' ? 'U' : this.opaque(call);
      const m = /^\/(.*)\/([a-z]*)$/s.exec(unwrap(callee.expression).getText());
      return m && new RegExp(m[1], m[2]).test(this.route.path) ? 'T' : 'F';
    }
    // PUBLIC.includes(request.url), PUBLIC_PATHS.has(request.routeOptions.url)
    if ((name === 'includes' || name === 'has') && arg) {
      const list = this.value(callee.expression);
      if (list.kind === 'list') {
        const subject = this.value(arg);
        if (subject.kind === 'request') return 'M';
        return list.values.map((v) => this.equalsValue(subject, v)).reduce(or, 'F');
      }
    }
    if (['startsWith', 'endsWith', 'includes'].includes(name) && arg) {
      const subject = this.value(callee.expression);
      const needle = this.value(arg);
      if (subject.kind === 'request') return 'M';
      if (needle.kind !== 'lit' || typeof needle.value !== 'string') return this.opaque(call);
      const text = needle.value;
      if (subject.kind === 'routePath') {
        const p = this.route.path;
        return (name === 'startsWith' ? p.startsWith(text) : name === 'endsWith' ? p.endsWith(text) : p.includes(text)) ? 'T' : 'F';
      }
      if (subject.kind === 'url') {
        // The client writes the URL: a query string can end with or contain anything.
        if (name !== 'startsWith') return 'M';
        if (text.includes('%')) return 'U';
        if (!urlCanStartWith(this.route.path, text)) return 'F';
        return staticPrefix(this.route.path).startsWith(text) ? 'T' : 'M';
      }
    }
    return this.opaque(call);
  }

  private equalsValue(subject: Val, value: string | number | boolean | null): Truth {
    switch (subject.kind) {
      case 'lit':
        return subject.value === value ? 'T' : 'F';
      case 'url':
        return typeof value === 'string' && urlCanEqual(this.route.path, value) ? 'M' : 'F';
      case 'routePath':
        return value === this.route.path ? 'T' : 'F';
      case 'method':
        return this.methodIs(value);
      case 'request':
        return 'M';
      default:
        return 'U';
    }
  }

  /** A call the evaluator does not model: the client's choice if it reads the request, else unknown. */
  private opaque(call: ts.CallExpression): Truth {
    let readsRequest = false;
    const visit = (n: ts.Node): void => {
      if (readsRequest) return;
      if (ts.isIdentifier(n) && ['request', 'reply'].includes(accessPath(n, this.fn)?.[0] ?? '')) readsRequest = true;
      ts.forEachChild(n, visit);
    };
    visit(call);
    return readsRequest ? 'M' : 'U';
  }
}

function and(a: Truth, b: Truth): Truth {
  if (a === 'F' || b === 'F') return 'F';
  if (a === 'T' && b === 'T') return 'T';
  if (a === 'U' || b === 'U') return 'U';
  return 'M';
}

function or(a: Truth, b: Truth): Truth {
  if (a === 'T' || b === 'T') return 'T';
  if (a === 'F' && b === 'F') return 'F';
  if (a === 'U' || b === 'U') return 'U';
  return 'M';
}

// ---------------------------------------------------------------------------------------------------
// Which raw URLs a route serves. Parameters match any run of characters but `/`, `*` anything; after
// the path the client may add `?query` (and `/` where trailing slashes are ignored).

type Token = { kind: 'char'; c: string } | { kind: 'param' } | { kind: 'wild' };

function tokens(path: string): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (c === '*') out.push({ kind: 'wild' });
    else if (c === ':' && path[i + 1] !== ':') {
      // :id, :id(\\d+), :id? — up to the next / (a regexp constraint may hold one)
      let j = i + 1;
      let depth = 0;
      while (j < path.length && (depth > 0 || path[j] !== '/')) {
        if (path[j] === '(') depth++;
        if (path[j] === ')') depth--;
        j++;
      }
      out.push({ kind: 'param' });
      i = j - 1;
    } else if (c === ':' && path[i + 1] === ':') {
      out.push({ kind: 'char', c: ':' }); // '::' is an escaped colon
      i++;
    } else out.push({ kind: 'char', c });
  }
  return out;
}

/** Whether some URL the route serves starts with `text`. */
export function urlCanStartWith(path: string, text: string): boolean {
  const toks = tokens(path);
  const walk = (ti: number, li: number): boolean => {
    if (li >= text.length) return true;
    // After the path: a query string, or one trailing slash (served when ignoreTrailingSlash is on).
    if (ti >= toks.length) return text[li] === '?' || (text[li] === '/' && (li + 1 >= text.length || text[li + 1] === '?'));
    const t = toks[ti];
    if (t.kind === 'wild') return true;
    if (t.kind === 'char') return t.c === text[li] && walk(ti + 1, li + 1);
    for (let k = li; ; k++) {
      if (walk(ti + 1, k)) return true;
      if (k >= text.length || text[k] === '/' || text[k] === '?') return k >= text.length;
    }
  };
  return walk(0, 0);
}

/** Whether some URL the route serves is exactly `text` (its query string aside). */
function urlCanEqual(path: string, text: string): boolean {
  const [pathPart] = text.split('?');
  const toks = tokens(path);
  const walk = (ti: number, li: number): boolean => {
    if (ti >= toks.length) return li === pathPart.length || (li === pathPart.length - 1 && pathPart[li] === '/');
    const t = toks[ti];
    if (t.kind === 'wild') return true;
    if (t.kind === 'char') return li < pathPart.length && t.c === pathPart[li] && walk(ti + 1, li + 1);
    for (let k = li; k <= pathPart.length; k++) {
      if (walk(ti + 1, k)) return true;
      if (pathPart[k] === '/') return false;
    }
    return false;
  };
  return walk(0, 0);
}

/** The literal start of a route path, up to its first parameter or wildcard. */
function staticPrefix(path: string): string {
  const m = /[:*]/.exec(path);
  return m ? path.slice(0, m.index) : path;
}

function isConst(decl: ts.VariableDeclaration): boolean {
  return ts.isVariableDeclarationList(decl.parent) && (decl.parent.flags & ts.NodeFlags.Const) !== 0;
}

function isInside(node: ts.Node, container: ts.Node): boolean {
  return node.getSourceFile() === container.getSourceFile() && node.pos >= container.pos && node.end <= container.end;
}
