import path from 'node:path';
import { ts } from 'ts-morph';
import { isFunctionNode, returnedExpressions, type FunctionNode } from './functions.js';
import type { ModuleResolver } from './modules.js';
import { findDeclaration, type Declaration } from './scope.js';

/**
 * What an expression evaluates to, as far as syntax can tell:
 * - node: a defining expression or declaration (a call, a function, a class, an object literal, ...);
 * - module: a project module's namespace object (`import * as m`, `require('./m')`);
 * - external: a binding from a package, with the member path taken from it (`express` → [], `express.Router` → ['Router']);
 * - param: a function parameter (or a part of one), known only at call sites;
 * - instance: an object of a project class (`new TodoService()`, an injected `private todos: TodoService`);
 * - unknown: anything we cannot follow, with the reason.
 */
export type Value =
  | { kind: 'node'; node: ts.Node }
  | { kind: 'module'; file: string }
  | { kind: 'external'; pkg: string; path: string[] }
  | { kind: 'param'; node: ts.ParameterDeclaration; path: string[] }
  | { kind: 'instance'; cls: ts.ClassLikeDeclaration }
  | { kind: 'unknown'; reason: string };

type ExportEntry =
  | { kind: 'decl'; node: ts.Node }
  | { kind: 'expr'; node: ts.Expression }
  | { kind: 'local'; name: string; at: ts.Node }
  | { kind: 'reexport'; specifier: string; name: string }
  | { kind: 'namespace'; specifier: string };

interface ExportTable {
  named: Map<string, ExportEntry>;
  stars: string[];
  /** `module.exports = expr` / `export = expr`. */
  cjs?: ts.Expression;
}

const MAX_DEPTH = 24;
const PARAMETER_PROPERTY_MODIFIERS = new Set([
  ts.SyntaxKind.PrivateKeyword,
  ts.SyntaxKind.PublicKeyword,
  ts.SyntaxKind.ProtectedKeyword,
  ts.SyntaxKind.ReadonlyKeyword,
]);

export class Resolver {
  private readonly exportTables = new Map<string, ExportTable>();
  /** What a call returns, per call: followed once (recursive helpers would otherwise be walked again per path). */
  private readonly callResults = new Map<ts.CallExpression, Value | undefined | 'pending'>();
  /** Expressions resolved so far: the scan's work, bounded by the project's size (test/analysis/linear-work.test.ts). */
  visits = 0;

  constructor(
    private readonly modules: ModuleResolver,
    private readonly files: ReadonlyMap<string, ts.SourceFile>,
  ) {}

