/** JSON.parse whose error says where: `line 3, column 5: Expected ',' or '}' after property value`. */
export class JsonSyntaxError extends Error {
  constructor(
    readonly detail: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(line !== undefined ? `line ${line}, column ${column}: ${detail}` : detail);
  }
}

export function parseJson(text: string): unknown {
  // Editors on Windows still write a BOM now and then; JSON.parse rejects it.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (err) {
    throw toSyntaxError(body, (err as Error).message);
  }
}

function toSyntaxError(text: string, message: string): JsonSyntaxError {
  // V8 wording differs across Node versions: "... in JSON at position 42 (line 3 column 5)",
  // "... at position 42", or "Unexpected end of JSON input". Strip the location and recompute it.
  const detail = message
    .replace(/,?\s*"(?:[^"\\]|\\.)*"(?:\.\.\.)? is not valid JSON$/, '')
    .replace(/\s*in JSON at position \d+.*$/, '')
    .replace(/\s*\(line \d+ column \d+\)$/, '')
    .trim();
  const pos = /at position (\d+)/.exec(message);
  const offset = pos ? Number(pos[1]) : /end of JSON input/.test(message) ? text.length : undefined;
  if (offset === undefined) return new JsonSyntaxError(detail || message);
  const { line, column } = lineColumn(text, offset);
  return new JsonSyntaxError(detail || 'invalid JSON', line, column);
}

/** 1-based line and column of a UTF-16 offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
