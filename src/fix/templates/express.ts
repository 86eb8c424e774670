// The generated auth module for Express projects, in the project's language, module system and style.
import type { CodeStyle } from '../style.js';
import { emit } from './emit.js';
import { expressJwtTemplate } from './express-jwt.js';
import { expressSessionTemplate, type SessionImport } from './express-session.js';

export type { SessionImport };

export interface ExpressAuthModuleOptions {
  language: 'ts' | 'js';
  moduleKind: 'esm' | 'cjs';
  style: CodeStyle;
  /** jwt: verify Better Auth JWTs with jose (auth server elsewhere); session: in-process auth.api.getSession. */
  strategy: 'jwt' | 'session';
  /** Required for strategy 'session': where the project's Better Auth instance is exported. */
  sessionImport?: SessionImport;
}

/** The export of the generated module that route fixes import and mount. */
export const expressAuthExport = 'requireAuth';

/** The generated module's source text. It exports `requireAuth` (and, in TypeScript, the `AuthUser` type). */
export function expressAuthModule(opts: ExpressAuthModuleOptions): string {
  const flavour = { language: opts.language, moduleKind: opts.moduleKind };
  if (opts.strategy === 'session') {
    if (!opts.sessionImport) throw new Error('expressAuthModule: the session strategy needs sessionImport');
    return emit(expressSessionTemplate(flavour, opts.sessionImport), opts.style, opts.language);
  }
  return emit(expressJwtTemplate(flavour), opts.style, opts.language);
}

/** What the generated module needs in package.json (Fix.dependencies). */
export function expressAuthDependencies(strategy: 'jwt' | 'session'): Record<string, string> {
  // The session strategy imports better-auth, which a project hosting Better Auth already has.
  return strategy === 'jwt' ? { jose: '^6.2.18' } : {};
}
