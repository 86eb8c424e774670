// All-or-nothing-per-file writing: every file is first written in full to a temp file beside it,
// then renamed over its target. A crash or error leaves each target either old or new, never half.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface PendingWrite {
  /** Absolute path. */
  file: string;
  text: string;
  /** The file must not exist yet (generated modules are created only if absent). */
  create: boolean;
}

/** Test seam: lets a test make a rename fail midway. */
export const fsOps = {
  rename: (from: string, to: string) => fs.renameSync(from, to),
  writeFile: (file: string, text: string, mode: number) => {
    fs.writeFileSync(file, text, { encoding: 'utf8', mode, flag: 'wx' });
    fs.chmodSync(file, mode); // the umask applies at creation; keep the original file's mode exactly
  },
};

/**
 * Writes every file once. Temp files are written for all targets before any rename, so an error
 * while writing (disk full, permissions) changes nothing; temp files are removed on every failure.
 */
export function writeFilesAtomically(writes: readonly PendingWrite[]): void {
  const staged: { temp: string; target: string; create: boolean }[] = [];
  try {
    for (const write of writes) {
      // Write through symlinks: renaming over a link would replace the link with a plain file.
      const target = write.create ? write.file : fs.realpathSync(write.file);
      if (write.create) {
        if (fs.existsSync(target)) throw new Error(`${target} appeared while fixing; not overwriting it`);
        fs.mkdirSync(path.dirname(target), { recursive: true });
      }
      const mode = write.create ? 0o644 : fs.statSync(target).mode & 0o7777;
      const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.auth-enforcer.tmp`);
      staged.push({ temp, target, create: write.create });
      fsOps.writeFile(temp, write.text, mode);
    }
    while (staged.length > 0) {
      const { temp, target, create } = staged[0]!;
      if (create && fs.existsSync(target)) throw new Error(`${target} appeared while fixing; not overwriting it`);
      fsOps.rename(temp, target);
      staged.shift();
    }
  } finally {
    for (const { temp } of staged) fs.rmSync(temp, { force: true });
  }
}
