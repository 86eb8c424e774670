import path from 'node:path';
import { ts } from 'ts-morph';
import { packageOf } from '../../discover/packages.js';
import type { Fix, TextEdit } from '../../model/types.js';
import { detectStyle, importEdit, relativeSpecifier } from '../../fix/style.js';
import { fastifyAuthDependencies, fastifyAuthExport, fastifyAuthModule, fastifyUserPluginExport } from '../../fix/templates/fastify.js';
import type { FastifyUserTyping } from '../../fix/templates/fastify-jwt.js';
import { unwrap } from '../../syntax/resolve.js';
import type { AdapterContext, AuthFixRequest, RouteRecord } from '../adapter.js';
import { chooseAuthStrategy } from '../better-auth-instance.js';
import type { FastifyContext, RouteEntry } from './contexts.js';
import { fastifyRegistrationOf } from './routes.js';
import { authModuleLocation, moduleKindOf, usesJsExtensionsFor } from '../generated-module.js';

type Planned = Map<string, { fix?: Fix; notFixableReason?: string }>;

/**
 * Adds the generated `requireAuth` onRequest hook with the least change: `fastify.addHook('onRequest',
 * requireAuth)` at the top of a plugin whose routes (its children's included) are all flagged, else
 * `onRequest: [requireAuth]` in the route's own options. A plugin-level hook goes only into a plugin that
 * has its own context: in an fp() plugin it would guard the parent, and no root gets a global hook.
 */
export function planFastifyAuthFixes(ctx: AdapterContext, request: AuthFixRequest): Planned {
  const planned: Planned = new Map();
  if (!request.flagged.length) return planned;
  const target = authModuleLocation(ctx, path.join(ctx.project.root, request.flagged[0].route.loc.file));
  const choice = chooseAuthStrategy(ctx, request.strategy, target.file, target.jsExtensions);
  if ('notFixableReason' in choice) {
    for (const r of request.flagged) planned.set(r.route.id, { notFixableReason: choice.notFixableReason });
    return planned;
  }
  const { strategy, sessionImport } = choice;
  const userTyping = userTypingOf(ctx, path.join(ctx.project.root, request.flagged[0].route.loc.file));
  const moduleText = fastifyAuthModule({
    userTyping,
    language: target.language,
    moduleKind: target.moduleKind,
    style: target.style,
    strategy,
    sessionImport,
  });
  const shared = { newFiles: [{ file: target.file, text: moduleText }], dependencies: fastifyAuthDependencies(strategy) };
  const flaggedIds = new Set(request.flagged.map((r) => r.route.id));

  for (const record of request.flagged) {
    const entry = fastifyRegistrationOf.get(record);
    if (!entry) {
      planned.set(record.route.id, { notFixableReason: 'the route registration could not be located for editing' });
      continue;
    }
    if (entry.shape === 'decorator') {
      planned.set(record.route.id, { notFixableReason: 'routes of fastify-decorators controllers are not edited automatically: add a @Hook or the route option by hand' });
      continue;
    }
    const whole = pluginEdit(entry.ctx, request.all, flaggedIds);
    const route = whole ? undefined : routeEdit(entry);
    if (!whole && (!route || 'reason' in route)) {
      planned.set(record.route.id, { notFixableReason: route && 'reason' in route ? route.reason : 'no place to add the hook' });
      continue;
    }
    const edit = whole ?? (route as TextEdit);
    const edits: TextEdit[] = [edit, ...importFor(ctx, edit.file, fastifyAuthExport, target.file)];
    if (userTyping === 'fastify') edits.push(...decorateUser(ctx, entry.ctx, target.file));
    planned.set(record.route.id, {
      fix: {
        description: whole ? `protect every route of the plugin with an onRequest ${fastifyAuthExport} hook` : `add onRequest ${fastifyAuthExport} to ${record.route.method} ${record.route.path}`,
        edits,
        ...shared,
      },
    });
  }
  return planned;
}

