import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readLocaleFiles } from "../../src/i18n/readLocales";

/** A locales folder with one file per entry ("ru/shop.json" → text), read from inside the temp dir. */
function read(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), "rapport-readlocales-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, "locales", name.split("/")[0]!), { recursive: true });
    writeFileSync(join(dir, "locales", name), text);
  }
  return readLocaleFiles(join(dir, "locales"), dir);
}

describe("readLocaleFiles", () => {
  it.each([
    ['{\n  "a": "x"\n  "b": "y"\n}', "3:3 a comma is missing before this (texts are separated by commas)"],
    ['{\n  "a": "x",\n}', "3:1 a comma before a closing } or ] is not allowed in JSON; remove it"],
    ["{\n  'a': \"x\"\n}", "2:3 JSON needs double quotes, not single quotes"],
    ['{\n  "a": "x\n}', "2:8 a text is not closed; add the closing double quote"],
    ['{\n  "a" "x"\n}', '2:7 a colon is missing after the key ("key": "text")'],
  ])("reports %j at its line and column in words", (text, expected) => {
    const r = read({ "pl/shop.json": text, "en/shop.json": '{ "a": "ok" }' });
    expect(r.problems.map((p) => `${p.file} ${p.line}:${p.col} ${p.message}`)).toEqual([`${join("locales", "pl", "shop.json")} ${expected}`]);
    expect(r.resources.en).toEqual({ shop: { a: "ok" } }); // the other files are still read
    expect(r.resources.pl).toEqual({});
  });

  it("knows where each text is written", () => {
    const r = read({ "en/shop.json": '{\n  "cart": "Cart",\n  "menu": {\n    "open": "Open"\n  }\n}' });
    expect(r.problems).toEqual([]);
    expect(r.positions.get("en\u0000shop:menu.open")).toEqual({ file: join("locales", "en", "shop.json"), line: 4, col: 13 });
  });
});
