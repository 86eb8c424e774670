import crypto from 'node:crypto';
import fs from 'node:fs';

/**
 * Files outside the scan root that a scan read (a sibling workspace package's guard): inputs of its result like
 * the root's own files, but only known once the scan has run. Stored with their digests; a stored scan is
 * reused only while every one of them is unchanged.
 */
export type LibraryDigests = Record<string, string>;

export function contentDigest(text: string): string {
  return crypto.createHash('sha256').update(text.replace(/^\uFEFF/, '')).digest('hex');
}

/** The first library file (absolute) that changed or went away since the digests were taken; undefined when none did. */
export function changedLibrary(libraries: LibraryDigests | undefined): string | undefined {
  for (const [file, digest] of Object.entries(libraries ?? {})) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return file;
    }
    if (contentDigest(text) !== digest) return file;
  }
  return undefined;
}