/** `fastify.addHook('onRequest', requireAuth);` as the plugin's first statement, when that guards exactly flagged routes. */
function pluginEdit(pctx: FastifyContext, all: RouteRecord[], flaggedIds: Set<string>): TextEdit | undefined {
  const fn = pctx.plugin;
  if (!fn || !pctx.parent || pctx.orphan || !fn.body || !ts.isBlock(fn.body)) return undefined;
  const param = fn.parameters[0];
  if (!param || !ts.isIdentifier(param.name)) return undefined;
  // Every context this function runs as, and everything registered inside them.
  let covered = 0;
  for (const other of all) {
    const e = fastifyRegistrationOf.get(other);
    if (!e) continue;
    let inside = false;
    for (let c: FastifyContext | undefined = e.ctx; c; c = c.parent) if (c.plugin === fn && c.parent) inside = true;
    if (!inside) continue;
    if (!flaggedIds.has(other.route.id)) return undefined;
    covered++;
  }
  if (covered < 2) return undefined;
  const sf = fn.getSourceFile();
  const style = detectStyle(sf.text, sf.fileName);
  const first = fn.body.statements[0];
  const indent = first ? indentOf(sf, first) : indentOf(sf, fn.body) + style.indent;
  const text = `${style.eol}${indent}${param.name.text}.addHook('onRequest', ${fastifyAuthExport})${style.semicolons ? ';' : ''}`;
  const at = fn.body.getStart(sf) + 1;
  return { file: sf.fileName, start: at, end: at, text: quoteFor(text, style.quote) };
}