  /** Follows an expression through names, imports, exports and property reads to what defines it. */
  value(expr: ts.Node, depth = 0): Value {
    this.visits++;
    if (depth > MAX_DEPTH) return { kind: 'unknown', reason: 'resolution too deep (cycle?)' };
    const e = unwrap(expr);
    if (ts.isIdentifier(e)) {
      const decl = findDeclaration(e.text, e);
      if (!decl) return { kind: 'unknown', reason: `\`${e.text}\` is not declared in the project` };
      return this.declarationValue(decl, depth + 1);
    }
    if (ts.isPropertyAccessExpression(e)) {
      if (e.expression.kind === ts.SyntaxKind.ThisKeyword) return this.thisMember(e, e.name.text, depth + 1);
      return this.member(this.value(e.expression, depth + 1), e.name.text, depth + 1);
    }
    if (ts.isElementAccessExpression(e) && ts.isStringLiteralLike(e.argumentExpression)) {
      return this.member(this.value(e.expression, depth + 1), e.argumentExpression.text, depth + 1);
    }
    // `x = y` evaluates to y: `const auth = module.exports = Router()`.
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.EqualsToken) return this.value(e.right, depth + 1);
    const required = requireSpecifier(e);
    if (required !== undefined) return this.requireValue(required, e.getSourceFile().fileName, depth + 1);
    if (ts.isNewExpression(e)) {
      const cls = this.value(e.expression, depth + 1);
      if (cls.kind === 'node' && ts.isClassLike(cls.node)) return { kind: 'instance', cls: cls.node };
    }
    return { kind: 'node', node: e };
  }

  /** The project function an expression names (`authenticateUser`, `this.auth.check`), if it is one. */
  functionOf(expr: ts.Expression): FunctionNode | undefined {
    const v = this.value(expr);
    return v.kind === 'node' && isFunctionNode(v.node) ? v.node : undefined;
  }

  /** The value of `base.name`. */
  member(base: Value, name: string, depth = 0): Value {
    switch (base.kind) {
      case 'module':
        return this.exportOf(base.file, name, depth + 1);
      case 'external':
        return { ...base, path: [...base.path, name] };
      case 'param':
        return { ...base, path: [...base.path, name] };
      case 'unknown':
        return base;
      case 'instance':
        return this.instanceMember(base.cls, name, depth + 1);
      case 'node': {
        const n = base.node;
        if (ts.isObjectLiteralExpression(n)) {
          for (const p of n.properties) {
            const pname = p.name && propertyNameText(p.name);
            if (pname !== name) continue;
            if (ts.isPropertyAssignment(p)) return this.value(p.initializer, depth + 1);
            if (ts.isShorthandPropertyAssignment(p)) return this.value(p.name, depth + 1);
            return { kind: 'node', node: p };
          }
          return { kind: 'unknown', reason: `object has no property \`${name}\`` };
        }
        if (ts.isClassDeclaration(n) || ts.isClassExpression(n)) {
          const m = n.members.find((mm) => mm.name && propertyNameText(mm.name) === name && isStatic(mm));
          if (m) return { kind: 'node', node: m };
        }
        // autoload(path.join(ROOT, 'controllers')).auth: the module controllers/auth.js.
        if (ts.isCallExpression(n)) {
          const loaded = this.loadedFromDirectory(n, name, depth + 1);
          if (loaded) return loaded;
          // expressWs(app).app: a package that hands back what it was given.
          const callee = this.value(n.expression, depth + 1);
          const given = callee.kind === 'external' && !callee.path.length ? PASSED_THROUGH[callee.pkg]?.[name] : undefined;
          if (given !== undefined && n.arguments[given]) return this.value(n.arguments[given]!, depth + 1);
        }
        // `new SessionHandler(db).isLoggedIn`: what a constructor function assigns to `this`, or its prototype holds.
        if (ts.isNewExpression(n)) {
          const ctor = this.value(n.expression, depth + 1);
          const assigned = ctor.kind === 'node' && isFunctionNode(ctor.node) ? constructorFunctionMember(ctor.node, name) : undefined;
          if (assigned) return this.value(assigned, depth + 1);
        }
        // getServer().app, Server.getInstance().app: a member of what a project function returns.
        if (ts.isCallExpression(n)) {
          const produced = this.callResult(n, depth + 1);
          if (produced) return this.member(produced, name, depth + 1);
        }
        return { kind: 'unknown', reason: `cannot follow \`.${name}\`` };
      }
    }
  }

  /**
   * A directory loader (`auto-load`, `require-dir`, `require-all`, `require-directory`) returns an object keyed by
   * file name: its member `name` is the module `<dir>/name`. The directory is read from the call's path
   * (`'./routes'`, `path.join(__dirname, 'routes')`); under a base the scan cannot read (`path.join(ROOT,
   * '/controllers')`), from its literal tail, the project directory of that name nearest the caller.
   */
  private loadedFromDirectory(call: ts.CallExpression, name: string, depth: number): Value | undefined {
    const callee = this.value(call.expression, depth + 1);
    if (callee.kind !== 'external' || !DIRECTORY_LOADERS.has(callee.pkg) || callee.path.length) return undefined;
    const arg = [...call.arguments].reverse().find((a) => directoryParts(a) !== undefined);
    const parts = arg && directoryParts(arg);
    if (!parts) return undefined;
    const from = path.dirname(call.getSourceFile().fileName);
    const tail = parts.literal.join('/');
    const candidates = (dir: string) => ['.js', '.ts', '.cjs', '.mjs', '/index.js', '/index.ts'].map((ext) => path.join(dir, name + ext));
    let file: string | undefined;
    if (parts.base !== undefined) file = candidates(path.resolve(from, parts.base, tail)).find((f) => this.files.has(f));
    else {
      const listed = typeof (this.files as { discovered?: () => string[] }).discovered === 'function' ? (this.files as unknown as { discovered(): string[] }).discovered() : [...this.files.keys()];
      const suffixes = candidates(path.join('/', tail)).map((c) => path.normalize(c));
      const matches = listed.filter((f) => suffixes.some((sfx) => f.endsWith(sfx)));
      file = matches.sort((a, b) => sharedPrefix(b, from) - sharedPrefix(a, from))[0];
    }
    if (!file) return undefined;
    const sf = this.files.get(file);
    const cjs = sf && this.exportTable(sf).cjs;
    return cjs ? this.value(cjs, depth + 1) : { kind: 'module', file };
  }

  /**
   * What a call of a project function returns, when that is an object the scan can read members of: an
   * instance (`return new Server()`), an object literal, or a singleton kept in a static field
   * (`if (!Server.instance) Server.instance = new Server(); return Server.instance`).
   */
  private callResult(call: ts.CallExpression, depth: number): Value | undefined {
    const known = this.callResults.get(call);
    if (known === 'pending') return undefined; // a call on its own path: recursion
    if (known || this.callResults.has(call)) return known;
    this.callResults.set(call, 'pending');
    const result = this.followCall(call, depth);
    this.callResults.set(call, result);
    return result;
  }

  private followCall(call: ts.CallExpression, depth: number): Value | undefined {
    if (depth > MAX_DEPTH) return undefined;
    const callee = this.value(call.expression, depth + 1);
    if (callee.kind !== 'node' || !isFunctionNode(callee.node)) return undefined;
    for (const ret of returnedExpressions(callee.node)) {
      const v = this.value(ret, depth + 1);
      if (v.kind === 'instance' || (v.kind === 'node' && ts.isObjectLiteralExpression(v.node))) return v;
      const singleton = this.singleton(ret, depth + 1);
      if (singleton) return singleton;
    }
    return undefined;
  }

  /** `Server.instance` (or `this.instance` in a static method) assigned `new X()` somewhere in the class. */
  private singleton(expr: ts.Expression, depth: number): Value | undefined {
    const e = unwrap(expr);
    if (!ts.isPropertyAccessExpression(e)) return undefined;
    const owner = e.expression.kind === ts.SyntaxKind.ThisKeyword ? enclosingClass(e) : (() => {
      const v = this.value(e.expression, depth + 1);
      return v.kind === 'node' && ts.isClassLike(v.node) ? v.node : undefined;
    })();
    if (!owner) return undefined;
    let found: Value | undefined;
    const visit = (n: ts.Node): void => {
      if (found) return;
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(n.left) && n.left.name.text === e.name.text) {
        const v = this.value(n.right, depth + 1);
        if (v.kind === 'instance') found = v;
      }
      ts.forEachChild(n, visit);
    };
    visit(owner);
    return found;
  }

  /** The value a module exports under `name` ('default' for the default export). */
  exportOf(file: string, name: string, depth = 0): Value {
    if (depth > MAX_DEPTH) return { kind: 'unknown', reason: 'resolution too deep (cycle?)' };
    const sf = this.files.get(file);
    if (!sf) return { kind: 'unknown', reason: `file not in the scan: ${file}` };
    const table = this.exportTable(sf);
    const entry = table.named.get(name);
    if (entry) return this.entryValue(entry, sf, depth + 1);
    if (table.cjs) {
      const whole = this.value(table.cjs, depth + 1);
      return name === 'default' ? whole : this.member(whole, name, depth + 1);
    }
    if (name === 'default' && table.named.size > 0 && !table.named.has('default')) {
      // A CommonJS module with `exports.x = ...` imported as a default: the namespace object.
      return { kind: 'module', file };
    }
    for (const spec of table.stars) {
      const target = this.modules.resolve(spec, file);
      if (target.kind !== 'file') continue;
      const v = this.exportOf(target.file, name, depth + 1);
      if (v.kind !== 'unknown') return v;
    }
    return { kind: 'unknown', reason: `\`${name}\` is not exported by ${sf.fileName}` };
  }

  /** Every name a module exports, through `export *` re-exports (not `default`), for `Object.values(ns)`. */
  exportNames(file: string, seen = new Set<string>()): string[] {
    if (seen.has(file)) return [];
    seen.add(file);
    const sf = this.files.get(file);
    if (!sf) return [];
    const table = this.exportTable(sf);
    const names = [...table.named.keys()].filter((n) => n !== 'default');
    for (const spec of table.stars) {
      const target = this.modules.resolve(spec, file);
      if (target.kind === 'file') names.push(...this.exportNames(target.file, seen));
    }
    return [...new Set(names)];
  }

  /** `require(spec)` evaluates to the module's `module.exports` when it assigns one, else its exports object. */
  private requireValue(specifier: string, fromFile: string, depth: number): Value {
    const mod = this.moduleValue(specifier, fromFile);
    if (mod.kind !== 'module') return mod;
    const sf = this.files.get(mod.file);
    const cjs = sf && this.exportTable(sf).cjs;
    return cjs ? this.value(cjs, depth + 1) : mod;
  }

  /** A module specifier as a value: a project module's namespace, or a package binding. */
  moduleValue(specifier: string, fromFile: string): Value {
    const target = this.modules.resolve(specifier, fromFile);
    if (target.kind === 'file') return { kind: 'module', file: target.file };
    if (target.kind === 'external') return { kind: 'external', pkg: target.pkg, path: subpath(specifier, target.pkg) };
    return { kind: 'unknown', reason: `cannot resolve import "${specifier}"` };
  }

  declarationValue(decl: Declaration, depth = 0): Value {
    const fromFile = decl.getSourceFile().fileName;
    if (ts.isVariableDeclaration(decl)) {
      return decl.initializer ? this.value(decl.initializer, depth + 1) : { kind: 'unknown', reason: 'declared without a value' };
    }
    if (ts.isBindingElement(decl)) return this.bindingValue(decl, depth + 1);
    if (ts.isParameter(decl)) return { kind: 'param', node: decl, path: [] };
    if (ts.isImportClause(decl)) return this.importValue(decl.parent.moduleSpecifier, 'default', fromFile, depth + 1);
    if (ts.isNamespaceImport(decl)) {
      return this.moduleValue((decl.parent.parent.moduleSpecifier as ts.StringLiteral).text, fromFile);
    }
    if (ts.isImportSpecifier(decl)) {
      const imported = (decl.propertyName ?? decl.name).text;
      return this.importValue(decl.parent.parent.parent.moduleSpecifier, imported, fromFile, depth + 1);
    }
    if (ts.isImportEqualsDeclaration(decl)) {
      const ref = decl.moduleReference;
      if (ts.isExternalModuleReference(ref) && ts.isStringLiteral(ref.expression)) return this.moduleValue(ref.expression.text, fromFile);
      return { kind: 'unknown', reason: 'import alias' };
    }
    return { kind: 'node', node: decl };
  }

  private importValue(specNode: ts.Expression, name: string, fromFile: string, depth: number): Value {
    if (!ts.isStringLiteral(specNode)) return { kind: 'unknown', reason: 'dynamic import specifier' };
    const target = this.modules.resolve(specNode.text, fromFile);
    if (target.kind === 'file') return this.exportOf(target.file, name, depth + 1);
    if (target.kind === 'external') {
      const path = subpath(specNode.text, target.pkg);
      return { kind: 'external', pkg: target.pkg, path: name === 'default' ? path : [...path, name] };
    }
    return { kind: 'unknown', reason: `cannot resolve import "${specNode.text}"` };
  }

  /** `const { a: { b } } = init` → init.a.b; a destructured parameter stays a parameter with a path. */
  private bindingValue(el: ts.BindingElement, depth: number): Value {
    const path: string[] = [];
    let node: ts.Node = el;
    while (ts.isBindingElement(node)) {
      const pattern: ts.BindingPattern = node.parent;
      if (ts.isArrayBindingPattern(pattern)) path.unshift(String(pattern.elements.indexOf(node)));
      else {
        const key = node.propertyName ? propertyNameText(node.propertyName) : ts.isIdentifier(node.name) ? node.name.text : undefined;
        if (key === undefined) return { kind: 'unknown', reason: 'computed destructuring' };
        path.unshift(key);
      }
      node = pattern.parent;
    }
    let base: Value;
    if (ts.isVariableDeclaration(node) && node.initializer) base = this.value(node.initializer, depth + 1);
    else if (ts.isParameter(node)) base = { kind: 'param', node, path: [] };
    else return { kind: 'unknown', reason: 'destructuring without a value' };
    for (const key of path) base = this.member(base, key, depth + 1);
    return base;
  }

  /** `this.router` inside a class. */
  private thisMember(expr: ts.PropertyAccessExpression, name: string, depth: number): Value {
    const cls = enclosingClass(expr);
    if (!cls) return { kind: 'unknown', reason: '`this` outside a class' };
    return this.instanceMember(cls, name, depth);
  }

  /**
   * A member of an instance: a property initializer, the constructor's `this.x = ...`, an injected
   * parameter property or typed field (an instance of its declared class), a method; then the base class.
   */
  instanceMember(cls: ts.ClassLikeDeclaration, name: string, depth: number): Value {
    if (depth > MAX_DEPTH) return { kind: 'unknown', reason: 'resolution too deep (cycle?)' };
    let declaredType: ts.TypeNode | undefined;
    for (const m of cls.members) {
      if (!ts.isPropertyDeclaration(m) || !m.name || propertyNameText(m.name) !== name || isStatic(m)) continue;
      // `app = undefined;` or `= null` only declares the field: the constructor assigns it.
      const placeholder = m.initializer && (m.initializer.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(m.initializer) && m.initializer.text === 'undefined'));
      if (m.initializer && !placeholder) return this.value(m.initializer, depth + 1);
      declaredType ??= m.type;
    }
    const ctor = cls.members.find(ts.isConstructorDeclaration);
    for (const p of ctor?.parameters ?? []) {
      const isProperty = ts.getModifiers(p)?.some((m) => PARAMETER_PROPERTY_MODIFIERS.has(m.kind));
      if (isProperty && ts.isIdentifier(p.name) && p.name.text === name && p.type) return this.typeInstance(p.type, depth + 1);
    }
    for (const st of ctor?.body?.statements ?? []) {
      if (!ts.isExpressionStatement(st) || !ts.isBinaryExpression(st.expression)) continue;
      const { left, operatorToken, right } = st.expression;
      if (
        operatorToken.kind === ts.SyntaxKind.EqualsToken &&
        ts.isPropertyAccessExpression(left) &&
        left.expression.kind === ts.SyntaxKind.ThisKeyword &&
        left.name.text === name
      ) {
        // `app: express.Application` then `this.app = express()`: the assigned value says more than the type,
        // unless it is only a constructor parameter (`this.repo = repo`), whose declared type is better.
        const assigned = this.value(right, depth + 1);
        if (!declaredType || (assigned.kind !== 'param' && assigned.kind !== 'unknown')) return assigned;
      }
    }
    if (declaredType) return this.typeInstance(declaredType, depth + 1);
    for (const m of cls.members) {
      if (ts.isMethodDeclaration(m) && m.name && propertyNameText(m.name) === name && !isStatic(m)) return { kind: 'node', node: m };
    }
    const base = baseClass(cls);
    if (base) {
      const parent = this.value(base, depth + 1);
      if (parent.kind === 'node' && ts.isClassLike(parent.node)) return this.instanceMember(parent.node, name, depth + 1);
    }
    return { kind: 'unknown', reason: `cannot follow \`.${name}\` on ${cls.name?.text ?? 'a class'}` };
  }

  /** The value of something declared with a type: an instance of that class when the type names one. */
  private typeInstance(type: ts.TypeNode, depth: number): Value {
    if (!ts.isTypeReferenceNode(type)) return { kind: 'unknown', reason: 'not a class type' };
    const nameExpr = ts.isIdentifier(type.typeName) ? type.typeName : undefined;
    if (!nameExpr) return { kind: 'unknown', reason: 'qualified type name' };
    const v = this.value(nameExpr, depth + 1);
    if (v.kind === 'node' && ts.isClassLike(v.node)) return { kind: 'instance', cls: v.node };
    return v.kind === 'external' ? v : { kind: 'unknown', reason: `\`${nameExpr.text}\` is not a project class` };
  }

  private entryValue(entry: ExportEntry, sf: ts.SourceFile, depth: number): Value {
    switch (entry.kind) {
      case 'decl':
        return ts.isVariableDeclaration(entry.node) ? this.declarationValue(entry.node, depth) : { kind: 'node', node: entry.node };
      case 'expr':
        return this.value(entry.node, depth);
      case 'local': {
        const decl = findDeclaration(entry.name, entry.at);
        return decl ? this.declarationValue(decl, depth) : { kind: 'unknown', reason: `\`${entry.name}\` is not declared` };
      }
      case 'reexport': {
        const target = this.modules.resolve(entry.specifier, sf.fileName);
        if (target.kind === 'file') return this.exportOf(target.file, entry.name, depth);
        if (target.kind === 'external') return { kind: 'external', pkg: target.pkg, path: entry.name === 'default' ? [] : [entry.name] };
        return { kind: 'unknown', reason: `cannot resolve import "${entry.specifier}"` };
      }
      case 'namespace':
        return this.moduleValue(entry.specifier, sf.fileName);
    }
  }

  private exportTable(sf: ts.SourceFile): ExportTable {
    let table = this.exportTables.get(sf.fileName);
    if (table) return table;
    table = { named: new Map(), stars: [] };
    for (const st of sf.statements) collectExports(st, table);
    this.exportTables.set(sf.fileName, table);
    return table;
  }
}

