import fs from 'node:fs';
import path from 'node:path';
import { ts } from 'ts-morph';
import { packageOf } from '../../discover/packages.js';
import { detectStyle, importEdit, quoteString, relativeSpecifier } from '../../fix/style.js';
import { honoAuthDependencies, honoAuthExport, honoAuthModule } from '../../fix/templates/hono.js';
import type { Fix, TextEdit } from '../../model/types.js';
import { staticString } from '../../syntax/strings.js';
import { unwrap } from '../../syntax/resolve.js';
import type { AdapterContext, AuthFixRequest, RouteRecord } from '../adapter.js';
import { chooseAuthStrategy } from '../better-auth-instance.js';
import { honoPatternCovers } from './paths.js';
import { honoRegistrationOf, type HonoRegistration } from './routes.js';
import { usesJsExtensionsFor } from '../generated-module.js';

type Planned = Map<string, { fix?: Fix; notFixableReason?: string }>;

/**
 * Inserts `requireAuth` with the least change: `app.use('<mount>/*', requireAuth)` right before a
 * `route()` mount when every route served under that mount is flagged, else a route-level argument
 * before the first middleware or handler (for @hono/zod-openapi, into createRoute's `middleware`).
 * The generated module and the import come with each fix; identical edits are applied once.
 */
export function planHonoAuthFixes(ctx: AdapterContext, request: AuthFixRequest): Planned {
  const planned: Planned = new Map();
  if (!request.flagged.length) return planned;
  const firstFile = path.join(ctx.project.root, request.flagged[0].route.loc.file);
  const target = authModuleLocation(ctx, firstFile);
  if (!target.esm) {
    for (const r of request.flagged) planned.set(r.route.id, { notFixableReason: 'the generated Hono module is an ES module; this project uses CommonJS' });
    return planned;
  }
  const choice = chooseAuthStrategy(ctx, request.strategy, target.file, target.jsExtensions);
  if ('notFixableReason' in choice) {
    for (const r of request.flagged) planned.set(r.route.id, { notFixableReason: choice.notFixableReason });
    return planned;
  }
  const { strategy, sessionImport } = choice;
  const moduleText = honoAuthModule({
    language: target.language,
    style: target.style,
    strategy,
    sessionImport,
  });
  const shared = { newFiles: [{ file: target.file, text: moduleText }], dependencies: honoAuthDependencies(strategy) };
  const flaggedIds = new Set(request.flagged.map((r) => r.route.id));

  for (const record of request.flagged) {
    const reg = honoRegistrationOf.get(record);
    if (!reg) {
      planned.set(record.route.id, { notFixableReason: 'the route registration could not be located for editing' });
      continue;
    }
    const whole = wholeMountEdit(ctx, reg, request.all, flaggedIds, (sf) => localName(sf, target.file));
    const edit = whole?.edit ?? routeLevelEdit(reg, (sf) => localName(sf, target.file));
    if (!edit) {
      planned.set(record.route.id, { notFixableReason: 'no middleware or handler argument to insert the guard before' });
      continue;
    }
    const sf = ctx.project.files.get(edit.file) ?? reg.entry.call.getSourceFile();
    const style = detectStyle(sf.text, sf.fileName);
    const specifier = relativeSpecifier(sf.fileName, target.file, usesJsExtensionsFor(ctx, sf));
    const name = localName(sf, target.file);
    const binding = name === honoAuthExport ? name : `${honoAuthExport} as ${name}`;
    const imp = importEdit(sf.fileName, sf.text, { names: [binding], specifier, moduleKind: 'esm' }, style);
    planned.set(record.route.id, {
      fix: {
        description: whole ? `protect every route mounted at ${whole.prefix} with ${honoAuthExport}` : `add ${honoAuthExport} to ${record.route.method} ${record.route.path}`,
        edits: [edit, ...(imp ? [imp] : [])],
        ...shared,
      },
    });
  }
  return planned;
}

/**
 * `app.use('/users/*', requireAuth)` before `app.route('/users', users)`: the outermost mount whose
 * whole pattern serves only flagged routes, all of them reached through that mount (so nothing
 * public, unknown or registered before it falls under the new guard).
 */
