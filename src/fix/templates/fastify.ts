// The generated auth module for Fastify projects, in the project's language, module system and style.
import type { CodeStyle } from '../style.js';
import { emit } from './emit.js';
import type { SessionImport } from './express-session.js';
import { fastifyJwtTemplate, type FastifyUserTyping } from './fastify-jwt.js';
import { fastifySessionTemplate } from './fastify-session.js';

export interface FastifyAuthModuleOptions {
  language: 'ts' | 'js';
  moduleKind: 'esm' | 'cjs';
  style: CodeStyle;
  /** jwt: verify Better Auth JWTs with jose (auth server elsewhere); session: in-process auth.api.getSession. */
  strategy: 'jwt' | 'session';
  sessionImport?: SessionImport;
  /** Who declares request.user's type (see FastifyUserTyping); 'fastify' when the project has no @fastify/jwt. */
  userTyping?: FastifyUserTyping;
}

/** The onRequest hook route fixes add, and the root plugin that decorates request.user. */
export const fastifyAuthExport = 'requireAuth';
export const fastifyUserPluginExport = 'authUser';

export function fastifyAuthModule(opts: FastifyAuthModuleOptions): string {
  const flavour = { language: opts.language, moduleKind: opts.moduleKind, userTyping: opts.userTyping };
  if (opts.strategy === 'session') {
    if (!opts.sessionImport) throw new Error('fastifyAuthModule: the session strategy needs sessionImport');
    return emit(fastifySessionTemplate(flavour, opts.sessionImport), opts.style, opts.language);
  }
  return emit(fastifyJwtTemplate(flavour), opts.style, opts.language);
}

export function fastifyAuthDependencies(strategy: 'jwt' | 'session'): Record<string, string> {
  return strategy === 'jwt' ? { jose: '^6.2.18' } : {};
}
