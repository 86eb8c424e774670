import { ts } from 'ts-morph';
import { relativeSpecifier } from '../fix/style.js';
import type { AuthStrategy } from '../model/options.js';
import type { AdapterContext } from './adapter.js';

export interface BetterAuthInstance {
  file: string;
  exportName: string;
}

/** The project's own Better Auth server (`export const auth = betterAuth({...})`), if it hosts one. */
export function findBetterAuthInstance(ctx: AdapterContext): BetterAuthInstance | undefined {
  for (const sf of ctx.project.files.mentioning('betterAuth(')) {
    for (const st of sf.statements) {
      if (!ts.isVariableStatement(st)) continue;
      const exported = ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
      for (const d of st.declarationList.declarations) {
        if (!ts.isIdentifier(d.name) || !d.initializer || !ts.isCallExpression(d.initializer)) continue;
        const callee = ctx.resolver.value(d.initializer.expression);
        if (callee.kind === 'external' && callee.pkg === 'better-auth' && callee.path.join('.') === 'betterAuth' && exported) {
          return { file: sf.fileName, exportName: d.name.text };
        }
      }
    }
  }
  return undefined;
}

export type StrategyChoice =
  | { strategy: AuthStrategy; sessionImport?: { specifier: string; exportName: string } }
  | { notFixableReason: string };

/**
 * The auth the generated module uses: what the user asked for, else the project's own Better Auth
 * session when it hosts one, else JWT verification. `importer` is the generated file that will import
 * the instance for the session strategy.
 */
export function chooseAuthStrategy(ctx: AdapterContext, requested: AuthStrategy | undefined, importer: string, jsExtensions: boolean): StrategyChoice {
  const instance = findBetterAuthInstance(ctx);
  const strategy = requested ?? (instance ? 'session' : 'jwt');
  if (strategy === 'jwt') return { strategy };
  if (!instance) return { notFixableReason: 'the session strategy needs a betterAuth(...) instance exported by the project' };
  return { strategy, sessionImport: { specifier: relativeSpecifier(importer, instance.file, jsExtensions), exportName: instance.exportName } };
}