function collectExports(st: ts.Statement, table: ExportTable): void {
  const mods = ts.canHaveModifiers(st) ? ts.getModifiers(st) : undefined;
  const exported = mods?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  const isDefault = mods?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
  if (exported && ts.isVariableStatement(st)) {
    for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) table.named.set(d.name.text, { kind: 'decl', node: d });
  } else if (exported && (ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st))) {
    if (isDefault) table.named.set('default', { kind: 'decl', node: st });
    else if (st.name) table.named.set(st.name.text, { kind: 'decl', node: st });
  } else if (ts.isExportAssignment(st)) {
    if (st.isExportEquals) table.cjs = st.expression;
    else table.named.set('default', { kind: 'expr', node: st.expression });
  } else if (ts.isExportDeclaration(st)) {
    const spec = st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) ? st.moduleSpecifier.text : undefined;
    const clause = st.exportClause;
    if (!clause) {
      if (spec) table.stars.push(spec);
    } else if (ts.isNamespaceExport(clause)) {
      if (spec) table.named.set(clause.name.text, { kind: 'namespace', specifier: spec });
    } else {
      for (const el of clause.elements) {
        const local = (el.propertyName ?? el.name).text;
        table.named.set(el.name.text, spec ? { kind: 'reexport', specifier: spec, name: local } : { kind: 'local', name: local, at: st });
      }
    }
  } else if (ts.isExpressionStatement(st) && ts.isBinaryExpression(st.expression)) {
    collectCommonJsAssignment(st.expression, table);
  } else if (ts.isVariableStatement(st)) {
    // const githubAuth = module.exports = Router()
    for (const d of st.declarationList.declarations) {
      const init = d.initializer && unwrap(d.initializer);
      if (init && ts.isBinaryExpression(init)) collectCommonJsAssignment(init, table);
    }
  }
}

