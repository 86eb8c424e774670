import { ts } from 'ts-morph';
import { reassignedValues } from './reassignment.js';
import { findRefusal } from './guard-evidence.js';
import { testsAbsence } from './optional-auth.js';
import { isFunctionNode, type FunctionNode } from '../syntax/functions.js';
import { snippet } from '../syntax/loc.js';
import { findDeclaration } from '../syntax/scope.js';
import { unwrap, type Resolver } from '../syntax/resolve.js';

/**
 * Where a guard hook (Fastify) or middleware (Express) lets a request through without checking it. Guards
 * shared by many routes often skip some of them: `if (request.url.startsWith('/api/auth/login')) return`,
 * `if (PUBLIC.some((p) => req.path.startsWith(p))) return next()`, or read a per-route opt-out
 * `if (request.routeOptions.config.public) return`. The skip is decided per route (see `skipVerdict`); a
 * guard is no guard for a route whose requests may take the skip.
 */
export interface HookSkip {
  /** The request is let through when this holds. */
  when: ts.Expression;
  /** `!cond` when the check only runs inside `if (cond) { ... }`. */
  negated: boolean;
  fn: FunctionNode;
  /** Conditions of the `if`s the skip sits in, which must hold too (`negated`: it sits in their `else`). */
  within?: { expr: ts.Expression; negated: boolean }[];
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
  /**
   * Express: the path the middleware is mounted at. Its `req.path` and `req.url` are relative to it;
   * `req.originalUrl` is not.
   */
  mount?: string;
  methods: string[];
  /** The route's `config` option, when written as an object literal; `undefined` when it has none. */
  config: ts.ObjectLiteralExpression | undefined | 'unreadable';
}

