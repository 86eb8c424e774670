// Adds the dependencies a fix needs (jose for generated JWT verification) to package.json with
// minimal text edits (jsonc-parser), so the user's indentation, key order and formatting survive.
import fs from 'node:fs';
import path from 'node:path';
import { applyEdits, modify, parse, type FormattingOptions } from 'jsonc-parser';
import semver from 'semver';

type Manifest = Record<string, unknown> & Partial<Record<'dependencies' | 'devDependencies' | 'peerDependencies' | 'optionalDependencies', Record<string, string>>>;

/** The package.json governing `file`: the nearest one walking up, not above `root`. */
export function nearestPackageJson(file: string, root: string): string | undefined {
  const top = path.resolve(root);
  for (let dir = path.dirname(path.resolve(file)); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate)) return candidate;
    if (dir === top || path.dirname(dir) === dir || !dir.startsWith(top)) return undefined;
  }
}

/** True when `current` clearly asks for an older version than `wanted`; unknown ranges (workspace:, git, tags) never are. */
function isOlder(current: string, wanted: string): boolean {
  try {
    const have = semver.minVersion(current);
    const want = semver.minVersion(wanted);
    if (!have || !want) return false;
    return semver.lt(have, want) && !semver.intersects(current, wanted);
  } catch {
    return false;
  }
}

function formattingOf(text: string): FormattingOptions {
  const indent = /^([ \t]+)"/m.exec(text)?.[1] ?? '  ';
  return {
    insertSpaces: !indent.startsWith('\t'),
    tabSize: indent.startsWith('\t') ? 1 : indent.length,
    eol: text.includes('\r\n') ? '\r\n' : '\n',
  };
}

const isSorted = (keys: string[]) => keys.every((key, i) => i === 0 || keys[i - 1]!.localeCompare(key) <= 0);

/**
 * `text` with `wanted` merged into "dependencies": missing packages are added (sorted in if the list
 * is sorted, appended otherwise), an older incompatible range is raised, a newer or compatible one is
 * kept. A version already in devDependencies/peerDependencies is reused when it is new enough.
 */
export function mergeDependencies(text: string, wanted: Record<string, string>): string {
  const bom = text.startsWith('\uFEFF') ? '\uFEFF' : '';
  let body = text.slice(bom.length);
  const formattingOptions = formattingOf(body);
  for (const [name, range] of Object.entries(wanted)) {
    const manifest = parse(body) as Manifest;
    if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
      throw new Error('package.json is not a JSON object');
    }
    const dependencies = manifest.dependencies;
    const current = dependencies?.[name];
    if (current !== undefined) {
      if (!isOlder(current, range)) continue;
      body = applyEdits(body, modify(body, ['dependencies', name], range, { formattingOptions }));
      continue;
    }
    const elsewhere = manifest.devDependencies?.[name] ?? manifest.peerDependencies?.[name] ?? manifest.optionalDependencies?.[name];
    const value = elsewhere !== undefined && !isOlder(elsewhere, range) ? elsewhere : range;
    const edits =
      dependencies && typeof dependencies === 'object'
        ? modify(body, ['dependencies', name], value, {
            formattingOptions,
            getInsertionIndex: (keys) => (isSorted(keys) ? keys.filter((key) => key.localeCompare(name) < 0).length : keys.length),
          })
        : modify(body, ['dependencies'], { [name]: value }, {
            formattingOptions,
            // npm writes "dependencies" before "devDependencies".
            getInsertionIndex: (keys) => (keys.includes('devDependencies') ? keys.indexOf('devDependencies') : keys.length),
          });
    body = applyEdits(body, edits);
  }
  return bom + body;
}
