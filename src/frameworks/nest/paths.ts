import { joinPaths } from '../chain.js';
import type { NestApp, PrefixExclusion } from './bootstrap.js';

/** The parts Nest composes into a route's paths (see RoutePathFactory in @nestjs/core). */
export interface RoutePathParts {
  method: string;
  modulePath?: string;
  controllerPaths: string[];
  methodPaths: string[];
  /** Method @Version, else the controller's version, else versioning's defaultVersion ('' is VERSION_NEUTRAL). */
  versions?: string[];
}

/**
 * Every full path Nest serves a handler at: one per version × controller path × method path, the URI
 * version first, then the RouterModule path, the controller and method paths, then the global prefix
 * unless an exclusion matches the path without its version.
 */
export function nestPaths(app: NestApp | undefined, parts: RoutePathParts): string[] {
  const versioned = app?.versioning && parts.versions?.length
    ? parts.versions.map((v) => ({ base: v === '' ? '' : `/${app.versioning!.prefix}${v}`, version: v }))
    : [{ base: '', version: undefined as string | undefined }];
  const out: string[] = [];
  for (const { base } of versioned) {
    for (const c of parts.controllerPaths) {
      for (const m of parts.methodPaths) {
        const rest = joinPaths(parts.modulePath ?? '', c, m);
        const withVersion = joinPaths(base, rest);
        const prefix = app?.globalPrefix;
        if (!prefix || excluded(prefix.exclude, rest, parts.method)) out.push(withVersion);
        else out.push(joinPaths(prefix.prefix, withVersion));
      }
    }
  }
  return [...new Set(out)];
}

function excluded(exclusions: PrefixExclusion[], path: string, method: string): boolean {
  return exclusions.some((x) => (!x.method || x.method === method || method === 'ALL') && exclusionPattern(x.path).test(path));
}

/**
 * path-to-regexp 8 as Nest 11 compiles exclusions: `:param` one segment, `*splat` the rest, `{...}`
 * optional; legacy `(.*)` and a bare `*` are wildcards (Nest converts them). Case-insensitive, an
 * optional trailing slash. Route paths contain `:id` literally, which `:param` matches as one segment.
 */
export function exclusionPattern(raw: string): RegExp {
  const source = ('/' + raw.replace(/^\/+/, ''))
    .replace(/\(\.\*\)|\{\*\w*\}|\*(?!\w)/g, '\u0001')
    .replace(/\{\/\*\w*\}/g, '\u0002')
    .replace(/\*\w+/g, '\u0003');
  let out = '';
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === '\u0001') out += '.*';
    else if (ch === '\u0002') out += '(?:/.*)?';
    else if (ch === '\u0003') out += '.+';
    else if (ch === '{') out += '(?:';
    else if (ch === '}') out += ')?';
    else if (ch === ':') {
      const name = /^:\w+/.exec(source.slice(i))?.[0] ?? ':';
      out += '[^/]+';
      i += name.length - 1;
    } else out += ch.replace(/[.+?^$()[\]\\|]/g, '\\$&');
  }
  return new RegExp(`^${out}/?$`, 'i');
}