/** The early exits of a hook that do not refuse, and the checks that only run under a route condition. */
/** `nextIndex`: the position of the continuation parameter (Fastify's `done` and Express's `next` are third, Hono's `next` second). */
/** `resolver`: to read a predicate the condition hands the request to (`if (this.authNotNeeded(req)) return next()`). */
export function findHookSkips(fn: FunctionNode, nextIndex = 2, resolver?: Resolver): HookSkips {
  const out: HookSkips = { skips: [] };
  if (!fn.body || !ts.isBlock(fn.body)) return out;
  const doneParam = fn.parameters[nextIndex];
  const done = doneParam && ts.isIdentifier(doneParam.name) ? doneParam.name.text : undefined;
  // An exit after the guard has refused anonymous callers skips only what follows: `if (!user) 401; if (GET) next()`.
  const firstRefusal = findRefusal(fn.body);
  const visit = (n: ts.Node): void => {
    if (isFunctionNode(n)) return;
    if (firstRefusal && n.getStart() >= firstRefusal.node.getEnd()) return;
    if (ts.isIfStatement(n)) {
      const routeDependent = readsRoute(n.expression, fn, resolver);
      if (exitsWithoutRefusing(n.thenStatement, done, fn)) {
        if (routeDependent) out.skips.push({ when: n.expression, negated: false, fn, within: enclosingTests(n, fn) });
        else if (!out.optional && testsAbsence(n.expression) && readsLocal(n.expression, fn)) out.optional = snippet(n.expression, 50);
      } else if (routeDependent && n.elseStatement && !ts.isIfStatement(n.elseStatement) && exitsWithoutRefusing(n.elseStatement, done, fn)) {
        // if (/\/api\//.test(req.path)) { ...checks... } else { next() }
        out.skips.push({ when: n.expression, negated: true, fn, within: enclosingTests(n, fn) });
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
    // An exit inside a nested test is that test's own skip (found with this one as its `within`).
    if (n !== branch && (ts.isIfStatement(n) || ts.isSwitchStatement(n) || ts.isConditionalExpression(n))) return;
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
  | { kind: 'url'; original?: boolean } // the raw request URL, chosen by the client (query string included)
  | { kind: 'pathname' } // the URL's path alone (Express `req.path`): the client cannot add a query to it
  | { kind: 'routePath' } // the path the route was registered with
  | { kind: 'method' }
  | { kind: 'config'; path: string[] }
  | { kind: 'is404' }
  | { kind: 'request' } // anything else on the request: headers, session, body — the client's
  | { kind: 'other' };

const CONFIG_ROOTS = ['request.routeOptions.config', 'request.routeConfig', 'request.context.config', 'reply.context.config', 'reply.routeOptions.config'];
const URLS = new Set(['request.url', 'request.raw.url']);
/** Express: the URL as the client sent it, whatever router the middleware sits in. */
const ORIGINAL_URLS = new Set(['request.originalUrl', 'request.raw.originalUrl']);
/** Express `req.path`, Hono `c.req.path`: the path without the query string. */
const PATHNAMES = new Set(['request.path', 'request.req.path']);
const ROUTE_PATHS = new Set(['request.routerPath', 'request.routeOptions.url', 'request.routeConfig.url', 'request.context.config.url', 'reply.context.config.url', 'request.req.routePath']);
const METHODS = new Set(['request.method', 'request.raw.method', 'request.routeOptions.method', 'request.req.method']);

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
  if (ORIGINAL_URLS.has(text)) return { kind: 'url', original: true };
  if (PATHNAMES.has(text)) return { kind: 'pathname' };
  if (ROUTE_PATHS.has(text)) return { kind: 'routePath' };
  if (METHODS.has(text)) return { kind: 'method' };
  if (text === 'request.is404') return { kind: 'is404' };
  for (const root of CONFIG_ROOTS) {
    if (text === root || text.startsWith(`${root}.`)) return { kind: 'config', path: path.slice(root.split('.').length) };
  }
  return path[0] === 'request' || path[0] === 'reply' ? { kind: 'request' } : { kind: 'other' };
}

/** Whether a condition depends on which route the request is for. */
function readsRoute(cond: ts.Expression, fn: FunctionNode, resolver: Resolver | undefined, seen = new Set<ts.Node>()): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    // A callback in the condition is evaluated in place (`PUBLIC.some((p) => req.path.startsWith(p))`).
    if (found || (isFunctionNode(n) && !(n.parent && ts.isCallExpression(n.parent) && n.parent.arguments.includes(n as ts.Expression)))) return;
    // `this.authNotNeeded(req)`: the predicate's own test, with the request it is handed.
    const predicate = resolver && ts.isCallExpression(n) ? requestPredicate(n, fn, resolver) : undefined;
    if (predicate && !seen.has(predicate.test)) {
      seen.add(predicate.test);
      if (readsRoute(predicate.test, predicate.fn, resolver, seen)) {
        found = true;
        return;
      }
    }
    if (ts.isPropertyAccessExpression(n) || ts.isIdentifier(n) || ts.isElementAccessExpression(n)) {
      const kind = classifyAccess(accessPath(n, fn)).kind;
      // const isPublic = PUBLIC.some((p) => req.path.startsWith(p)); if (isPublic) ...
      const local = ts.isIdentifier(n) ? localConstant(n, fn) : undefined;
      if (local && !seen.has(local)) {
        seen.add(local);
        if (readsRoute(local, fn, resolver, seen)) {
          found = true;
          return;
        }
      }
      if (kind === 'url' || kind === 'pathname' || kind === 'routePath' || kind === 'method' || kind === 'config' || kind === 'is404') {
        found = true;
        return;
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(cond);
  return found;
}

/**
 * A project function handed the request as its first argument that computes one test of it
 * (`authNotNeeded(req) { return req.method === 'GET' && ... }`): the test, read with its own parameters.
 */
function requestPredicate(call: ts.CallExpression, fn: FunctionNode, resolver: Resolver): { fn: FunctionNode; test: ts.Expression } | undefined {
  const first = call.arguments[0];
  if (!first || accessPath(first, fn)?.join('.') !== 'request') return undefined;
  const callee = resolver.value(call.expression);
  const helper = callee.kind === 'node' ? unwrap(callee.node) : undefined;
  if (!helper || !isFunctionNode(helper) || helper === fn) return undefined;
  const test = singleExpression(helper);
  return test ? { fn: helper, test } : undefined;
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
// Evaluating a condition for one route: T holds for the route's own requests (the skip names it), F
// never, M only for requests a client crafts to take it (a bypass), U cannot be told.

type Truth = 'T' | 'F' | 'M' | 'U';
type Val =
  | { kind: 'lit'; value: string | number | boolean | null | undefined }
  | { kind: 'list'; values: (string | number | boolean | null)[] }
  /** The raw URL (query string included), matched against `path`. */
  | { kind: 'url'; path: string }
  /** The URL's path alone, matched against `path`. */
  | { kind: 'pathname'; path: string }
  | { kind: 'routePath' }
  | { kind: 'method' }
  | { kind: 'request' }
  /** A regular expression, some of its source unknown (`new RegExp(`^${base}/api`)`): see `Pattern`. */
  | { kind: 'pattern'; pattern: Pattern }
  | { kind: 'patterns'; values: Pattern[] }
  | { kind: 'unknown' };

/**
 * A regular expression whose source may hold parts the scan cannot know: `wide` reads each unknown part as
 * anything (it matches whatever the real one can), `narrow` as nothing (what it matches, the real one does).
 */
interface Pattern {
  wide: RegExp;
  narrow: RegExp;
}

/**
 * Whether a route's requests take the skip: 'skips' (the skip names the route: the project made it public),
 * 'bypass' (only a request crafted for it does: `example` is one), 'never', or 'unknown'.
 */
export function skipVerdict(skip: HookSkip, route: RouteFacts, resolver: Resolver): { verdict: 'skips' | 'bypass' | 'never' | 'unknown'; example?: string } {
  const evaluator = new SkipEvaluator(skip.fn, route, resolver);
  const t = evaluator.truth(skip.when);
  // Inside `if (ANALYTICS.some(...)) { if (isPublic(site)) return }`: the outer test must hold too.
  const truth = (skip.within ?? []).reduce((acc, w) => {
    const inner = evaluator.truth(w.expr);
    return and(acc, w.negated ? not(inner) : inner);
  }, skip.negated ? not(t) : t);
  if (truth === 'M') return { verdict: 'bypass', example: evaluator.example };
  return { verdict: truth === 'F' ? 'never' : truth === 'U' ? 'unknown' : 'skips' };
}

function not(t: Truth): Truth {
  return t === 'T' ? 'F' : t === 'F' ? 'T' : t;
}

/** Callbacks over a list that a skip condition may test each entry with: `PUBLIC.some((p) => url.startsWith(p))`. */
const LIST_TESTS = new Set(['some', 'find', 'findIndex', 'every']);
/** Calls that keep a subset of a list; the skip is judged on the whole list, as deployed by default. */
const LIST_SUBSETS = new Set(['filter', 'slice', 'concat']);

class SkipEvaluator {
  /** Callback parameters bound to one entry of a list while its test is evaluated. */
  private readonly bindings = new Map<ts.Node, Val>();
  /** Locals being followed, so a self-referencing initializer cannot loop. */
  private readonly following = new Set<ts.Node>();
  /** A request that takes the skip when the answer is M (`GET /api/users?x=/public`). */
  example: string | undefined;

  private crafted(example: string): Truth {
    this.example ??= example;
    return 'M';
  }

  constructor(
    private readonly fn: FunctionNode,
    private readonly route: RouteFacts,
    private readonly resolver: Resolver,
    /** How many predicates deep this evaluator reads (`this.authNotNeeded(req)` inside the guard). */
    private readonly depth = 0,
  ) {}

  /** The route's path as the middleware sees it (Express strips the mount path from `req.path` and `req.url`). */
  private get relativePath(): string {
    const { mount, path } = this.route;
    if (!mount || mount === '/' || !path.startsWith(mount)) return path;
    return path.slice(mount.length) || '/';
  }

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
    const local = ts.isIdentifier(e) ? this.followLocal(e, (init) => this.truth(init)) : undefined;
    if (local) return local;
    return this.truthy(this.value(e as ts.Expression));
  }

  /** `const isPublic = ...` inside the guard: evaluate its initializer in place. */
  private followLocal<T>(id: ts.Identifier, evaluate: (init: ts.Expression) => T): T | undefined {
    const init = localConstant(id, this.fn);
    if (!init || this.following.has(init)) return undefined;
    this.following.add(init);
    try {
      return evaluate(init);
    } finally {
      this.following.delete(init);
    }
  }

  private value(expr: ts.Expression): Val {
    const e = unwrap(expr);
    if (ts.isStringLiteralLike(e)) return { kind: 'lit', value: e.text };
    if (ts.isNumericLiteral(e)) return { kind: 'lit', value: Number(e.text) };
    if (e.kind === ts.SyntaxKind.TrueKeyword) return { kind: 'lit', value: true };
    if (e.kind === ts.SyntaxKind.FalseKeyword) return { kind: 'lit', value: false };
    if (e.kind === ts.SyntaxKind.NullKeyword) return { kind: 'lit', value: null };
    if (ts.isIdentifier(e) && e.text === 'undefined') return { kind: 'lit', value: undefined };
    if (ts.isIdentifier(e)) {
      const decl = findDeclaration(e.text, e);
      const bound = decl && this.bindings.get(decl);
      if (bound) return bound;
      const local = this.followLocal(e, (init) => this.value(init));
      if (local && local.kind !== 'unknown') return local;
    }
    // request.routeOptions.url ?? '': a registered route always has its path and method.
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken) {
      const left = this.value(e.left);
      if (left.kind === 'lit') return left.value === undefined || left.value === null ? this.value(e.right) : left;
      return left.kind === 'routePath' || left.kind === 'method' || left.kind === 'url' || left.kind === 'pathname' ? left : { kind: 'unknown' };
    }
    if (ts.isElementAccessExpression(e)) {
      const element = this.elementValue(e);
      if (element) return element;
    }
    const access = classifyAccess(accessPath(e, this.fn));
    switch (access.kind) {
      case 'url':
        return { kind: 'url', path: access.original ? this.route.path : this.relativePath };
      case 'pathname':
        return { kind: 'pathname', path: this.relativePath };
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
    // `entry.slice(0, -1)`: a literal cut by literal bounds.
    if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'slice') {
      const text = this.value(e.expression.expression);
      const bounds = e.arguments.map((a) => numberOf(a));
      if (text.kind === 'lit' && typeof text.value === 'string' && bounds.every((b) => b !== undefined)) return { kind: 'lit', value: text.value.slice(...(bounds as number[])) };
    }
    // WHITELIST.filter((u) => !denied.includes(u)): judged on the whole list.
    if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && LIST_SUBSETS.has(e.expression.name.text)) {
      const list = this.value(e.expression.expression);
      return list.kind === 'list' ? list : { kind: 'unknown' };
    }
    const written = this.pattern(e);
    if (written) return { kind: 'pattern', pattern: written };
    // A module constant: const PUBLIC = ['/health', '/login'] or a string; a list of regular expressions.
    const v = this.resolver.value(e);
    if (v.kind === 'node') {
      let node = unwrap(v.node);
      const held = node !== e ? this.pattern(node) : undefined;
      if (held) return { kind: 'pattern', pattern: held };
      const patterns = ts.isArrayLiteralExpression(node) && node.elements.length ? node.elements.map((el) => this.pattern(el)) : [];
      if (patterns.length && patterns.every(Boolean)) return { kind: 'patterns', values: patterns as Pattern[] };
      // static LOGIN_URI = '/login' read as Sso.LOGIN_URI
      if ((ts.isPropertyDeclaration(node) || ts.isPropertyAssignment(node)) && node.initializer) node = unwrap(node.initializer);
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
      if (node !== e && (ts.isStringLiteralLike(node) || ts.isNumericLiteral(node) || ts.isCallExpression(node))) return this.value(node as ts.Expression);
    }
    return { kind: 'unknown' };
  }

  /**
   * `request.url.split('/')[3]`: one segment of the route's path (a parameter there is the client's choice);
   * `NON_AUTH_ROUTES[segment]`: an entry of a constant object literal, for a key known here.
   */
  private elementValue(e: ts.ElementAccessExpression): Val | undefined {
    const base = unwrap(e.expression);
    const index = unwrap(e.argumentExpression);
    if (ts.isCallExpression(base) && ts.isPropertyAccessExpression(base.expression) && base.expression.name.text === 'split' && ts.isNumericLiteral(index)) {
      const separator = base.arguments[0] && unwrap(base.arguments[0]);
      const subject = this.value(base.expression.expression);
      // `request.url.split('?')[0]`: the URL without its query string.
      if (separator && ts.isStringLiteralLike(separator) && separator.text === '?' && index.text === '0' && (subject.kind === 'url' || subject.kind === 'pathname')) {
        return { kind: 'pathname', path: subject.path };
      }
      if (!separator || !ts.isStringLiteralLike(separator) || separator.text !== '/' || (subject.kind !== 'url' && subject.kind !== 'pathname')) return undefined;
      const segment = subject.path.split('/')[Number(index.text)];
      if (segment === undefined) return { kind: 'lit', value: undefined };
      return /^[:*{]/.test(segment) ? { kind: 'request' } : { kind: 'lit', value: segment };
    }
    const table = this.resolver.value(base);
    const object = table.kind === 'node' ? unwrap(table.node as ts.Expression) : undefined;
    const holder = object && ts.isVariableDeclaration(object.parent) ? object.parent : undefined;
    if (!object || !ts.isObjectLiteralExpression(object) || !holder || !isConst(holder)) return undefined;
    const key = this.value(index as ts.Expression);
    if (key.kind === 'request') return { kind: 'request' };
    if (key.kind !== 'lit' || typeof key.value !== 'string') return { kind: 'unknown' };
    if (object.properties.some((p) => !ts.isPropertyAssignment(p))) return { kind: 'unknown' };
    const entry = object.properties.find((p) => ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteralLike(p.name)) && p.name.text === key.value) as ts.PropertyAssignment | undefined;
    return entry ? this.value(entry.initializer) : { kind: 'lit', value: undefined };
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
      case 'pathname':
      case 'routePath':
      case 'method':
        return 'T';
      case 'pattern':
      case 'patterns':
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
    return this.equalsValue(x, y.value ?? null);
  }

  private methodIs(value: unknown): Truth {
    if (typeof value !== 'string') return 'F';
    const methods = this.route.methods;
    // Preflights carry no credentials and handlers do not act on them: skipping OPTIONS opens nothing.
    if (value.toUpperCase() === 'OPTIONS') return 'F';
    if (methods.includes('ALL') || methods.some((m) => m.startsWith('<'))) return this.crafted(`${value.toUpperCase()} ${this.route.path}`);
    const hits = methods.filter((m) => m === value.toUpperCase()).length;
    return hits === 0 ? 'F' : hits === methods.length ? 'T' : 'M';
  }

  private call(call: ts.CallExpression): Truth {
    // `this.authNotNeeded(req)`, `isWhitelisted(pathname)`: the helper's test, with what this call hands it.
    const helped = this.depth < 3 ? this.helperTruth(call) : undefined;
    if (helped) return helped;
    const callee = unwrap(call.expression);
    if (!ts.isPropertyAccessExpression(callee)) return this.opaque(call);
    const name = callee.name.text;
    const arg = call.arguments[0];
    // /^\/public/.test(request.url), IGNORED.some((pattern) => pattern.test(req.path))
    const regex = name === 'test' ? this.value(callee.expression) : undefined;
    if (regex?.kind === 'pattern' && arg) {
      const subject = this.value(arg);
      if (subject.kind === 'request') return 'M';
      const { wide, narrow } = regex.pattern;
      if (subject.kind === 'routePath') return narrow.test(this.route.path) ? 'T' : wide.test(this.route.path) ? 'U' : 'F';
      if (subject.kind === 'pathname') {
        const [certain, possible] = [pathnameMatches(subject.path, narrow), pathnameMatches(subject.path, wide)];
        return certain !== 'F' ? certain : possible === 'F' ? 'F' : 'U';
      }
      return subject.kind === 'url' ? 'U' : this.opaque(call);
    }
    // PUBLIC.some((p) => req.path.startsWith(p)): the test, once for each entry.
    if (LIST_TESTS.has(name) && arg) {
      const list = this.value(callee.expression);
      const cb = unwrap(arg);
      const param = isFunctionNode(cb) ? cb.parameters[0] : undefined;
      if ((list.kind === 'list' || list.kind === 'patterns') && isFunctionNode(cb) && isEvaluable(cb) && param && ts.isIdentifier(param.name)) {
        const entries: Val[] = list.kind === 'list' ? list.values.map((value) => ({ kind: 'lit', value })) : list.values.map((pattern) => ({ kind: 'pattern', pattern }));
        const each = entries.map((entry) => {
          this.bindings.set(param, entry);
          return this.bodyTruth(cb);
        });
        this.bindings.delete(param);
        return name === 'every' ? each.reduce(and, 'T') : each.reduce(or, 'F');
      }
      // A list the scan cannot read may hold any path.
      return list.kind === 'unknown' ? 'U' : this.opaque(call);
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
      // An entry of the list being tested: `entry.endsWith('*')`.
      if (subject.kind === 'lit' && typeof subject.value === 'string') {
        const v = subject.value;
        return (name === 'startsWith' ? v.startsWith(text) : name === 'endsWith' ? v.endsWith(text) : v.includes(text)) ? 'T' : 'F';
      }
      if (subject.kind === 'routePath') {
        const p = this.route.path;
        return (name === 'startsWith' ? p.startsWith(text) : name === 'endsWith' ? p.endsWith(text) : p.includes(text)) ? 'T' : 'F';
      }
      if (subject.kind === 'url' || subject.kind === 'pathname') {
        if (name !== 'startsWith') {
          const p = subject.path;
          const at = name === 'endsWith' ? (p.endsWith(text) ? p.length - text.length : -1) : staticPrefix(p).indexOf(text);
          if (at >= 0) return namesSegments(p, text, at) ? 'T' : this.crafted(`${this.route.methods[0] ?? 'GET'} ${sampleUrl(p)}`);
          // The client writes the URL: a query string can end with or contain anything.
          if (subject.kind === 'url') return this.crafted(`${this.route.methods[0] ?? 'GET'} ${sampleUrl(p)}?x=${text}`);
          return pathnameContains(p, text, name) === 'F' ? 'F' : this.crafted(`${this.route.methods[0] ?? 'GET'} ${text}`);
        }
        if (text.includes('%')) return 'U';
        if (!urlCanStartWith(subject.path, text)) return 'F';
        // A parameter or a trailing slash the client fills in: `/users/:id` against '/users/me'.
        if (!staticPrefix(subject.path).startsWith(text)) return this.crafted(`${this.route.methods[0] ?? 'GET'} ${text}`);
        // '/api/auth/login' also opens '/api/auth/login-history': a prefix that ends inside a segment is an accident.
        return namesSegments(subject.path, text, 0) ? 'T' : this.crafted(`${this.route.methods[0] ?? 'GET'} ${sampleUrl(subject.path)}`);
      }
    }
    return this.opaque(call);
  }

  /**
   * A project function handed the request or values read from it (`authNotNeeded(req)`, `isWhitelisted(pathname)`)
   * whose body is one test: judged with its parameters bound to what this call hands it (a request parameter
   * first reads as the request, as in a guard).
   */
  private helperTruth(call: ts.CallExpression): Truth | undefined {
    const callee = this.resolver.value(call.expression);
    const helper = callee.kind === 'node' ? unwrap(callee.node) : undefined;
    if (!helper || !isFunctionNode(helper) || helper === this.fn || !isEvaluable(helper) || !call.arguments.length) return undefined;
    const values = call.arguments.map((a) => this.value(a));
    // A parameter the evaluator knows nothing of would read as the reply (the guard's second parameter): no guess.
    if (values.some((v) => v.kind === 'unknown')) return undefined;
    const inner = new SkipEvaluator(helper, this.route, this.resolver, this.depth + 1);
    helper.parameters.forEach((p, i) => values[i] && inner.bindings.set(p, values[i]!));
    const truth = inner.bodyTruth(helper);
    this.example ??= inner.example;
    return truth;
  }

  /** What a function of one test returns: `(p) => test`, `{ return test }`, or `{ if (c) return a; return b }`. */
  bodyTruth(fn: FunctionNode): Truth {
    const single = singleExpression(fn);
    if (single) return this.truth(single);
    const branches = ifReturnBranches(fn);
    if (!branches) return 'U';
    const test = this.truth(branches.test);
    return or(and(test, this.truth(branches.then)), and(not(test), this.truth(branches.otherwise)));
  }

  /**
   * A regular expression: a literal, or `new RegExp(source, flags)` whose source is text or a template, its
   * unknown parts read both ways (see `Pattern`).
   */
  private pattern(node: ts.Node): Pattern | undefined {
    const e = unwrap(node);
    if (ts.isRegularExpressionLiteral(e)) {
      const m = /^\/(.*)\/([a-z]*)$/s.exec(e.text);
      const re = m ? safeRegExp(m[1]!, m[2]!) : undefined;
      return re && { wide: re, narrow: re };
    }
    if (!ts.isNewExpression(e) || e.expression.getText() !== 'RegExp' || !e.arguments?.[0]) return undefined;
    const flags = e.arguments[1] ? this.value(e.arguments[1]) : { kind: 'lit' as const, value: '' };
    if (flags.kind !== 'lit' || typeof flags.value !== 'string') return undefined;
    const source = unwrap(e.arguments[0]);
    const parts: (string | undefined)[] = [];
    if (ts.isStringLiteralLike(source)) parts.push(source.text);
    else if (ts.isTemplateExpression(source)) {
      parts.push(source.head.text);
      for (const span of source.templateSpans) {
        const v = this.value(span.expression);
        parts.push(v.kind === 'lit' && typeof v.value === 'string' ? v.value : undefined, span.literal.text);
      }
    } else return undefined;
    const wide = safeRegExp(parts.map((p) => p ?? '[^]*').join(''), flags.value);
    const narrow = safeRegExp(parts.map((p) => p ?? '(?!)').join(''), flags.value);
    return wide && narrow ? { wide, narrow } : undefined;
  }

  private equalsValue(subject: Val, value: string | number | boolean | null): Truth {
    switch (subject.kind) {
      case 'lit':
        return subject.value === value ? 'T' : 'F';
      case 'url':
      case 'pathname':
        if (typeof value !== 'string' || !urlCanEqual(subject.path, value.split('?')[0])) return 'F';
        // The route's own URL is named; a parameter filled with the named value is a crafted request.
        return staticPrefix(subject.path) === subject.path ? 'T' : this.crafted(`${this.route.methods[0] ?? 'GET'} ${value}`);
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

/** A regular expression from its source, with the flags that change what it matches (not `g`, `y`: they make `test` stateful). */
function safeRegExp(source: string, flags: string): RegExp | undefined {
  try {
    return new RegExp(source, flags.replace(/[gy]/g, ''));
  } catch {
    return undefined;
  }
}

/** Whether `text`, found at `at` in the path, starts and ends on segment boundaries (`/health` in `/api/health/db`). */
function namesSegments(path: string, text: string, at: number): boolean {
  const end = at + text.length;
  const starts = at === 0 || text.startsWith('/') || path[at - 1] === '/';
  const ends = text.endsWith('/') || end >= path.length || path[end] === '/' || path[end] === ':' || path[end] === '*';
  return starts && ends;
}

/** A URL the route serves, its parameters filled in. */
function sampleUrl(path: string): string {
  return path.replace(/:[^/]+/g, '1').replace(/\*\w*/g, 'x');
}

/** The one expression a callback computes: `(p) => test` or `(p) => { return test }`. */
function singleExpression(fn: FunctionNode): ts.Expression | undefined {
  const body = fn.body;
  if (!body) return undefined;
  if (!ts.isBlock(body)) return body as ts.Expression;
  const [only] = body.statements;
  return body.statements.length === 1 && only && ts.isReturnStatement(only) ? only.expression : undefined;
}

/** `{ if (test) return a; return b; }`: the test and both answers. */
function ifReturnBranches(fn: FunctionNode): { test: ts.Expression; then: ts.Expression; otherwise: ts.Expression } | undefined {
  const body = fn.body;
  if (!body || !ts.isBlock(body) || body.statements.length !== 2) return undefined;
  const [first, second] = body.statements;
  if (!first || !second || !ts.isIfStatement(first) || first.elseStatement || !ts.isReturnStatement(second) || !second.expression) return undefined;
  const then = ts.isBlock(first.thenStatement) && first.thenStatement.statements.length === 1 ? first.thenStatement.statements[0] : first.thenStatement;
  if (!then || !ts.isReturnStatement(then) || !then.expression) return undefined;
  return { test: first.expression, then: then.expression, otherwise: second.expression };
}

/** A function whose answer the evaluator can read: one expression, or one `if` returning and a return after it. */
function isEvaluable(fn: FunctionNode): boolean {
  return !!singleExpression(fn) || !!ifReturnBranches(fn);
}

/** `0`, `-1`: a literal number. */
function numberOf(e: ts.Expression): number | undefined {
  const u = unwrap(e);
  if (ts.isNumericLiteral(u)) return Number(u.text);
  if (ts.isPrefixUnaryExpression(u) && u.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(u.operand)) return -Number(u.operand.text);
  return undefined;
}

/** `const x = init` declared inside the guard: its initializer. */
function localConstant(id: ts.Identifier, fn: FunctionNode): ts.Expression | undefined {
  const decl = findDeclaration(id.text, id);
  if (!decl || !ts.isVariableDeclaration(decl) || !ts.isIdentifier(decl.name) || !decl.initializer) return undefined;
  return isConst(decl) && isInside(decl, fn) ? decl.initializer : undefined;
}

/**
 * A regular expression tested on the path of the route's requests: parameters stand for any segment, so the
 * answer holds for every request only when two unlike samples agree.
 */
function pathnameMatches(path: string, re: RegExp): Truth {
  const samples = ['x', 'Zz-9.Q'].map((s) => path.replace(/:[^/]+/g, s).replace(/\*/g, `${s}/${s}`));
  const hits = samples.map((s) => re.test(s));
  return hits.every(Boolean) ? 'T' : hits.some(Boolean) ? 'M' : 'F';
}

/** `req.path.includes(text)` / `endsWith(text)`: certain on the literal parts, the client's choice in parameters. */
function pathnameContains(path: string, text: string, how: string): Truth {
  const fixed = staticPrefix(path) === path;
  const hit = how === 'endsWith' ? path.endsWith(text) : path.includes(text);
  if (hit) return 'T';
  return fixed ? 'F' : 'M';
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

/** `const x = ...`, or `let x = ...` never assigned again in its scope: either way the value it starts with. */
function isConst(decl: ts.VariableDeclaration): boolean {
  if (!ts.isVariableDeclarationList(decl.parent)) return false;
  return (decl.parent.flags & ts.NodeFlags.Const) !== 0 || (ts.isIdentifier(decl.name) && reassignedValues(decl) === undefined);
}

/** The tests of the `if`s around `node` inside `fn`, each negated where `node` sits in the `else`. */
function enclosingTests(node: ts.Node, fn: FunctionNode): { expr: ts.Expression; negated: boolean }[] {
  const out: { expr: ts.Expression; negated: boolean }[] = [];
  let child: ts.Node = node;
  for (let n = node.parent; n && n !== fn; child = n, n = n.parent) {
    if (ts.isIfStatement(n) && child !== n.expression) out.push({ expr: n.expression, negated: child === n.elseStatement });
  }
  return out;
}

function isInside(node: ts.Node, container: ts.Node): boolean {
  return node.getSourceFile() === container.getSourceFile() && node.pos >= container.pos && node.end <= container.end;
}
