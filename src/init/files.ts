import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** What init did to one file, for the report it prints. */
export interface FileAction {
  /** Relative to the project directory, `/`-separated. */
  file: string;
  outcome: 'created' | 'updated' | 'overwritten' | 'unchanged' | 'refused';
  detail: string;
}

export function writeNew(dir: string, rel: string, text: string, force: boolean, detail: string): FileAction {
  const abs = path.join(dir, rel);
  const exists = existsSync(abs);
  if (exists && !force) return { file: rel, outcome: 'refused', detail: 'already exists; left unchanged (--force overwrites it)' };
  mkdirSync(path.dirname(abs), { recursive: true });
  writeFileSync(abs, text);
  return { file: rel, outcome: exists ? 'overwritten' : 'created', detail };
}

export function readJsonObject(abs: string): Record<string, unknown> | undefined {
  if (!existsSync(abs)) return undefined;
  const data: unknown = JSON.parse(readFileSync(abs, 'utf8'));
  return typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : undefined;
}

/** Rewrites a JSON file keeping its indentation and final newline; key order is preserved by JSON.parse. */
export function writeJsonLike(abs: string, data: unknown): void {
  const original = existsSync(abs) ? readFileSync(abs, 'utf8') : '';
  const indent = /^[{[]\r?\n([ \t]+)/.exec(original)?.[1] ?? '  ';
  const eol = original.includes('\r\n') ? '\r\n' : '\n';
  const text = JSON.stringify(data, null, indent).replace(/\n/g, eol);
  writeFileSync(abs, original === '' || /\r?\n$/.test(original) ? `${text}${eol}` : text);
}
