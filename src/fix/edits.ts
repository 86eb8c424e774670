// Pure text-edit arithmetic: when two edits conflict, and how a set of accepted edits is applied.
import type { TextEdit } from '../model/types.js';

export const sameEdit = (a: TextEdit, b: TextEdit): boolean =>
  a.file === b.file && a.start === b.start && a.end === b.end && a.text === b.text;

/**
 * Two edits of one file conflict when their replaced ranges share a character, or when an insertion
 * falls strictly inside a replaced range. Insertions at the same point, or touching ranges, do not:
 * their order is well defined (acceptance order).
 */
export function editsOverlap(a: TextEdit, b: TextEdit): boolean {
  if (a.file !== b.file) return false;
  if (a.start === a.end && b.start === b.end) return false;
  if (a.start === a.end) return b.start < a.start && a.start < b.end;
  if (b.start === b.end) return a.start < b.start && b.start < a.end;
  return a.start < b.end && b.start < a.end;
}

/**
 * Applies edits given in acceptance order, bottom-up so that offsets stay valid. At one offset an
 * earlier-accepted insertion ends up before a later one, and insertions go before a replacement.
 */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const ordered = edits
    .map((edit, order) => ({ edit, order }))
    .sort(
      (x, y) =>
        y.edit.start - x.edit.start ||
        // Same start: the replacement is applied first, then insertions latest-accepted first.
        Number(x.edit.start === x.edit.end) - Number(y.edit.start === y.edit.end) ||
        y.order - x.order,
    );
  let result = text;
  for (const { edit } of ordered) {
    if (edit.start < 0 || edit.end < edit.start || edit.end > text.length) {
      throw new RangeError(`edit [${edit.start}, ${edit.end}) is outside ${edit.file} (length ${text.length})`);
    }
    result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
  }
  return result;
}
