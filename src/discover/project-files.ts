import fs from 'node:fs';
import path from 'node:path';
import { ts } from 'ts-morph';

/** Why a discovered file has no syntax tree. */
export interface ParseFailure {
  file: string;
  message: string;
  line: number;
}

/**
 * The project's source files, parsed on first use. A full scan parses every file up front; a scan
 * limited to a slice of the project (`scan --staged` with a cache) parses only what it reaches:
 *
 * - `get`/`has` answer for every discovered file, parsing it then (imports are followed anywhere);
 * - `scope()` is where route composition starts: the slice's files, or every file in a full scan;
 * - `mentioning(...)` is every file whose text holds a needle, for project-wide questions a text test
 *   can narrow soundly (who calls `fn`, which files declare models);
 * - `values()` is every file, all parsed: correct anywhere, but it costs a whole-project parse.
 *
 * Library files (a sibling package of the enclosing monorepo, outside the root) are read and parsed when an
 * import reaches them, so a guard or decorator defined there is followed; they never start route
 * composition, are never listed among the project's files, and a library that does not parse is simply not
 * followed.
 */
export class ProjectFiles implements ReadonlyMap<string, ts.SourceFile> {
  private readonly trees = new Map<string, ts.SourceFile | null>();
  private readonly failures = new Map<string, ParseFailure>();
  private readonly libraryTexts = new Map<string, string>();

  /**
   * @param texts every discovered source file (absolute, normalised) with its text, in discovery order
   * @param scopeSet the slice route composition starts from; undefined for the whole project
   * @param isLibrary which undiscovered files may be read as libraries when an import reaches them
   */
  constructor(
    private readonly texts: ReadonlyMap<string, string>,
    private readonly scopeSet?: Set<string>,
    private readonly isLibrary: (file: string) => boolean = () => false,
  ) {
    if (!scopeSet) for (const file of texts.keys()) this.parse(file);
  }

  get(file: string): ts.SourceFile | undefined {
    return this.parse(path.normalize(file)) ?? undefined;
  }

  has(file: string): boolean {
    return this.get(file) !== undefined;
  }

  /** The text of a discovered file (or a library file already read), without parsing it. */
  text(file: string): string | undefined {
    const f = path.normalize(file);
    return this.texts.get(f) ?? this.libraryTexts.get(f);
  }

  /** The library files read so far (absolute) with their text: inputs of the scan outside its root. */
  libraries(): ReadonlyMap<string, string> {
    return this.libraryTexts;
  }

  /** Adds files to a slice's scope (no-op for a full scan). */
  widenScope(files: Iterable<string>): void {
    if (this.scopeSet) for (const f of files) this.scopeSet.add(path.normalize(f));
  }

  /** The slice's files, as widened; undefined for a full scan. */
  scopeFiles(): string[] | undefined {
    return this.scopeSet && [...this.scopeSet];
  }

  inScope(file: string): boolean {
    return !this.scopeSet || this.scopeSet.has(path.normalize(file));
  }

  /** Where route composition starts: every parsed file, or the slice's. In discovery order either way. */
  *scope(): IterableIterator<ts.SourceFile> {
    for (const file of this.texts.keys()) {
      if (!this.inScope(file)) continue;
      const sf = this.parse(file);
      if (sf) yield sf;
    }
  }

  /** Every parsed file whose text contains one of the needles. */
  *mentioning(...needles: string[]): IterableIterator<ts.SourceFile> {
    for (const [file, text] of this.texts) {
      if (!needles.some((n) => text.includes(n))) continue;
      const sf = this.parse(file);
      if (sf) yield sf;
    }
  }

  /** Whether any discovered file's text contains the needle (no parsing). */
  anyMentions(needle: string): boolean {
    for (const text of this.texts.values()) if (text.includes(needle)) return true;
    return false;
  }

  /** Files that did not parse, among those parsed so far (all of them after a full scan), in discovery order. */
  parseFailures(): ParseFailure[] {
    return [...this.texts.keys()].flatMap((f) => this.failures.get(f) ?? []);
  }

  /** How many files parse: all of them are known after a full scan; a slice scan counts unparsed files in. */
  count(): number {
    return this.texts.size - this.failures.size;
  }

  // ReadonlyMap over the whole project (parsing all of it).

  get size(): number {
    return [...this.values()].length;
  }

  *keys(): IterableIterator<string> {
    for (const [file] of this.entries()) yield file;
  }

  *values(): IterableIterator<ts.SourceFile> {
    for (const [, sf] of this.entries()) yield sf;
  }

  *entries(): IterableIterator<[string, ts.SourceFile]> {
    for (const file of this.texts.keys()) {
      const sf = this.parse(file);
      if (sf) yield [file, sf];
    }
  }

  [Symbol.iterator](): IterableIterator<[string, ts.SourceFile]> {
    return this.entries();
  }

  forEach(cb: (value: ts.SourceFile, key: string, map: ReadonlyMap<string, ts.SourceFile>) => void): void {
    for (const [k, v] of this.entries()) cb(v, k, this);
  }

  /** Discovered files in discovery order, parsed or not. */
  discovered(): string[] {
    return [...this.texts.keys()];
  }

  private parse(file: string): ts.SourceFile | null | undefined {
    const known = this.trees.get(file);
    if (known !== undefined) return known;
    const text = this.texts.get(file) ?? this.readLibrary(file);
    if (text === undefined) return undefined;
    // Parsed once, with parent pointers, straight from the text: analysis reads raw nodes only. JSDoc is
    // left unparsed (nothing reads it; types are never consulted), which saves ~15% of the parse.
    const sf = ts.createSourceFile(file, text, PARSE_OPTIONS, true, scriptKindOf(file));
    const errors = (sf as unknown as { parseDiagnostics?: ts.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
    if (errors.length && this.libraryTexts.has(file)) {
      // Not the project's own code: not followed, and not reported as the project's parse error.
      this.trees.set(file, null);
      return null;
    }
    if (errors.length) {
      const first = errors[0];
      this.failures.set(file, {
        file,
        message: ts.flattenDiagnosticMessageText(first.messageText, ' '),
        line: sf.getLineAndCharacterOfPosition(first.start).line + 1,
      });
      this.trees.set(file, null);
      return null;
    }
    this.trees.set(file, sf);
    return sf;
  }

  private readLibrary(file: string): string | undefined {
    if (!this.isLibrary(file)) return undefined;
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
    } catch {
      this.trees.set(file, null); // not there: asked once
      return undefined;
    }
    this.libraryTexts.set(file, text);
    return text;
  }
}

const PARSE_OPTIONS: ts.CreateSourceFileOptions = { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone };

function scriptKindOf(file: string): ts.ScriptKind {
  if (/\.tsx$/.test(file)) return ts.ScriptKind.TSX;
  if (/\.(c|m)?ts$/.test(file)) return ts.ScriptKind.TS;
  if (/\.jsx$/.test(file)) return ts.ScriptKind.JSX;
  return ts.ScriptKind.JS;
}

/** What project-wide questions need of the files: those that mention a name, or all of them. */
export interface SourceSet {
  mentioning(...needles: string[]): Iterable<ts.SourceFile>;
  values(): Iterable<ts.SourceFile>;
}

/** A SourceSet over files already parsed (tests, single-file analyses). */
export function sourceSetOf(files: readonly ts.SourceFile[]): SourceSet {
  return {
    mentioning: (...needles) => files.filter((sf) => needles.some((n) => sf.text.includes(n))),
    values: () => files,
  };
}
