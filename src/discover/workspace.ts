import fs from 'node:fs';
import path from 'node:path';
import { isBuildOutput, SOURCE_EXTENSIONS } from './files.js';

/** Files that mark the root of a monorepo whose packages import each other by name or by tsconfig paths. */
const WORKSPACE_MARKERS = ['pnpm-workspace.yaml', 'lerna.json', 'nx.json', 'turbo.json', 'rush.json'];
const NEVER_SOURCE = /[\\/](node_modules|coverage|\.git|\.next)[\\/]|\.d\.[cm]?ts$/;
const SOURCE = new RegExp(`\\.(${SOURCE_EXTENSIONS.join('|')})$`);

/**
 * The monorepo a scan root sits inside (`apps/api` of a pnpm, npm, yarn, Nx or Turborepo workspace): the
 * nearest ancestor holding a workspace marker or a package.json with `workspaces`. Undefined when the root
 * is not inside one, or is the workspace itself (then every package is already scanned).
 */
export function enclosingWorkspace(root: string): string | undefined {
  for (let dir = path.dirname(root); path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    if (WORKSPACE_MARKERS.some((m) => fs.existsSync(path.join(dir, m))) || declaresWorkspaces(path.join(dir, 'package.json'))) return dir;
  }
  return undefined;
}

function declaresWorkspaces(manifest: string): boolean {
  try {
    return JSON.parse(fs.readFileSync(manifest, 'utf8')).workspaces !== undefined;
  } catch {
    return false;
  }
}

/**
 * Whether a file outside the scan root may be read as a library the scanned code imports: a source file of
 * the enclosing workspace (a sibling package's guard, decorator or middleware), never dependencies, build
 * output or declarations. Files under the root are the scan's own: discovery (and the config's exclude)
 * decided about them already.
 */
export function workspaceLibraryFilter(root: string, workspace: string | undefined): (file: string) => boolean {
  if (!workspace) return () => false;
  const inside = (dir: string, file: string) => file.startsWith(dir + path.sep);
  return (file) => inside(workspace, file) && !inside(root, file) && SOURCE.test(file) && !NEVER_SOURCE.test(file) && !isBuildOutput(workspace, file);
}
