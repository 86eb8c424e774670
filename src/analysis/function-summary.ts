import { ts } from 'ts-morph';
import type { SourceSet } from '../discover/project-files.js';
import { isFunctionNode, type FunctionNode } from '../syntax/functions.js';
import { unwrap, type Resolver } from '../syntax/resolve.js';
import { matchDbCall, type AnyDbCall, type MatchContext } from './data-access/index.js';

/** One function's calls as the syntax shows them, computed once per function for the whole scan. */
export interface FunctionSummary {
  /** Database calls made in the body (nested callbacks included: they run with the same values), SQL tagged templates too. */
  dbCalls: AnyDbCall[];
  /** Calls of project functions, with the function each one invokes. */
  callees: { call: ts.CallExpression; fn: FunctionNode }[];
  /** Whether the function, or a project function it calls (transitively), touches the database. */
  reachesDb: boolean;
}

/**
 * Per-function summaries shared by every handler of a scan: which calls are database calls, which
 * call project functions, and whether the database is reachable at all. A handler's analysis only
 * descends into callees that reach the database, and each body is walked once for the whole scan, so
 * the cost stays close to linear in code size however many handlers share a service.
 */
export class FunctionSummaries {
  private readonly summaries = new Map<ts.Node, FunctionSummary>();
  private readonly inProgress = new Set<ts.Node>();
  private readonly callees = new Map<ts.CallExpression, FunctionNode | null>();

  constructor(
    private readonly match: MatchContext,
    private readonly resolver: Resolver,
  ) {}

  of(fn: FunctionNode): FunctionSummary {
    const known = this.summaries.get(fn);
    if (known) return known;
    const summary: FunctionSummary = { dbCalls: [], callees: [], reachesDb: false };
    // A recursive cycle reads the partial summary: its database calls are found through the other members.
    this.summaries.set(fn, summary);
    this.inProgress.add(fn);
    const step = (n: ts.Node): void => {
      if (ts.isTaggedTemplateExpression(n)) {
        const db = matchDbCall(n, this.match);
        if (db) summary.dbCalls.push(db);
      } else if (ts.isCallExpression(n)) {
        const db = matchDbCall(n, this.match);
        if (db) summary.dbCalls.push(db);
        const callee = db ? undefined : this.calledFunction(n);
        if (callee && callee !== fn) summary.callees.push({ call: n, fn: callee });
      }
      ts.forEachChild(n, step);
    };
    if (fn.body) step(fn.body);
    summary.reachesDb = summary.dbCalls.length > 0 || summary.callees.some((c) => !this.inProgress.has(c.fn) && this.of(c.fn).reachesDb);
    this.inProgress.delete(fn);
    return summary;
  }

  /**
   * How many calls in the project may invoke `fn`: calls that resolve to it, plus calls of the same name
   * whose target syntax cannot tell (a parameter, an untyped receiver). References that are not calls
   * (`fn` passed as a callback) count too. Calls that resolve elsewhere (a package, another function) do not.
   */
  possibleCallers(fn: FunctionNode, name: string, sources: SourceSet): number {
    const sites = this.callSites(fn, name, sources);
    return sites.calls.length + sites.unknown;
  }

  /**
   * The calls in the project that resolve to `fn`, and how many other references to its name may invoke it
   * with arguments we cannot see (unresolved same-named calls, the function passed as a callback).
   */
  callSites(fn: FunctionNode, name: string, sources: SourceSet): { calls: ts.CallExpression[]; unknown: number } {
    const calls: ts.CallExpression[] = [];
    let unknown = 0;
    for (const sf of sources.mentioning(name)) {
      const visit = (node: ts.Node): void => {
        if (ts.isIdentifier(node) && node.text === name && !isDeclarationName(node)) {
          const parent = node.parent;
          const call = ts.isCallExpression(parent) && parent.expression === node ? parent
            : ts.isPropertyAccessExpression(parent) && parent.name === node && ts.isCallExpression(parent.parent) && parent.parent.expression === parent ? parent.parent
            : undefined;
          if (!call) unknown++;
          else {
            const v = this.resolver.value(call.expression);
            if (v.kind === 'node') {
              if (this.calledFunction(call) === fn) calls.push(call);
            } else if (v.kind !== 'external' && !this.isPackageObject(call.expression)) unknown++;
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(sf);
    }
    return { calls, unknown };
  }

  /** `router.get` where `router = Router()` from a package: a method of a package's object, not a project function. */
  private isPackageObject(callee: ts.Expression): boolean {
    const c = unwrap(callee);
    if (!ts.isPropertyAccessExpression(c)) return false;
    const r = this.resolver.value(c.expression);
    if (r.kind === 'external') return true;
    if (r.kind !== 'node') return false;
    const made = ts.isVariableDeclaration(r.node) && r.node.initializer ? unwrap(r.node.initializer) : r.node;
    return (ts.isCallExpression(made) || ts.isNewExpression(made)) && this.resolver.value(made.expression).kind === 'external';
  }

  /** The project function a call invokes, if syntax can tell (through imports, `this.service.method`, injected providers). */
  calledFunction(call: ts.CallExpression): FunctionNode | undefined {
    if (this.callees.has(call)) return this.callees.get(call) ?? undefined;
    const found = this.resolveCallee(call);
    this.callees.set(call, found ?? null);
    return found;
  }

  private resolveCallee(call: ts.CallExpression): FunctionNode | undefined {
    const v = this.resolver.value(call.expression);
    if (v.kind !== 'node') return undefined;
    const n = ts.isVariableDeclaration(v.node) && v.node.initializer ? unwrap(v.node.initializer) : v.node;
    return isFunctionNode(n) && n.body ? n : undefined;
  }
}

/** The name in a declaration or an import/export list: not a use. */
function isDeclarationName(id: ts.Identifier): boolean {
  const p = id.parent;
  if (ts.isImportSpecifier(p) || ts.isExportSpecifier(p) || ts.isImportClause(p) || ts.isNamespaceImport(p)) return true;
  if (ts.isPropertyAccessExpression(p) && p.name === id && !(ts.isCallExpression(p.parent) && p.parent.expression === p)) {
    // `obj.name` read without calling it: a use only if it is passed on, which the caller cannot see; count it.
    return false;
  }
  return (
    (ts.isFunctionDeclaration(p) || ts.isMethodDeclaration(p) || ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p) || ts.isMethodSignature(p) || ts.isPropertySignature(p) || ts.isParameter(p) || ts.isBindingElement(p)) &&
    p.name === id
  );
}