function wholeMountEdit(
  ctx: AdapterContext,
  reg: HonoRegistration,
  all: RouteRecord[],
  flaggedIds: Set<string>,
  nameIn: (sf: ts.SourceFile) => string,
): { edit: TextEdit; prefix: string } | undefined {
  for (const mount of reg.mounts) {
    const local = staticString(mount.entry.path, ctx.resolver);
    if (local === undefined || local === '' || local === '/' || mount.entry.base === undefined) continue;
    const pattern = `${mount.prefix}/*`;
    const covered = all.filter((other) => {
      const o = honoRegistrationOf.get(other);
      return o?.root === reg.root && honoPatternCovers(pattern, other.route.path);
    });
    const fits = covered.every((other) => flaggedIds.has(other.route.id) && honoRegistrationOf.get(other)!.mounts.some((m) => m.entry === mount.entry));
    if (!fits) continue;
    const edit = useBeforeMount(mount.entry.call, `${local.replace(/\/+$/, '')}/*`, nameIn(mount.entry.call.getSourceFile()));
    if (edit) return { edit, prefix: mount.prefix };
  }
  return undefined;
}

/** A statement `app.use(...)` before `app.route(...);`, or `.use(...)` spliced into a chain before `.route(`. */
function useBeforeMount(call: ts.CallExpression, pattern: string, guard: string): TextEdit | undefined {
  const sf = call.getSourceFile();
  const style = detectStyle(sf.text, sf.fileName);
  const callee = call.expression as ts.PropertyAccessExpression;
  const receiver = unwrap(callee.expression);
  const args = `(${quoteString(pattern, style)}, ${guard})`;
  const statement = call.parent;
  if (ts.isExpressionStatement(statement) && ts.isIdentifier(receiver)) {
    const start = statement.getStart(sf);
    const lineStart = sf.text.lastIndexOf('\n', start - 1) + 1;
    const indent = sf.text.slice(lineStart, start);
    if (!/^[ \t]*$/.test(indent)) return undefined;
    return { file: sf.fileName, start, end: start, text: `${receiver.text}.use${args}${style.semicolons ? ';' : ''}${style.eol}${indent}` };
  }
  // Chains (`new Hono().route(...).route(...)`, `const routes = app.route(...)`): use() keeps the route types.
  const dot = callee.questionDotToken ? callee.questionDotToken.getStart(sf) : callee.name.getStart(sf) - 1;
  const lineStart = sf.text.lastIndexOf('\n', dot - 1) + 1;
  const before = sf.text.slice(lineStart, dot);
  const text = /^[ \t]*$/.test(before) ? `.use${args}${style.eol}${before}` : `.use${args}`;
  return { file: sf.fileName, start: dot, end: dot, text };
}

function routeLevelEdit(reg: HonoRegistration, nameIn: (sf: ts.SourceFile) => string): TextEdit | undefined {
  const { insertion } = reg.entry;
  if (!insertion) return undefined;
  if ('before' in insertion) {
    const sf = insertion.before.getSourceFile();
    const start = insertion.before.getStart(sf);
    return { file: sf.fileName, start, end: start, text: `${nameIn(sf)}, ` };
  }
  return openapiMiddlewareEdit(insertion.openapiRoute, nameIn(insertion.openapiRoute.getSourceFile()));
}

/**
 * The name the guard has in a file: `requireAuth`, unless the file already binds that name to
 * something else (often the project's own middleware), then `requireBetterAuth`.
 */
function localName(sf: ts.SourceFile, moduleFile: string): string {
  const taken = topLevelBinding(sf, honoAuthExport);
  if (!taken) return honoAuthExport;
  if (ts.isImportSpecifier(taken)) {
    const spec = taken.parent.parent.parent.moduleSpecifier;
    const target = ts.isStringLiteral(spec) ? path.resolve(path.dirname(sf.fileName), spec.text).replace(/\.js$/, '') : '';
    if (target === moduleFile.replace(/\.[cm]?[jt]s$/, '')) return honoAuthExport;
  }
  return 'requireBetterAuth';
}

