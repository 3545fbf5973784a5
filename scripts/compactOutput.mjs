// esbuild settings shared by the product's build (scripts/build.mjs) and the bench's (bench/build.mjs):
// output that V8 keeps in less memory (issue 17: bench peak ≤ 103 MB).
//
// Why: V8 keeps every loaded module's source text for as long as the process lives (functions are
// compiled lazily, from that text). A source with a single character above U+00FF (a "→" in a doc
// comment, "。" in a date regex) is kept as UTF-16, two bytes per character, the whole file; one
// without is kept one byte per character. The bench's bundle was 472 K characters held in 945 kB.
// Escaping those characters (\uXXXX) and dropping comments and indentation keeps the same code in
// about a third of that. Names are kept (identifiers are not minified), so stack traces still name
// their functions; lines are at most LINE_LIMIT characters, so a position in dist/ is still readable,
// and the linked source maps (`node --enable-source-maps`) map it back to src/.

import { readFileSync } from "node:fs";

/** Longest output line esbuild writes: short enough to read a stack trace's position in dist/. */
const LINE_LIMIT = 160;

/** esbuild options: comments and indentation dropped, syntax shortened, identifiers and names kept. */
export const COMPACT_OUTPUT = { minifyWhitespace: true, minifySyntax: true, lineLimit: LINE_LIMIT, charset: "ascii" };

const WIDE = /[^\x00-\xff]/g;

/**
 * Rewrites every character above U+00FF in a source as its \uXXXX escape before esbuild reads it.
 * esbuild's `charset: "ascii"` escapes strings but leaves regular expression literals as written
 * (`/[。！？]/u`), and one such literal makes the whole output file two-byte. An escape means the
 * same character in a string, a template's cooked text, a regular expression (with or without the
 * `u` flag; astral characters become their surrogate pair, which `u` patterns read as the one code
 * point) and an identifier; in a comment it is text. Only a template's raw text (String.raw)
 * would differ, and src/ has none with such characters.
 */
export const latin1Sources = {
  name: "latin1-sources",
  setup(build) {
    build.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
      if (args.path.includes("/node_modules/")) return undefined;
      const text = readFileSync(args.path, "utf8");
      WIDE.lastIndex = 0;
      if (!WIDE.test(text)) return undefined;
      const contents = text.replace(WIDE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
      return { contents, loader: /\.[cm]?ts$/.test(args.path) ? "ts" : "js" };
    });
  },
};
