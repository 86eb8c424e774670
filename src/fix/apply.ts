// Applies fixes: the only code in auth-enforcer that writes the user's files. Fixes are accepted one
// by one in the order given; a fix is all-or-nothing, and it is dropped (and reported) when its edits
// overlap an accepted fix, fall outside the file, or would leave a file that no longer parses.
import fs from 'node:fs';
import path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import type { Fix, TextEdit } from '../model/types.js';
import { writeFilesAtomically } from './atomic-write.js';
import { applyEdits, editsOverlap, sameEdit } from './edits.js';
import { mergeDependencies, nearestPackageJson } from './package-json.js';
import { syntaxErrors } from './parse-check.js';

export interface ApplyOptions {
  dryRun: boolean;
}

export interface SkippedFix {
  description: string;
  reason: string;
}

export interface ApplyResult {
  /** Existing files changed (posix, relative to root, sorted). With dryRun: the files that would be. */
  written: string[];
  /** Files created (generated modules). With dryRun: the files that would be. */
  created: string[];
  /** Unified diff (a/ b/ paths relative to root; /dev/null for created files) of every change. */
  diff: string;
  skipped: SkippedFix[];
  /** Things applied only in part, e.g. dependencies with no package.json to record them in. */
  warnings: string[];
}

interface Original {
  /** Text without a byte-order mark: edit offsets come from ts-morph, which strips it. */
  text: string;
  bom: string;
  syntaxErrorCount: number;
}

interface Owned<T> {
  value: T;
  owner: string;
}

