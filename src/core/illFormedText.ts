/** Why a string cannot be stored as text: a NUL, or half of a UTF-16 surrogate pair. */
export interface IllFormedText {
  /** Index (UTF-16 code unit) of the offending character. */
  index: number;
  /** A phrase for messages: "a NUL character (U+0000)" or "a lone surrogate (U+D83D)". */
  what: string;
}

// A NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const ILL_FORMED = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Finds the first character no database column should hold (issue #13): PostgreSQL refuses NUL in
 * text (a 500 where the caller deserves a 400) while SQLite stores it and cuts strings at it later, and
 * a lone surrogate (JSON `"\ud800"`) is not Unicode at all, so it cannot be written as UTF-8.
 * Undefined when the text is fine.
 */
export function findIllFormedText(text: string): IllFormedText | undefined {
  const m = ILL_FORMED.exec(text);
  if (!m) return undefined;
  const code = m[0].charCodeAt(0);
  const hex = code.toString(16).toUpperCase().padStart(4, "0");
  return { index: m.index, what: code === 0 ? "a NUL character (U+0000)" : `a lone surrogate (U+${hex})` };
}
