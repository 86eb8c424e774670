import { parse as parseTolerant, printParseErrorCode, type ParseError } from 'jsonc-parser';

/** A JSON syntax error that says where: `line 3, column 12: expected a value`. */
export class JsonSyntaxError extends Error {
  constructor(
    readonly detail: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(line !== undefined ? `line ${line}, column ${column}: ${detail}` : detail);
  }
}

// jsonc-parser's error codes, worded for people.
const DETAIL: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'expected a property name in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: "expected ':'",
  CommaExpected: "expected ','",
  CloseBraceExpected: "expected ',' or '}'",
  CloseBracketExpected: "expected ',' or ']'",
  EndOfFileExpected: 'unexpected content after the end of the JSON value',
  InvalidCommentToken: 'comments are not allowed in JSON',
  UnexpectedEndOfComment: 'unterminated comment',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'unterminated number',
  InvalidUnicode: 'invalid unicode escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'invalid character in string',
};

/** Strict JSON.parse (no comments, no trailing commas) whose errors carry line and column. */
export function parseJson(text: string): unknown {
  // Editors on Windows still write a BOM now and then; JSON.parse rejects it.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (err) {
    // V8's messages carry a position only for some errors and only on some Node versions,
    // so the location comes from a second, tolerant parse that reports offsets.
    const errors: ParseError[] = [];
    parseTolerant(body, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    const first = errors[0];
    if (!first) throw new JsonSyntaxError((err as Error).message);
    const code = printParseErrorCode(first.error);
    const { line, column } = lineColumn(body, first.offset);
    throw new JsonSyntaxError(DETAIL[code] ?? code, line, column);
  }
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
