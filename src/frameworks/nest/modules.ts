import { ts } from 'ts-morph';
import { returnedExpressions, isFunctionNode } from '../../syntax/functions.js';
import { snippet } from '../../syntax/loc.js';
import { unwrap, type Resolver } from '../../syntax/resolve.js';
import { staticString } from '../../syntax/strings.js';
import { joinPaths } from '../chain.js';
import { arrayElements, classOf, decoratorsOf, isPackageExport, nestCommonName, objectLiteral, property } from './decorators.js';

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

/** Walks `@Module({ imports, controllers, providers })` from the root module, dynamic modules and RouterModule trees included. */
export class ModuleGraphBuilder {
  private readonly graph: ModuleGraph = { modules: new Set(), controllers: [], appGuards: [], unresolved: [] };
  private readonly modulePaths = new Map<ts.ClassDeclaration, string>();
  private readonly controllerModules: { cls: ts.ClassDeclaration; module: ts.ClassDeclaration }[] = [];
  /** Modules reached only through a conditional import, with the condition; absent once reached unconditionally. */
  private readonly moduleConditions = new Map<ts.ClassDeclaration, string>();
  private condition: string | undefined;

  constructor(private readonly resolver: Resolver) {}

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
      const callee = this.resolver.value(e.expression);
      if (callee.kind === 'external') return this.externalImport(callee.pkg, callee.path, e, depth);
      if (callee.kind === 'node' && isFunctionNode(callee.node)) {
        // X.forRoot(...) / a helper returning a DynamicModule.
        for (const r of returnedExpressions(callee.node)) this.visitImport(r, depth + 1);
        // A static method of a module class also registers the class's own @Module metadata.
        const owner = callee.node.parent;
        if (ts.isClassDeclaration(owner) && this.isModuleClass(owner)) this.addModule(owner);
        return;
      }
      this.graph.unresolved.push(`module import ${snippet(e)} cannot be followed`);
      return;
    }
    const v = this.resolver.value(e);
    if (v.kind === 'external') return;
    if (v.kind === 'node' && ts.isClassDeclaration(v.node)) return this.addModule(v.node);
    if (v.kind === 'node' && v.node !== e) return this.visitImport(v.node as ts.Expression, depth + 1);
    this.graph.unresolved.push(`module import ${snippet(e)} cannot be followed`);
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
    const cls = moduleExpr ? classOf(moduleExpr, this.resolver) : undefined;
    if (!cls) {
      this.graph.unresolved.push(`dynamic module ${snippet(obj)} names no module class the scan can see`);
      return;
    }
    this.addModule(cls);
    this.addMetadata(cls, obj, depth);
  }

  private isModuleClass(cls: ts.ClassDeclaration): boolean {
    return decoratorsOf(cls, this.resolver).some((d) => nestCommonName(d) === 'Module');
  }

  private addModule(cls: ts.ClassDeclaration): void {
    if (this.graph.modules.has(cls)) {
      if (!this.condition) this.moduleConditions.delete(cls);
      return;
    }
    this.graph.modules.add(cls);
    if (this.condition) this.moduleConditions.set(cls, this.condition);
    for (const d of decoratorsOf(cls, this.resolver)) {
      if (nestCommonName(d) !== 'Module') continue;
      const meta = objectLiteral(d.call?.arguments[0], this.resolver);
      if (meta) this.addMetadata(cls, meta, 0);
    }
  }

  private addMetadata(cls: ts.ClassDeclaration, meta: ts.ObjectLiteralExpression, depth: number): void {
    const unresolved: string[] = [];
    for (const c of arrayElements(property(meta, 'controllers'), this.resolver, unresolved)) {
      const controller = classOf(c, this.resolver);
      if (controller) this.controllerModules.push({ cls: controller, module: cls });
      else unresolved.push(c.getText());
    }
    for (const p of arrayElements(property(meta, 'providers'), this.resolver, unresolved)) this.provider(p);
    for (const i of arrayElements(property(meta, 'imports'), this.resolver, unresolved)) this.visitImport(i, depth + 1);
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
