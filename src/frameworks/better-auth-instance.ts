import { ts } from 'ts-morph';
import type { AdapterContext } from './adapter.js';

export interface BetterAuthInstance {
  file: string;
  exportName: string;
}

/** The project's own Better Auth server (`export const auth = betterAuth({...})`), if it hosts one. */
export function findBetterAuthInstance(ctx: AdapterContext): BetterAuthInstance | undefined {
  for (const sf of ctx.project.files.values()) {
    if (!sf.text.includes('betterAuth(')) continue;
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