/** `onRequest: [requireAuth]` in the route's own options (adding the options object when there is none). */
function routeEdit(entry: RouteEntry): TextEdit | { reason: string } | undefined {
  const sf = entry.call.getSourceFile();
  if (entry.optionsExpr) return { reason: `the route's options ${entry.optionsExpr.getText().slice(0, 40)} are shared or computed; add the hook there by hand` };
  const opts = entry.options;
  if (opts) {
    if (opts.pos < entry.call.pos || opts.end > entry.call.end) {
      return { reason: 'the route options object is declared elsewhere and may be shared with other routes' };
    }
    const existing = opts.properties.find((p) => p.name && p.name.getText().replace(/['"]/g, '') === 'onRequest');
    if (existing) {
      if (!ts.isPropertyAssignment(existing)) return { reason: 'onRequest is not a plain property' };
      const value = unwrap(existing.initializer);
      if (ts.isArrayLiteralExpression(value)) {
        const at = value.elements.length ? value.elements[0].getStart(sf) : value.getStart(sf) + 1;
        return { file: sf.fileName, start: at, end: at, text: value.elements.length ? `${fastifyAuthExport}, ` : fastifyAuthExport };
      }
      if (ts.isIdentifier(value) || ts.isPropertyAccessExpression(value) || ts.isCallExpression(value) || ts.isArrowFunction(value) || ts.isFunctionExpression(value)) {
        const start = existing.initializer.getStart(sf);
        return { file: sf.fileName, start, end: existing.initializer.end, text: `[${fastifyAuthExport}, ${existing.initializer.getText(sf)}]` };
      }
      return { reason: 'the existing onRequest value cannot be extended safely' };
    }
    if (!opts.properties.length) {
      return { file: sf.fileName, start: opts.getStart(sf), end: opts.end, text: `{ onRequest: [${fastifyAuthExport}] }` };
    }
    const first = opts.properties[0];
    const multiline = sf.getLineAndCharacterOfPosition(first.getStart(sf)).line !== sf.getLineAndCharacterOfPosition(opts.getStart(sf)).line;
    const at = first.getStart(sf);
    if (multiline) {
      const style = detectStyle(sf.text, sf.fileName);
      return { file: sf.fileName, start: at, end: at, text: `onRequest: [${fastifyAuthExport}],${style.eol}${indentOf(sf, first)}` };
    }
    return { file: sf.fileName, start: at, end: at, text: `onRequest: [${fastifyAuthExport}], ` };
  }
  if (entry.shape === 'shorthand' && entry.handler && entry.call.arguments.length === 2) {
    const at = entry.handler.getStart(sf);
    return { file: sf.fileName, start: at, end: at, text: `{ onRequest: [${fastifyAuthExport}] }, ` };
  }
  return undefined;
}

/**
 * `app.register(authUser)` right after the root instance is created, so request.user is declared
 * (decorateRequest('user', null)) once for the whole app. Skipped when @fastify/jwt, which declares
 * request.user itself, is a dependency, or when the root is not a plain variable.
 */
function decorateUser(ctx: AdapterContext, pctx: FastifyContext, moduleFile: string): TextEdit[] {
  let root = pctx;
  while (root.parent) root = root.parent;
  if (!root.creation) return [];
  const sf = root.creation.getSourceFile();
  if ('@fastify/jwt' in (packageOf(ctx.project.packages, sf.fileName)?.deps ?? {})) return [];
  let node: ts.Node = root.creation;
  while (ts.isPropertyAccessExpression(node.parent) || (ts.isCallExpression(node.parent) && node.parent.expression === node) || ts.isAsExpression(node.parent)) node = node.parent;
  const decl = node.parent;
  if (!ts.isVariableDeclaration(decl) || !ts.isIdentifier(decl.name) || !ts.isVariableStatement(decl.parent.parent)) return [];
  if (sf.text.includes(`.register(${fastifyUserPluginExport})`)) return [];
  const statement = decl.parent.parent;
  const style = detectStyle(sf.text, sf.fileName);
  const text = `${style.eol}${indentOf(sf, statement)}${decl.name.text}.register(${fastifyUserPluginExport})${style.semicolons ? ';' : ''}`;
  return [{ file: sf.fileName, start: statement.end, end: statement.end, text }, ...importFor(ctx, sf.fileName, fastifyUserPluginExport, moduleFile)];
}

/**
 * Who declares `request.user`: @fastify/jwt does when the project uses it (its FastifyJWT['user']), and
 * the project itself when it sets FastifyJWT's user; a second declaration of another type would not compile.
 */
function userTypingOf(ctx: AdapterContext, routeFile: string): FastifyUserTyping {
  const usesJwt = '@fastify/jwt' in (packageOf(ctx.project.packages, routeFile)?.deps ?? {}) ||
    [...ctx.project.files.values()].some((sf) => /['"]@fastify\/jwt['"]/.test(sf.text));
  if (!usesJwt) return 'fastify';
  for (const sf of ctx.project.files.values()) {
    if (!sf.text.includes('FastifyJWT')) continue;
    for (const st of sf.statements) {
      if (!ts.isModuleDeclaration(st) || !ts.isStringLiteral(st.name) || st.name.text !== '@fastify/jwt' || !st.body || !ts.isModuleBlock(st.body)) continue;
      for (const inner of st.body.statements) {
        if (ts.isInterfaceDeclaration(inner) && inner.name.text === 'FastifyJWT' && inner.members.some((m) => m.name?.getText() === 'user')) return 'project';
      }
    }
  }
  return 'jwt';
}

function importFor(ctx: AdapterContext, file: string, name: string, moduleFile: string): TextEdit[] {
  const sf = ctx.project.files.get(file)!;
  const style = detectStyle(sf.text, sf.fileName);
  const specifier = relativeSpecifier(sf.fileName, moduleFile, usesJsExtensionsFor(ctx, sf));
  const imp = importEdit(sf.fileName, sf.text, { names: [name], specifier, moduleKind: moduleKindOf(sf) }, style);
  return imp ? [imp] : [];
}

function indentOf(sf: ts.SourceFile, node: ts.Node): string {
  const start = node.getStart(sf);
  const lineStart = sf.text.lastIndexOf('\n', start - 1) + 1;
  return /^[ \t]*/.exec(sf.text.slice(lineStart, start))![0];
}

function quoteFor(text: string, quote: string): string {
  return quote === '"' ? text.replace(/'onRequest'/g, '"onRequest"') : text;
}