/** `module.exports = x`, `exports.name = x`, also chained (`module.exports = exports = x`). */
function collectCommonJsAssignment(assignment: ts.BinaryExpression, table: ExportTable): void {
  const { left, operatorToken, right } = assignment;
  if (operatorToken.kind !== ts.SyntaxKind.EqualsToken) return;
  const target = cjsExportTarget(left);
  if (target === 'module') table.cjs = right;
  else if (target) table.named.set(target, { kind: 'expr', node: right });
  const inner = unwrap(right);
  if (ts.isBinaryExpression(inner)) collectCommonJsAssignment(inner, table);
}

/** `module.exports` → 'module'; `exports.x` / `module.exports.x` → 'x'. */
function cjsExportTarget(left: ts.Expression): string | undefined {
  const text = (e: ts.Expression) => (ts.isIdentifier(e) ? e.text : undefined);
  if (ts.isPropertyAccessExpression(left)) {
    if (text(left.expression) === 'module' && left.name.text === 'exports') return 'module';
    if (text(left.expression) === 'exports') return left.name.text;
    const inner = left.expression;
    if (ts.isPropertyAccessExpression(inner) && text(inner.expression) === 'module' && inner.name.text === 'exports') {
      return left.name.text;
    }
  }
  return undefined;
}

/** Strips syntax that does not change the value: parentheses, type assertions, `!`, `satisfies`. */
export function unwrap(node: ts.Node): ts.Node {
  let e = node;
  for (;;) {
    if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isSatisfiesExpression(e) || ts.isTypeAssertionExpression(e)) {
      e = e.expression;
    } else return e;
  }
}

