import path from 'node:path';

/** A finding's file as the output contracts want it: relative to the scan root, posix separators. */
export function relativeFile(file: string, root: string): string {
  const rel = path.isAbsolute(file) ? path.relative(root, file) : file;
  return rel.split(path.sep).join('/').replace(/\\/g, '/');
}

/** Absolute path of a finding's file, for reading it. */
export function absoluteFile(file: string, root: string): string {
  return path.isAbsolute(file) ? file : path.resolve(root, file);
}
