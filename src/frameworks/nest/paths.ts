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
    ? parts.versions.map((v) => (v === '' ? '' : `/${app.versioning!.prefix}${v}`))
    : [''];
  const out: string[] = [];
  for (const base of versioned) {
    let paths = append([''], parts.modulePath);
    paths = appendAll(paths, parts.controllerPaths);
    paths = appendAll(paths, parts.methodPaths);
    for (const rest of paths) {
      // Nest tests exclusions on the path as composed, before the trailing slash is stripped: `@Get()` under
      // `@Controller('status')` is tested as `/status/`, which `status/{*rest}` matches.
      const prefix = app?.globalPrefix;
      const full = !prefix || excluded(prefix.exclude, rest, parts.method) ? base + rest : stripEndSlash(prefix.prefix) + base + rest;
      const withSlash = addLeadingSlash(full || '/');
      out.push(withSlash !== '/' ? stripEndSlash(withSlash) : withSlash);
    }
  }
  return [...new Set(out)];
}

/** @nestjs/common addLeadingSlash and stripEndSlash, as the router path factory uses them. */
function addLeadingSlash(p: string): string {
  return p && p.charAt(0) !== '/' && !p.startsWith('{/') ? `/${p}` : p;
}
function stripEndSlash(p: string): string {
  return p.endsWith('/') ? p.slice(0, -1) : p;
}
function append(paths: string[], fragment: string | undefined): string[] {
  if (!fragment) return paths;
  return paths.map((p) => stripEndSlash(p) + addLeadingSlash(fragment));
}
function appendAll(paths: string[], fragments: string[]): string[] {
  return fragments.flatMap((f) => append(paths, f));
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