/** `await x` (and `await (x as T)`) → x, with the wrappers unwrap() removes. */
export function unwrapAwait(node: ts.Expression): ts.Expression {
  let e = unwrap(node) as ts.Expression;
  while (ts.isAwaitExpression(e)) e = unwrap(e.expression) as ts.Expression;
  return e;
}

/** `require('x')` → 'x'. */
export function requireSpecifier(node: ts.Node): string | undefined {
  if (
    ts.isCallExpression(node) &&
    ts.isIdentifier(node.expression) &&
    node.expression.text === 'require' &&
    node.arguments.length === 1 &&
    ts.isStringLiteralLike(node.arguments[0])
  ) {
    return node.arguments[0].text;
  }
  return undefined;
}

export function propertyNameText(name: ts.PropertyName | ts.BindingName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
  return undefined;
}

function isStatic(m: ts.ClassElement): boolean {
  return !!ts.getModifiers(m as ts.HasModifiers)?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword);
}

/** The expression after `extends`, if any. */
export function baseClass(cls: ts.ClassLikeDeclaration): ts.Expression | undefined {
  const clause = cls.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword);
  return clause?.types[0]?.expression;
}

export function enclosingClass(node: ts.Node): ts.ClassLikeDeclaration | undefined {
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
    if (ts.isClassDeclaration(n) || ts.isClassExpression(n)) return n;
    // An ordinary function rebinds `this`; arrow functions do not.
    if (ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n)) return undefined;
  }
  return undefined;
}