export function applyFixes(root: string, fixes: readonly Fix[], opts: ApplyOptions): ApplyResult {
  const absRoot = path.resolve(root);
  const rel = (file: string) => path.relative(absRoot, file).split(path.sep).join('/');
  const originals = new Map<string, Original | undefined>();
  const original = (file: string): Original | undefined => {
    if (!originals.has(file)) {
      let entry: Original | undefined;
      if (fs.existsSync(file) && fs.statSync(file).isFile()) {
        const raw = fs.readFileSync(file, 'utf8');
        const bom = raw.startsWith('\uFEFF') ? '\uFEFF' : '';
        const text = raw.slice(bom.length);
        entry = { text, bom, syntaxErrorCount: syntaxErrors(file, text)?.length ?? 0 };
      }
      originals.set(file, entry);
    }
    return originals.get(file);
  };

  const acceptedEdits = new Map<string, Owned<TextEdit>[]>();
  const acceptedFiles = new Map<string, Owned<string>>();
  const wantedDeps = new Map<string, Record<string, string>>();
  const skipped: SkippedFix[] = [];
  const warnings: string[] = [];

  for (const fix of fixes) {
    const reason = checkFix(fix);
    if (reason) skipped.push({ description: fix.description, reason });
  }

  /** Accepts `fix` into the state above, or returns why not (state untouched). */
  function checkFix(fix: Fix): string | undefined {
    const own: TextEdit[] = [];
    for (const edit of fix.edits.map((e) => ({ ...e, file: path.resolve(absRoot, e.file) }))) {
      const source = original(edit.file);
      if (!source) return `${rel(edit.file)} does not exist`;
      if (edit.start < 0 || edit.end < edit.start || edit.end > source.text.length) return `an edit falls outside ${rel(edit.file)}`;
      if (own.some((e) => sameEdit(e, edit))) continue;
      if (own.some((e) => editsOverlap(e, edit))) return `its own edits overlap in ${rel(edit.file)}`;
      own.push(edit);
    }
    // Identical edits from an earlier fix (the same import added twice) are applied once.
    const fresh = own.filter((edit) => !(acceptedEdits.get(edit.file) ?? []).some((a) => sameEdit(a.value, edit)));
    for (const edit of fresh) {
      const clash = (acceptedEdits.get(edit.file) ?? []).find((a) => editsOverlap(a.value, edit));
      if (clash) return `overlaps the fix "${clash.owner}" in ${rel(edit.file)}`;
    }

    const creates: { file: string; text: string }[] = [];
    for (const newFile of fix.newFiles ?? []) {
      const file = path.resolve(absRoot, newFile.file);
      if (fs.existsSync(file)) continue; // created only if absent: a previous --fix or the user made it
      const prior = acceptedFiles.get(file);
      if (prior && prior.value !== newFile.text) return `creates ${rel(file)} differently from the fix "${prior.owner}"`;
      if (prior || creates.some((c) => c.file === file)) continue;
      const errors = syntaxErrors(file, newFile.text);
      if (errors && errors.length > 0) return `the generated ${rel(file)} does not parse (${errors[0]})`;
      creates.push({ file, text: newFile.text });
    }

    for (const file of new Set(fresh.map((e) => e.file))) {
      const source = original(file)!;
      const edits = [...(acceptedEdits.get(file) ?? []).map((a) => a.value), ...fresh.filter((e) => e.file === file)];
      const errors = syntaxErrors(file, applyEdits(source.text, edits));
      if (errors && errors.length > source.syntaxErrorCount) return `it would leave ${rel(file)} unparseable (${errors[0]})`;
    }

    const dependencies = Object.entries(fix.dependencies ?? {});
    if (dependencies.length > 0) {
      const anchor = own[0]?.file ?? (fix.newFiles?.[0] && path.resolve(absRoot, fix.newFiles[0].file));
      const manifest = anchor ? nearestPackageJson(anchor, absRoot) : undefined;
      if (!manifest) {
        warnings.push(`"${fix.description}" needs ${dependencies.map(([n, v]) => `${n}@${v}`).join(', ')} but no package.json was found; add it by hand`);
      } else {
        const wanted = wantedDeps.get(manifest) ?? {};
        for (const [name, range] of dependencies) wanted[name] ??= range;
        wantedDeps.set(manifest, wanted);
      }
    }
    for (const edit of fresh) acceptedEdits.set(edit.file, [...(acceptedEdits.get(edit.file) ?? []), { value: edit, owner: fix.description }]);
    for (const create of creates) acceptedFiles.set(create.file, { value: create.text, owner: fix.description });
    return undefined;
  }

  // Final contents, all computed in memory before anything is written.
  const changes = new Map<string, { before: string; after: string; create: boolean }>();
  for (const [file, edits] of acceptedEdits) {
    const source = original(file)!;
    const after = source.bom + applyEdits(source.text, edits.map((e) => e.value));
    changes.set(file, { before: source.bom + source.text, after, create: false });
  }
  for (const [manifest, wanted] of wantedDeps) {
    const source = original(manifest)!;
    const before = changes.get(manifest)?.after ?? source.bom + source.text;
    try {
      changes.set(manifest, { before: source.bom + source.text, after: mergeDependencies(before, wanted), create: false });
    } catch (error) {
      warnings.push(`could not add ${Object.keys(wanted).join(', ')} to ${rel(manifest)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  for (const [file, { value }] of acceptedFiles) changes.set(file, { before: '', after: value, create: true });
  for (const [file, change] of changes) if (change.before === change.after && !change.create) changes.delete(file);

  const ordered = [...changes].sort(([a], [b]) => rel(a).localeCompare(rel(b)));
  const diff = ordered
    .map(([file, { before, after, create }]) =>
      createTwoFilesPatch(create ? '/dev/null' : `a/${rel(file)}`, `b/${rel(file)}`, before, after, undefined, undefined, { context: 3 }),
    )
    .join('');

  if (!opts.dryRun) {
    writeFilesAtomically(ordered.map(([file, { after, create }]) => ({ file, text: after, create })));
  }
  return {
    written: ordered.filter(([, c]) => !c.create).map(([file]) => rel(file)),
    created: ordered.filter(([, c]) => c.create).map(([file]) => rel(file)),
    diff,
    skipped,
    warnings,
  };
}
