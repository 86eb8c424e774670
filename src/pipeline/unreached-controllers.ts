import crypto from 'node:crypto';
import path from 'node:path';
import { ts } from 'ts-morph';
import type { SourceSet } from '../discover/project-files.js';
import type { Finding, Route } from '../model/types.js';

/** Below this many controllers left unreached, a few dead files explain it. */
const MIN_UNREACHED = 5;

/**
 * Most of a project's NestJS controllers (classes decorated `@Controller(...)`) serve no route the scan found:
 * the app is built in a way the scan does not follow (a module graph assembled at run time), and what it
 * reports covers only part of the app. A project-wide count, so it runs in full scans only (a slice keeps the
 * full scan's finding). Controllers are counted rather than handler functions: a function taking `(req, res)`
 * may be middleware or a helper, and handlers are often wrapped, so it would not say reliably what is missing.
 */
export function unreachedControllers(files: SourceSet, routes: Route[], root: string): Finding | undefined {
  const handlerFiles = new Set(routes.map((r) => r.handler.loc.file));
  let reached = 0;
  let unreached = 0;
  for (const sf of files.mentioning('@Controller')) {
    const file = path.relative(root, sf.fileName).split(path.sep).join('/');
    for (const st of sf.statements) {
      if (!ts.isClassDeclaration(st) || !ts.getDecorators(st)?.some(isControllerDecorator)) continue;
      if (handlerFiles.has(file)) reached++;
      else unreached++;
    }
  }
  if (unreached < MIN_UNREACHED || unreached <= reached) return undefined;
  return {
    ruleId: 'unresolved-auth',
    messageId: 'unreached-controllers',
    severity: 'warning',
    message: `${unreached} of ${reached + unreached} controllers serve no route the scan found: the app is assembled in a way it does not follow, so this report covers part of it`,
    loc: { file: 'package.json', line: 1, column: 1, endLine: 1, endColumn: 1 },
    fingerprint: crypto.createHash('sha256').update('unresolved-auth\0unreached-controllers').digest('hex').slice(0, 16),
  };
}

function isControllerDecorator(d: ts.Decorator): boolean {
  return ts.isCallExpression(d.expression) && ts.isIdentifier(d.expression.expression) && d.expression.expression.text === 'Controller';
}
