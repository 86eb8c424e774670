import { ts } from 'ts-morph';
import { returnedExpressions, isFunctionNode, type FunctionNode } from '../../syntax/functions.js';
import { findDeclaration } from '../../syntax/scope.js';
import { snippet } from '../../syntax/loc.js';
import { unwrap, type Resolver } from '../../syntax/resolve.js';
import { staticString } from '../../syntax/strings.js';
import { joinPaths } from '../chain.js';
import { arrayElements, classOf, decoratorsOf, isPackageExport, nestCommonName, objectLiteral, property, type DecoratorUse } from './decorators.js';

/** A guard every route runs: `APP_GUARD` providers and the global guard of a known auth module. */
export interface AppGuard {
  /** The guard expression (`JwtAuthGuard`, `new RolesGuard(reflector)`), or the module call for known packages. */
  expr: ts.Expression;
  /** Where it is registered, for the guard's location. */
  at: ts.Node;
  /** Set for guards a known package installs: its evidence. */
  known?: string;
  /** Registered by a module imported only when this holds (`isProd ? AuthModule : DevModule`). */
  condition?: string;
}

export interface ServedController {
  cls: ts.ClassDeclaration;
  module: ts.ClassDeclaration;
  /** Path the module is mounted at by `RouterModule.register`, if any. */
  modulePath?: string;
  /** Its module is imported only when this holds: the controller may not be served. */
  condition?: string;
}

/** What Nest instantiates from the root module: modules reached through `imports`, their controllers and global guards. */
export interface ModuleGraph {
  modules: Set<ts.ClassDeclaration>;
  controllers: ServedController[];
  appGuards: AppGuard[];
  /** Module imports the scan could not follow: a global guard registered there would be missed. */
  unresolved: string[];
}

