// The --fix safety check: writing over uncommitted work makes the fix impossible to review or undo.
import { spawnSync } from 'node:child_process';

/**
 * True when `git status --porcelain` reports changes (tracked or untracked) under `root`.
 * Not a git repository, or no git installed, counts as clean: there is nothing to protect with git.
 * Any other failure (e.g. git refusing a repository with dubious ownership) counts as dirty, so that
 * an error never silently disables the check; `--force` overrides it.
 */
export function isWorkTreeDirty(root: string): boolean {
  const result = spawnSync('git', ['status', '--porcelain', '--', '.'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' },
  });
  if (result.error) {
    return (result.error as NodeJS.ErrnoException).code === 'ENOENT' ? false : true;
  }
  if (result.status !== 0) {
    return !/not a git repository/i.test(result.stderr);
  }
  return result.stdout.trim() !== '';
}
