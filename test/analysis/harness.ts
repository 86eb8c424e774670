import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ts } from 'ts-morph';
import { analyzeHandler } from '../../src/analysis/handler-facts.js';
import type { Origin } from '../../src/analysis/provenance.js';
import type { RequestSpec } from '../../src/analysis/request-spec.js';
import { loadOwnerSchema } from '../../src/analysis/schema/index.js';
import type { OwnerSchema } from '../../src/analysis/schema/owner-schema.js';
import { loadProject, type ScanProject } from '../../src/discover/project.js';
import { defaultConfig, type Config } from '../../src/model/config.js';
import type { HandlerFacts } from '../../src/model/facts.js';
import type { Fix } from '../../src/model/types.js';
import { isFunctionNode, type FunctionNode } from '../../src/syntax/functions.js';
import { Resolver } from '../../src/syntax/resolve.js';
import { testExpressSpec } from './express-test-spec.js';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
const ROUTE_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

/** A fixture loaded the way a scan loads it, with its handlers found by `router.<method>('<path>', fn)`. */
export class FixtureProject {
  readonly project: ScanProject;
  readonly resolver: Resolver;
  readonly schema: OwnerSchema;

  constructor(
    readonly root: string,
    readonly config: Config = defaultConfig(),
    private readonly specFor: (fn: FunctionNode) => RequestSpec = testExpressSpec,
  ) {
    this.project = loadProject(root, [root], config);
    this.resolver = new Resolver(this.project.modules, this.project.files);
    this.schema = loadOwnerSchema(this.project.files, root, config);
  }

  /** The handler of `METHOD /path` as registered (router-local path) in `file`. */
  handler(file: string, route: string): FunctionNode {
    const sf = this.project.files.get(path.join(this.root, file));
    if (!sf) throw new Error(`no file ${file}`);
    const [method, routePath] = route.split(' ');
    let found: FunctionNode | undefined;
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && ROUTE_METHODS.has(n.expression.name.text)) {
        const [first] = n.arguments;
        const last = n.arguments[n.arguments.length - 1];
        if (n.expression.name.text === method.toLowerCase() && first && ts.isStringLiteral(first) && first.text === routePath && last && isFunctionNode(last)) {
          found = last;
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
    if (!found) throw new Error(`no handler for ${route} in ${file}`);
    return found;
  }

  /** Every `router.<method>('<path>', ..., fn)` registration: `{ file, route: 'GET /:id' }`. */
  routes(): { file: string; route: string }[] {
    const out: { file: string; route: string }[] = [];
    for (const [file, sf] of this.project.files) {
      const visit = (n: ts.Node): void => {
        if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && ROUTE_METHODS.has(n.expression.name.text)) {
          const [first] = n.arguments;
          const last = n.arguments[n.arguments.length - 1];
          if (first && ts.isStringLiteral(first) && last && isFunctionNode(last)) {
            out.push({ file: path.relative(this.root, file).split(path.sep).join('/'), route: `${n.expression.name.text.toUpperCase()} ${first.text}` });
          }
        }
        ts.forEachChild(n, visit);
      };
      visit(sf);
    }
    return out;
  }

  facts(file: string, route: string): HandlerFacts {
    const fn = this.handler(file, route);
    return analyzeHandler(fn, this.specFor(fn), { resolver: this.resolver, schema: this.schema, config: this.config, root: this.root });
  }
}

/**
 * Applies fixes to the files on disk, all edits of a file at once and bottom-up (identical edits from two
 * fixes once, as src/fix does), and returns the new texts by relative path. Overlapping edits throw.
 */
export function applyFixes(root: string, fixes: Fix[]): Record<string, string> {
  const byFile = new Map<string, Fix['edits']>();
  for (const e of fixes.flatMap((f) => f.edits)) {
    const list = byFile.get(e.file) ?? [];
    if (list.some((x) => x.start === e.start && x.end === e.end && x.text === e.text)) continue;
    if (list.some((x) => x.start < e.end && e.start < x.end)) throw new Error(`overlapping edits in ${e.file}`);
    byFile.set(e.file, [...list, e]);
  }
  const out: Record<string, string> = {};
  for (const [file, edits] of byFile) {
    let text = fs.readFileSync(file, 'utf8');
    for (const e of [...edits].sort((a, b) => b.start - a.start)) text = text.slice(0, e.start) + e.text + text.slice(e.end);
    fs.writeFileSync(file, text);
    out[path.relative(root, file).split(path.sep).join('/')] = text;
  }
  return out;
}

/** A throwaway copy of a fixture, for tests that apply fixes. */
export function copyFixture(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ae-${path.basename(name)}-`));
  fs.cpSync(path.join(repoRoot, 'fixtures', name), dir, { recursive: true });
  return dir;
}

/** The line of `text` holding `needle` (1-based), to keep expectations readable. */
export function lineOf(root: string, file: string, needle: string): number {
  const lines = fs.readFileSync(path.join(root, file), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`"${needle}" not in ${file}`);
  return i + 1;
}

/** One line per data access, for exact and readable comparisons. */
export function accessLines(facts: HandlerFacts): string[] {
  return facts.dataAccesses.map(
    (a) =>
      `${a.kind} ${a.model}.${a.operation} byRequestId=${a.byRequestId}${a.idExpression ? `(${a.idExpression})` : ''} owner=${a.ownerField ?? '-'} scopedBy=${a.scopedBy ?? '-'} line=${a.loc.line}`,
  );
}

/** One line per identity use. */
export function identityLines(facts: HandlerFacts): string[] {
  return facts.identityUses.map((u) => `${u.sink} ${u.field} from ${u.source} (${u.sourceExpression}) into ${u.model ?? '-'} line=${u.loc.line}`);
}

/** An origin as one line: `request:params[id]`, `principal[sub]`, `none`. */
export function describeOrigin(o: Origin): string {
  if (o.kind === 'none') return 'none';
  return `${o.kind === 'request' ? `request:${o.part}` : 'principal'}[${o.path.join('.')}]`;
}

/** The value a test handler passes to `sink(value)`: the expression whose origin a test asks about. */
export function sinkArgument(fn: ts.Node): ts.Expression {
  let arg: ts.Expression | undefined;
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'sink') arg = n.arguments[0];
    ts.forEachChild(n, visit);
  };
  visit(fn);
  if (!arg) throw new Error('no sink(...) call in the handler');
  return arg;
}