function topLevelBinding(sf: ts.SourceFile, name: string): ts.Node | undefined {
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st) && st.importClause) {
      const { name: def, namedBindings } = st.importClause;
      if (def?.text === name) return def;
      if (namedBindings && ts.isNamedImports(namedBindings)) {
        const el = namedBindings.elements.find((e) => e.name.text === name);
        if (el) return el;
      }
      if (namedBindings && ts.isNamespaceImport(namedBindings) && namedBindings.name.text === name) return namedBindings;
    } else if (ts.isVariableStatement(st)) {
      const d = st.declarationList.declarations.find((x) => ts.isIdentifier(x.name) && x.name.text === name);
      if (d) return d;
    } else if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && st.name?.text === name) return st;
  }
  return undefined;
}

/** createRoute({ ..., middleware }) : prepend to the array, wrap a single middleware, or add the property. */
function openapiMiddlewareEdit(config: ts.ObjectLiteralExpression, guard: string): TextEdit | undefined {
  const sf = config.getSourceFile();
  const prop = config.properties.find((p) => p.name && p.name.getText() === 'middleware');
  if (prop && ts.isPropertyAssignment(prop)) {
    const value = prop.initializer;
    const inner = unwrap(value);
    if (ts.isArrayLiteralExpression(inner)) {
      const first = inner.elements[0];
      const at = first ? first.getStart(sf) : inner.getStart(sf) + 1;
      return { file: sf.fileName, start: at, end: at, text: first ? `${guard}, ` : guard };
    }
    return { file: sf.fileName, start: value.getStart(sf), end: value.end, text: `[${guard}, ${value.getText(sf)}] as const` };
  }
  if (prop) return undefined;
  // `{ ...listPlansRoute }`: after the spread, so the guard is not replaced by what the spread brings.
  const last = config.properties[config.properties.length - 1];
  if (last && config.properties.some(ts.isSpreadAssignment)) {
    return { file: sf.fileName, start: last.end, end: last.end, text: `, middleware: [${guard}] as const` };
  }
  const first = config.properties[0];
  if (!first) return undefined;
  const start = first.getStart(sf);
  const lineStart = sf.text.lastIndexOf('\n', start - 1) + 1;
  const before = sf.text.slice(lineStart, start);
  const style = detectStyle(sf.text, sf.fileName);
  const separator = /^[ \t]*$/.test(before) ? `,${style.eol}${before}` : ', ';
  return { file: sf.fileName, start, end: start, text: `middleware: [${guard}] as const${separator}` };
}

interface ModuleLocation {
  file: string;
  language: 'ts' | 'js';
  esm: boolean;
  style: ReturnType<typeof detectStyle>;
  jsExtensions: boolean;
}

/** `<package>/src/auth/require-auth.ts` (or beside the routes when there is no src/), in the project's flavour. */
function authModuleLocation(ctx: AdapterContext, routeFile: string): ModuleLocation {
  const pkg = packageOf(ctx.project.packages, routeFile);
  const base = pkg?.dir ?? ctx.project.root;
  const srcDir = routeFile.startsWith(path.join(base, 'src') + path.sep) ? path.join(base, 'src') : path.dirname(routeFile);
  const sf = ctx.project.files.get(routeFile)!;
  const isTs = /\.(c|m)?tsx?$/.test(routeFile);
  const existing = ['.ts', '.js', '.mjs'].map((e) => path.join(srcDir, 'auth', `require-auth${e}`)).find((f) => fs.existsSync(f));
  const esm = !/\.c[jt]s$/.test(routeFile) && (isTs || routeFile.endsWith('.mjs') || pkg?.type === 'module' || /^\s*(import|export)\s/m.test(sf.text));
  return {
    file: existing ?? path.join(srcDir, 'auth', `require-auth${isTs ? '.ts' : routeFile.endsWith('.mjs') ? '.mjs' : '.js'}`),
    language: isTs ? 'ts' : 'js',
    esm,
    style: detectStyle(sf.text, sf.fileName),
    jsExtensions: usesJsExtensionsFor(ctx, sf),
  };
}
