import path from 'node:path';
import { ts } from 'ts-morph';
import { callsIn } from '../analysis/guard-evidence.js';
import { isFunctionNode, returnedExpressions } from '../syntax/functions.js';
import { unwrap } from '../syntax/resolve.js';
import type { AdapterContext } from './adapter.js';

/**
 * The files a route's place and protection run through (`Route.chainFiles`), so that `scan --staged`
 * reports an unchanged route whose guard was removed in another file. Two kinds of node go in:
 *
 * - sites: where the route is placed and where its chain is assembled (app and router creations, mounts,
 *   every middleware registration on the routers it runs through, plugin functions, modules, main.ts).
 *   A registration counts whether or not it is judged a guard today: a guard deleted from a `use(...)` in
 *   app.ts leaves app.ts on the chain through the other registrations there.
 * - elements: each middleware, hook or guard that runs before the handler; the files defining it count,
 *   followed through factories (`requireRole('admin')` returns the middleware), base classes and one call
 *   deep (a guard delegating to `verifyToken()`), as far as the guard classifiers look.
 *
 * Only files of the scanned project count; paths are relative to the scan root, posix, sorted.
 */
export class ChainFiles {
  private readonly relative = new Map<string, string | undefined>();
  private readonly definitions = new Map<ts.Node, string[]>();
  private readonly groups = new WeakMap<readonly ts.Node[], string[]>();

  constructor(private readonly ctx: AdapterContext) {}

  /** `sites` may hold shared lists (a router's registrations, an app's modules): their files are worked out once. */
  of(sites: Iterable<ts.Node | readonly ts.Node[] | undefined>, elements: Iterable<ts.Node> = []): string[] {
    const out = new Set<string>();
    for (const site of sites) {
      if (Array.isArray(site)) for (const f of this.groupFiles(site)) out.add(f);
      else this.add(out, site as ts.Node | undefined);
    }
    for (const element of elements) for (const f of this.definitionFiles(element)) out.add(f);
    return [...out].sort();
  }

  private groupFiles(nodes: readonly ts.Node[]): string[] {
    let files = this.groups.get(nodes);
    if (!files) {
      const out = new Set<string>();
      for (const n of nodes) this.add(out, n);
      files = [...out];
      this.groups.set(nodes, files);
    }
    return files;
  }

  private add(out: Set<string>, node: ts.Node | undefined): void {
    if (!node) return;
    const file = node.getSourceFile().fileName;
    let rel = this.relative.get(file);
    if (!this.relative.has(file)) {
      rel = this.ctx.project.files.has(path.normalize(file)) ? path.relative(this.ctx.project.root, file).split(path.sep).join('/') : undefined;
      this.relative.set(file, rel);
    }
    if (rel !== undefined) out.add(rel);
  }

  private definitionFiles(element: ts.Node): string[] {
    const cached = this.definitions.get(element);
    if (cached) return cached;
    const out = new Set<string>();
    const seen = new Set<ts.Node>();
    // `argument`: a value passed to a factory counts only when it is middleware-like (a guard handed to some(),
    // every() or a wrapper), not a schema or an options object (validate(schema), z.object({...})).
    const visit = (node: ts.Node, depth: number, argument = false): void => {
      if (seen.has(node) || depth > 2) return;
      seen.add(node);
      const e = unwrap(node);
      if (!argument) this.add(out, node);
      if (ts.isArrayLiteralExpression(e)) return e.elements.forEach((x) => visit(x, depth, argument));
      if (ts.isSpreadElement(e)) return visit(e.expression, depth, argument);
      if (ts.isCallExpression(e) || ts.isNewExpression(e)) {
        // requireRole('admin'), new JwtGuard(), fastify.auth([a, b]): the callee and what is passed to it.
        visit(e.expression, depth);
        for (const arg of e.arguments ?? []) visit(arg, depth + 1, true);
        return;
      }
      const v = this.ctx.resolver.value(e);
      const target = v.kind === 'node' ? unwrap(v.node) : v.kind === 'instance' ? v.cls : undefined;
      if (!target || (argument && !middlewareLike(target))) return;
      // At the top, `requireAuth` in a hundred route files is one function: work it out once.
      if (target !== e && depth === 0) return this.definitionFiles(target).forEach((f) => out.add(f));
      if (target !== e) return visit(target, depth);
      this.body(target, out, depth, visit);
    };
    visit(element, 0);
    const files = [...out];
    this.definitions.set(element, files);
    return files;
  }

  /** A function or class the element resolved to: what it returns, its base classes, and what its code calls. */
  private body(target: ts.Node, out: Set<string>, depth: number, visit: (node: ts.Node, depth: number) => void): void {
    const functions: ts.Node[] = [];
    if (isFunctionNode(target)) {
      functions.push(target);
      for (const r of returnedExpressions(target)) visit(r, depth + 1);
    } else if (ts.isClassLike(target)) {
      for (const clause of target.heritageClauses ?? []) {
        if (clause.token === ts.SyntaxKind.ExtendsKeyword) for (const t of clause.types) visit(t.expression, depth + 1);
      }
      functions.push(...target.members.filter(isFunctionNode));
    }
    for (const fn of functions) {
      for (const call of callsIn(fn as Parameters<typeof callsIn>[0])) {
        const callee = this.ctx.resolver.value(call.expression);
        if (callee.kind === 'node') this.add(out, callee.node);
      }
    }
  }
}

/** A function, a class, or a call given one (`createMiddleware(async (c, next) => ...)`). */
function middlewareLike(node: ts.Node): boolean {
  if (isFunctionNode(node) || ts.isClassLike(node)) return true;
  return (ts.isCallExpression(node) || ts.isNewExpression(node)) && (node.arguments ?? []).some((a) => isFunctionNode(unwrap(a)));
}