/** `express/lib/router` with package `express` → ['lib', 'router'] (kept so deep imports are distinguishable). */
function subpath(specifier: string, pkg: string): string[] {
  return specifier === pkg ? [] : specifier.slice(pkg.length + 1).split('/');
}

/** Packages whose result holds one of their arguments: `expressWs(app).app` is `app`. */
const PASSED_THROUGH: Record<string, Record<string, number>> = { 'express-ws': { app: 0 } };

/** Packages that load every module of a directory into an object keyed by file name. */
const DIRECTORY_LOADERS = new Set(['auto-load', 'require-dir', 'require-all', 'require-directory']);

/**
 * The directory a loader is given: `'./routes'` (base '.'), `path.join(__dirname, 'routes')` (base '.'), or
 * `path.join(SOME.ROOT, '/controllers')` (no base: only the literal tail is known).
 */
function directoryParts(arg: ts.Expression): { base?: string; literal: string[] } | undefined {
  const e = unwrap(arg);
  if (ts.isStringLiteralLike(e)) return { base: '.', literal: [e.text] };
  if (!ts.isCallExpression(e) || !/^path\.(join|resolve)$/.test(e.expression.getText()) || !e.arguments.length) return undefined;
  const literal: string[] = [];
  for (const a of [...e.arguments].reverse()) {
    const u = unwrap(a);
    if (!ts.isStringLiteralLike(u)) break;
    literal.unshift(u.text);
  }
  if (!literal.length) return undefined;
  const rest = e.arguments.length - literal.length;
  if (rest === 0) return { base: '.', literal };
  const first = unwrap(e.arguments[0]!);
  if (rest === 1 && ts.isIdentifier(first) && first.text === '__dirname') return { base: '.', literal };
  return { literal };
}

function sharedPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/**
 * What a pre-class constructor function gives its instances under `name`: `this.name = ...` among its own
 * statements (arrow functions share its `this`, nested `function`s do not), else `F.prototype.name = ...` in its file.
 */
function constructorFunctionMember(fn: FunctionNode, name: string): ts.Expression | undefined {
  const assignedTo = (n: ts.Node, target: (left: ts.Expression) => boolean): ts.Expression | undefined =>
    ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(n.left) && n.left.name.text === name && target(n.left.expression)
      ? n.right
      : undefined;
  let found: ts.Expression | undefined;
  const own = (n: ts.Node): void => {
    if (found || (isFunctionNode(n) && !ts.isArrowFunction(n))) return;
    found = assignedTo(n, (left) => left.kind === ts.SyntaxKind.ThisKeyword);
    if (!found) ts.forEachChild(n, own);
  };
  if (fn.body) ts.forEachChild(fn.body, own);
  const fnName = (ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn)) && fn.name ? fn.name.text : ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name) ? fn.parent.name.text : undefined;
  if (found || !fnName) return found;
  const onPrototype = (left: ts.Expression) => ts.isPropertyAccessExpression(left) && left.name.text === 'prototype' && ts.isIdentifier(left.expression) && left.expression.text === fnName;
  for (const st of fn.getSourceFile().statements) {
    if (ts.isExpressionStatement(st) && (found = assignedTo(st.expression, onPrototype))) break;
  }
  return found;
}
