import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../model/errors.js';

/** Which files a run should report on: changed since a ref (work tree and untracked included), or staged. */
export type ChangeSelector = { kind: 'changed'; ref: string } | { kind: 'staged' };

function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}

function gitOrUsage(cwd: string, args: string[], what: string): string {
  try {
    return git(cwd, args);
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? '').trim().split('\n')[0] ?? '';
    throw new UsageError(`${what}${stderr ? `: ${stderr}` : ''}`);
  }
}

function nulList(out: string): string[] {
  return out.split('\0').filter(Boolean);
}

/**
 * Absolute paths (symlinks resolved) of the files the selector names. `changed`: files that differ
 * between the merge base of <ref> and HEAD and the work tree (so a branch's commits, staged and
 * unstaged edits all count), plus untracked files that are not ignored. `staged`: files added, copied,
 * modified or renamed in the index. Deleted files hold no findings and are left out.
 */
export function changedFiles(dir: string, selector: ChangeSelector): Set<string> {
  const top = gitOrUsage(dir, ['rev-parse', '--show-toplevel'], `--${selector.kind} needs a git repository`).trim();
  const abs = (p: string) => path.join(realpathSync(top), p);
  if (selector.kind === 'staged') {
    return new Set(nulList(git(top, ['diff', '--cached', '--name-only', '-z', '--diff-filter=ACMR', '--no-renames'])).map(abs));
  }
  gitOrUsage(top, ['rev-parse', '--verify', '--quiet', `${selector.ref}^{commit}`], `unknown git ref "${selector.ref}"`);
  let base = selector.ref;
  try {
    base = git(top, ['merge-base', selector.ref, 'HEAD']).trim();
  } catch {
    // No common history (a shallow CI clone): diff against the ref itself, which can only add files.
  }
  const files = [
    ...nulList(git(top, ['diff', '--name-only', '-z', '--diff-filter=ACMR', '--no-renames', base])),
    ...nulList(git(top, ['ls-files', '--others', '--exclude-standard', '-z'])),
  ];
  return new Set(files.map(abs));
}
