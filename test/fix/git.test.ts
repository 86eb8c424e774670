import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isWorkTreeDirty } from '../../src/fix/git.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

// Outside the repository, so that "not a git repository" is really the case.
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auth-enforcer-git-'));
  dirs.push(dir);
  return dir;
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd, stdio: 'pipe' });

describe('isWorkTreeDirty', () => {
  it('treats a directory outside any repository as clean', () => {
    expect(isWorkTreeDirty(tempDir())).toBe(false);
  });

  it('is clean after a commit, dirty with a modified or an untracked file', () => {
    const dir = tempDir();
    git(dir, 'init', '-q');
    fs.writeFileSync(path.join(dir, 'a.ts'), 'a();\n');
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'init');
    expect(isWorkTreeDirty(dir)).toBe(false);
    fs.writeFileSync(path.join(dir, 'a.ts'), 'b();\n');
    expect(isWorkTreeDirty(dir)).toBe(true);
    git(dir, 'checkout', '--', 'a.ts');
    fs.writeFileSync(path.join(dir, 'new.ts'), 'x;\n');
    expect(isWorkTreeDirty(dir)).toBe(true);
  });

  it('only looks under the root it is given', () => {
    const dir = tempDir();
    git(dir, 'init', '-q');
    fs.mkdirSync(path.join(dir, 'app'));
    fs.writeFileSync(path.join(dir, 'app/a.ts'), 'a();\n');
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'init');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'scratch\n');
    expect(isWorkTreeDirty(path.join(dir, 'app'))).toBe(false);
    expect(isWorkTreeDirty(dir)).toBe(true);
  });
});
