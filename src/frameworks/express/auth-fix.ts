import path from 'node:path';
import { ts } from 'ts-morph';
import type { Fix, TextEdit } from '../../model/types.js';
import { detectStyle, importEdit, relativeSpecifier } from '../../fix/style.js';
import { expressAuthDependencies, expressAuthExport, expressAuthModule } from '../../fix/templates/express.js';
import type { AdapterContext, AuthFixRequest, RouteRecord } from '../adapter.js';
import { scopeCovers } from '../chain.js';
import { chooseAuthStrategy } from '../better-auth-instance.js';
import type { Entry, ExpressRouter } from './routers.js';
import { authModuleLocation, moduleKindOf, usesJsExtensionsFor } from '../generated-module.js';

/** Where each Express route was registered, so fixes can edit the registration or its router. */
export const registrationOf = new WeakMap<RouteRecord, { router: ExpressRouter; entry: Extract<Entry, { kind: 'route' }>; prefix: string }>();

type Planned = Map<string, { fix?: Fix; notFixableReason?: string }>;

/**
 * Inserts `requireAuth` with the least change: `router.use(requireAuth)` right after the router is
 * created when every route under its mount prefix is flagged (and nothing else is served there), else a
 * route-level argument before the first handler. The generated module and the import come with each fix;
 * identical edits from several fixes are applied once.
 */
export function planExpressAuthFixes(ctx: AdapterContext, request: AuthFixRequest): Planned {
  const planned: Planned = new Map();
  if (!request.flagged.length) return planned;
  const first = request.flagged[0].route.loc.file;
  const target = authModuleLocation(ctx, path.join(ctx.project.root, first));
  const choice = chooseAuthStrategy(ctx, request.strategy, target.file, target.jsExtensions);
  if ('notFixableReason' in choice) {
    for (const r of request.flagged) planned.set(r.route.id, { notFixableReason: choice.notFixableReason });
    return planned;
  }
  const { strategy, sessionImport } = choice;
  const moduleText = expressAuthModule({
    language: target.language,
    moduleKind: target.moduleKind,
    style: target.style,
    strategy,
    sessionImport,
  });
  const shared = { newFiles: [{ file: target.file, text: moduleText }], dependencies: expressAuthDependencies(strategy) };
  const flaggedIds = new Set(request.flagged.map((r) => r.route.id));
  const wholeRouter = new Map<ExpressRouter, TextEdit | undefined>();
  const importByFile = new Map<string, TextEdit | null>();

  for (const record of request.flagged) {
    const reg = registrationOf.get(record);
    if (!reg) {
      planned.set(record.route.id, { notFixableReason: 'the route registration could not be located for editing' });
      continue;
    }
    if (!wholeRouter.has(reg.router)) wholeRouter.set(reg.router, wholeRouterEdit(reg, request.all, flaggedIds));
    const whole = wholeRouter.get(reg.router);
    if (!whole && reg.entry.site) {
      planned.set(record.route.id, { notFixableReason: 'registered through a route helper: add the guard to the call of the helper by hand' });
      continue;
    }
    const edit = whole ?? routeLevelEdit(reg.entry);
    if (!edit) {
      planned.set(record.route.id, { notFixableReason: 'no handler argument to insert the guard before' });
      continue;
    }
    const file = (whole ? reg.router.creation : reg.entry.call).getSourceFile();
    if (!importByFile.has(file.fileName)) importByFile.set(file.fileName, authImportEdit(ctx, file, target.file));
    const imp = importByFile.get(file.fileName);
    const edits: TextEdit[] = [edit, ...(imp ? [imp] : [])];
    planned.set(record.route.id, {
      fix: {
        description: whole ? `protect every route of the router with ${expressAuthExport}` : `add ${expressAuthExport} to ${record.route.method} ${record.route.path}`,
        edits,
        ...shared,
      },
    });
  }
  return planned;
}

/** The import of requireAuth into `file`, in its style; null when it is already imported. */
function authImportEdit(ctx: AdapterContext, file: ts.SourceFile, moduleFile: string): TextEdit | null {
  const style = detectStyle(file.text, file.fileName);
  const specifier = relativeSpecifier(file.fileName, moduleFile, usesJsExtensionsFor(ctx, file));
  return importEdit(file.fileName, file.text, { names: [expressAuthExport], specifier, moduleKind: moduleKindOf(file) }, style);
}

/** `router.use(requireAuth);` after the router's declaration, when that protects exactly the flagged routes. */
function wholeRouterEdit(
  reg: { router: ExpressRouter; prefix: string },
  all: RouteRecord[],
  flaggedIds: Set<string>,
): TextEdit | undefined {
  const { router, prefix } = reg;
  if (router.kind !== 'router' || !prefix || prefix === '/') return undefined;
  for (const other of all) {
    if (!scopeCovers(prefix, other.route.path)) continue;
    const otherReg = registrationOf.get(other);
    if (otherReg?.router !== router || !flaggedIds.has(other.route.id)) return undefined;
  }
  const decl = router.creation.parent;
  if (!ts.isVariableDeclaration(decl) || !ts.isIdentifier(decl.name)) return undefined;
  const statement = decl.parent.parent;
  if (!ts.isVariableStatement(statement)) return undefined;
  const sf = statement.getSourceFile();
  const style = detectStyle(sf.text, sf.fileName);
  const lineStart = sf.text.lastIndexOf('\n', statement.getStart(sf)) + 1;
  const indent = sf.text.slice(lineStart, statement.getStart(sf));
  const text = `${style.eol}${indent}${decl.name.text}.use(${expressAuthExport})${style.semicolons ? ';' : ''}`;
  return { file: sf.fileName, start: statement.end, end: statement.end, text };
}

function routeLevelEdit(entry: Extract<Entry, { kind: 'route' }>): TextEdit | undefined {
  const firstItem = entry.items[0];
  if (!firstItem) return undefined;
  const sf = entry.call.getSourceFile();
  const start = firstItem.getStart(sf);
  return { file: sf.fileName, start, end: start, text: `${expressAuthExport}, ` };
}

