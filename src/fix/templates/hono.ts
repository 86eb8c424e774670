// The generated auth module for Hono projects (ES modules, TypeScript or JavaScript), in the project's style.
import type { CodeStyle } from '../style.js';
import { emit } from './emit.js';
import type { SessionImport } from './express-session.js';
import { honoJwtTemplate } from './hono-jwt.js';
import { honoSessionTemplate } from './hono-session.js';

export interface HonoAuthModuleOptions {
  language: 'ts' | 'js';
  style: CodeStyle;
  /** jwt: verify Better Auth JWTs with jose (auth server elsewhere); session: in-process auth.api.getSession. */
  strategy: 'jwt' | 'session';
  /** Required for strategy 'session': where the project's Better Auth instance is exported. */
  sessionImport?: SessionImport;
}

/** The export of the generated module that route fixes import and insert. */
export const honoAuthExport = 'requireAuth';

/** The generated module's source text: `requireAuth` built with createMiddleware, and the `AuthUser` type. */
export function honoAuthModule(opts: HonoAuthModuleOptions): string {
  if (opts.strategy === 'session') {
    if (!opts.sessionImport) throw new Error('honoAuthModule: the session strategy needs sessionImport');
    return emit(honoSessionTemplate(opts.language, opts.sessionImport), opts.style, opts.language);
  }
  return emit(honoJwtTemplate(opts.language), opts.style, opts.language);
}

/** What the generated module needs in package.json (Fix.dependencies). */
export function honoAuthDependencies(strategy: 'jwt' | 'session'): Record<string, string> {
  return strategy === 'jwt' ? { jose: '^6.2.18' } : {};
}