const BETTER_AUTH_NEST = '@thallesp/nestjs-better-auth';
/** The resolver's reasons for a file the scan did not load, or a package (`@repo/db`) whose code lies outside the root. */
const OUTSIDE_SCAN = /^(file not in the scan|cannot resolve import "[^./])/;
/** A relative import that resolves to no file of the project. */
const ABSENT_FILE = /^cannot resolve import "\.{1,2}\//;

/**
 * `{ ...super.register(options), global: true }` in a module built with Nest's ConfigurableModuleBuilder: the
 * dynamic module is the class whose static method returns it.
 */
function builderModule(obj: ts.ObjectLiteralExpression): ts.ClassDeclaration | undefined {
  const fromSuper = obj.properties.some((p) => ts.isSpreadAssignment(p) && ts.isCallExpression(unwrap(p.expression)) && /^super\./.test((unwrap(p.expression) as ts.CallExpression).expression.getText()));
  if (!fromSuper) return undefined;
  for (let n: ts.Node | undefined = obj.parent; n; n = n.parent) if (ts.isClassDeclaration(n)) return n;
  return undefined;
}

/** Walks `@Module({ imports, controllers, providers })` from the root module, dynamic modules and RouterModule trees included. */
export class ModuleGraphBuilder {
  private readonly graph: ModuleGraph = { modules: new Set(), controllers: [], appGuards: [], unresolved: [] };
  private readonly modulePaths = new Map<ts.ClassDeclaration, string>();
  private readonly controllerModules: { cls: ts.ClassDeclaration; module: ts.ClassDeclaration }[] = [];
  /** Modules reached only through a conditional import, with the condition; absent once reached unconditionally. */
  private readonly moduleConditions = new Map<ts.ClassDeclaration, string>();
  private condition: string | undefined;
  /** Parameters of the dynamic-module helpers being followed, bound to the arguments of their call. */
  private readonly bindings: Map<ts.Node, ts.Expression>[] = [];

  constructor(private readonly resolver: Resolver) {}

  /** `options.imports` inside `forRoot(options)`, as the call passed it: `forRoot({ imports: [A] })` gives `[A]`. */
  private readonly bind = (e: ts.Expression, depth = 0): ts.Expression | undefined => {
    if (depth > 4 || !this.bindings.length) return undefined;
    const u = unwrap(e);
    const param = ts.isPropertyAccessExpression(u) ? unwrap(u.expression) : u;
    if (!ts.isIdentifier(param)) return undefined;
    const decl = this.resolver.value(param);
    const target = decl.kind === 'param' ? decl.node : undefined;
    const arg = target && [...this.bindings].reverse().find((frame) => frame.has(target))?.get(target);
    if (!arg) return undefined;
    // `const { imports = [] } = metadata`: that part of the argument, or the default the pattern gives it.
    if (decl.kind === 'param' && decl.path.length && ts.isIdentifier(u)) {
      let part: ts.Expression | undefined = this.bind(arg, depth + 1) ?? arg;
      for (const key of decl.path) {
        const obj: ts.ObjectLiteralExpression | undefined = part && objectLiteral(part, this.resolver);
        part = obj && property(obj, key);
      }
      const element = findDeclaration(u.text, u);
      const fallback = element && ts.isBindingElement(element) ? element.initializer : undefined;
      const found = part ?? fallback;
      return found && (this.bind(found, depth + 1) ?? found);
    }
    const value = ts.isPropertyAccessExpression(u) ? (() => {
      const obj = objectLiteral(this.bind(arg, depth + 1) ?? arg, this.resolver);
      return obj && property(obj, u.name.text);
    })() : arg;
    return value && (this.bind(value, depth + 1) ?? value);
  };

  build(roots: ts.Expression[] | ts.ClassDeclaration[]): ModuleGraph {
    for (const r of roots) {
      if (ts.isClassDeclaration(r)) this.addModule(r);
      else this.visitImport(r, 0);
    }
    const seen = new Set<string>();
    for (const c of this.controllerModules) {
      const key = `${c.cls.getSourceFile().fileName}:${c.cls.pos}:${c.module.pos}`;
      if (seen.has(key)) continue;
      seen.add(key);
      this.graph.controllers.push({ ...c, modulePath: this.modulePaths.get(c.module), condition: this.moduleConditions.get(c.module) });
    }
    return this.graph;
  }

  private visitImport(expr: ts.Expression, depth: number): void {
    if (depth > 12) return;
    const e = unwrap(expr) as ts.Expression;
    if (ts.isObjectLiteralExpression(e)) return this.addDynamic(e, depth);
    // `config.isDocumentDatabase ? MongooseModule.forRoot() : TypeOrmModule.forRoot()`: Nest imports one branch.
    if (ts.isConditionalExpression(e)) {
      const cond = snippet(e.condition, 50);
      this.underCondition(cond, () => this.visitImport(e.whenTrue, depth + 1));
      this.underCondition(`not ${cond}`, () => this.visitImport(e.whenFalse, depth + 1));
      return;
    }
    if (ts.isCallExpression(e)) {
      // Object.keys(QUEUES).map((name) => BullModule.registerQueue({ name })): each element is what the callback makes.
      const callback = ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'map' && e.arguments[0] ? unwrap(e.arguments[0]) : undefined;
      if (callback && isFunctionNode(callback)) {
        for (const r of returnedExpressions(callback)) this.visitImport(r, depth + 1);
        return;
      }
      const callee = this.resolver.value(e.expression);
      if (callee.kind === 'external') return this.externalImport(callee.pkg, callee.path, e, depth);
      if (callee.kind === 'node' && isFunctionNode(callee.node)) {
        // X.forRoot(...) / a helper returning a DynamicModule, its parameters bound to this call's arguments.
        this.bindings.push(callFrame(callee.node, e));
        try {
          for (const r of returnedExpressions(callee.node)) this.visitImport(r, depth + 1);
        } finally {
          this.bindings.pop();
        }
        // A static method of a module class also registers the class's own @Module metadata.
        const owner = callee.node.parent;
        if (ts.isClassDeclaration(owner) && this.isModuleClass(owner)) this.addModule(owner);
        return;
      }
      // getTemporalModule(false) from a library outside the scan root: not project code to walk.
      if (callee.kind === 'unknown' && (OUTSIDE_SCAN.test(callee.reason) || (this.condition && ABSENT_FILE.test(callee.reason)))) return;
      this.graph.unresolved.push(`module import ${snippet(e)} cannot be followed${callee.kind === 'unknown' ? ` (${callee.reason})` : ''}`);
      return;
    }
    const v = this.resolver.value(e);
    // A package's module, installed or a workspace package outside the scan root: not project code to walk.
    if (v.kind === 'external' || (v.kind === 'unknown' && OUTSIDE_SCAN.test(v.reason))) return;
    // `if (require('./ee/ee.module')?.EeModule) modules.push(...)`: a file this checkout does not have, imported
    // only when it exists (an enterprise build): absent here, so nothing of it is served.
    if (v.kind === 'unknown' && this.condition && ABSENT_FILE.test(v.reason)) return;
    if (v.kind === 'node' && ts.isClassDeclaration(v.node)) return this.addModule(v.node);
    if (v.kind === 'node' && v.node !== e) return this.visitImport(v.node as ts.Expression, depth + 1);
    this.graph.unresolved.push(`module import ${snippet(e)} cannot be followed${v.kind === 'unknown' ? ` (${v.reason})` : ''}`);
  }

  private underCondition(condition: string, visit: () => void): void {
    const outer = this.condition;
    this.condition = outer ? `${outer} and ${condition}` : condition;
    visit();
    this.condition = outer;
  }

  private externalImport(pkg: string, path: string[], call: ts.CallExpression, depth: number): void {
    const member = path.join('.');
    if (pkg === '@nestjs/common' && member === 'forwardRef') {
      const fn = call.arguments[0] && unwrap(call.arguments[0]);
      if (fn && isFunctionNode(fn)) for (const r of returnedExpressions(fn)) this.visitImport(r, depth + 1);
      return;
    }
    if (pkg === '@nestjs/core' && member === 'RouterModule.register' && call.arguments[0]) {
      this.routerTree(call.arguments[0], '');
      return;
    }
    if (pkg === BETTER_AUTH_NEST && /^AuthModule\.forRoot(Async)?$/.test(member)) {
      const options = objectLiteral(call.arguments[0], this.resolver);
      const disabled = options && property(options, 'disableGlobalAuthGuard');
      if (!disabled || unwrap(disabled).kind !== ts.SyntaxKind.TrueKeyword) {
        this.graph.appGuards.push({ expr: call, at: call, known: `${BETTER_AUTH_NEST} AuthModule installs a global AuthGuard that requires a session`, condition: this.condition });
      }
    }
    // Any other package module: its controllers are not project code and its guards are not ours to judge.
  }

  /** `{ module: X, controllers, imports, providers }` returned by forRoot()/register(). */
  private addDynamic(obj: ts.ObjectLiteralExpression, depth: number): void {
    const moduleExpr = property(obj, 'module');
    const cls = moduleExpr ? classOf(moduleExpr, this.resolver) : builderModule(obj);
    if (!cls) {
      this.graph.unresolved.push(`dynamic module ${snippet(obj)} names no module class the scan can see`);
      return;
    }
    this.addModule(cls);
    this.addMetadata(cls, obj, depth);
  }

  private isModuleClass(cls: ts.ClassDeclaration): boolean {
    return decoratorsOf(cls, this.resolver).some((d) => nestCommonName(d) === 'Module' || moduleFactoryCall(d, this.resolver));
  }

  private addModule(cls: ts.ClassDeclaration): void {
    if (this.graph.modules.has(cls)) {
      if (!this.condition) this.moduleConditions.delete(cls);
      return;
    }
    this.graph.modules.add(cls);
    if (this.condition) this.moduleConditions.set(cls, this.condition);
    for (const d of decoratorsOf(cls, this.resolver)) {
      if (nestCommonName(d) === 'Module') {
        const meta = objectLiteral(d.call?.arguments[0], this.resolver);
        if (meta) this.addMetadata(cls, meta, 0);
        continue;
      }
      // `@HexabotModule()`: a project decorator that returns `Module({ ...rest, imports: [...BASE, ...imports] })`.
      const made = moduleFactoryCall(d, this.resolver);
      if (!made || !d.call) continue;
      this.bindings.push(callFrame(made.factory, d.call));
      try {
        const meta = objectLiteral(made.module.arguments[0], this.resolver);
        if (meta) this.addMetadata(cls, meta, 0);
      } finally {
        this.bindings.pop();
      }
    }
  }

  private addMetadata(cls: ts.ClassDeclaration, meta: ts.ObjectLiteralExpression, depth: number): void {
    const unresolved: string[] = [];
    const reading = { conditions: new Map<ts.Expression, string>(), bind: (e: ts.Expression) => this.bind(e) };
    const list = (key: string) => arrayElements(property(meta, key), this.resolver, unresolved, 0, reading);
    const maybeUnder = (el: ts.Expression, visit: () => void) => {
      const condition = reading.conditions.get(el);
      if (condition) this.underCondition(condition, visit);
      else visit();
    };
    for (const c of list('controllers')) {
      const controller = classOf(c, this.resolver);
      if (controller) this.controllerModules.push({ cls: controller, module: cls });
      else unresolved.push(c.getText());
    }
    for (const p of list('providers')) maybeUnder(p, () => this.provider(p));
    for (const i of list('imports')) maybeUnder(i, () => this.visitImport(i, depth + 1));
    for (const u of unresolved) this.graph.unresolved.push(`${u} in ${cls.name?.text ?? 'a module'} cannot be followed`);
  }

  /** `{ provide: APP_GUARD, useClass | useExisting | useValue | useFactory }`. */
  private provider(p: ts.Expression): void {
    const obj = objectLiteral(p, this.resolver);
    if (!obj) return;
    const provide = property(obj, 'provide');
    if (!provide || !isPackageExport(this.resolver.value(provide), '@nestjs/core', 'APP_GUARD')) return;
    for (const key of ['useClass', 'useExisting', 'useValue']) {
      const v = property(obj, key);
      if (v) this.graph.appGuards.push({ expr: v, at: obj, condition: this.condition });
    }
    const factory = property(obj, 'useFactory');
    if (factory) {
      const fnValue = this.resolver.value(factory);
      const fn = isFunctionNode(unwrap(factory)) ? unwrap(factory) : fnValue.kind === 'node' ? unwrap(fnValue.node) : undefined;
      if (fn && isFunctionNode(fn)) for (const r of returnedExpressions(fn)) this.graph.appGuards.push({ expr: r, at: obj, condition: this.condition });
      else this.graph.appGuards.push({ expr: factory, at: obj, condition: this.condition });
    }
  }

  /** RouterModule.register([{ path, module, children }]): each module's controllers are served under its path. */
  private routerTree(routes: ts.Expression, prefix: string): void {
    for (const el of arrayElements(routes, this.resolver)) {
      const obj = objectLiteral(el, this.resolver);
      if (!obj) {
        const cls = classOf(el, this.resolver);
        if (cls && !this.modulePaths.has(cls)) this.modulePaths.set(cls, prefix);
        continue;
      }
      const pathExpr = property(obj, 'path');
      const own = pathExpr ? staticString(pathExpr, this.resolver) : '';
      const full = joinPaths(prefix, own ?? '<dynamic>');
      const moduleExpr = property(obj, 'module');
      const cls = moduleExpr && classOf(moduleExpr, this.resolver);
      if (cls) this.modulePaths.set(cls, full);
      const children = property(obj, 'children');
      if (children) this.routerTree(children, full);
    }
  }
}

/** A function's parameters bound to a call's arguments; one the call leaves out, to its default (`metadata = {}`). */
function callFrame(fn: FunctionNode, call: ts.CallExpression): Map<ts.Node, ts.Expression> {
  const frame = new Map<ts.Node, ts.Expression>();
  fn.parameters.forEach((param, i) => {
    const given = call.arguments[i] ?? param.initializer;
    if (given) frame.set(param, given);
  });
  return frame;
}

/** A decorator that is a project function returning `Module({...})` of @nestjs/common: the function and that call. */
export function moduleFactoryCall(d: DecoratorUse, resolver: Resolver): { factory: FunctionNode; module: ts.CallExpression } | undefined {
  if (!d.call || d.value.kind !== 'node' || !isFunctionNode(d.value.node)) return undefined;
  const factory = d.value.node;
  for (const r of returnedExpressions(factory)) {
    const made = unwrap(r);
    if (ts.isCallExpression(made) && isPackageExport(resolver.value(made.expression), '@nestjs/common', 'Module')) return { factory, module: made };
  }
  return undefined;
}
