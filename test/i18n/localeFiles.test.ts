import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SUPPORTED_LOCALES } from "../../src/i18n/locales";

/**
 * Checks the shipped locales/ against English, the source language: same keys everywhere, the plural
 * forms each language has (no more, no fewer), the same placeholders, and no English left untranslated.
 */
const DIR = join(import.meta.dirname, "..", "..", "locales");
const PLURAL = /_(zero|one|two|few|many|other)$/;
const OTHERS = SUPPORTED_LOCALES.filter((l) => l !== "en");

/** `namespace:dotted.key` → string value, for one locale. */
function read(lng: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (ns: string, prefix: string, value: unknown) => {
    if (typeof value === "string") out.set(`${ns}:${prefix}`, value);
    else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) walk(ns, prefix ? `${prefix}.${k}` : k, v);
    else throw new Error(`locales/${lng}/${ns}.json: ${prefix} is neither text nor an object`);
  };
  for (const f of readdirSync(join(DIR, lng)).filter((n) => n.endsWith(".json")).sort()) {
    walk(f.replace(/\.json$/, ""), "", JSON.parse(readFileSync(join(DIR, lng, f), "utf8")));
  }
  return out;
}

const texts = Object.fromEntries(SUPPORTED_LOCALES.map((l) => [l, read(l)])) as Record<string, Map<string, string>>;
const en = texts.en!;
/** English plural keys, by base key (`common:retry.choice`). */
const pluralBases = new Set([...en.keys()].filter((k) => k.endsWith("_other")).map((k) => k.replace(PLURAL, "")));
const isPluralForm = (key: string) => PLURAL.test(key) && pluralBases.has(key.replace(PLURAL, ""));
const singular = [...en.keys()].filter((k) => !isPluralForm(k));
const placeholders = (s: string) => [...s.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)].map((m) => m[1]).sort();

/** English values a translation may keep as they are: endonyms in the language picker, loanwords. */
const SAME_AS_ENGLISH: Record<string, string[]> = {
  vi: ["common:media_kind.video"], // "video" is the Vietnamese word too
};
const mayEqualEnglish = (lng: string, key: string, value: string) =>
  key.startsWith("language:names.") ||
  (SAME_AS_ENGLISH[lng] ?? []).includes(key) ||
  !/\p{L}/u.test(value.replace(/\{\{[^}]*\}\}/g, "").replace(/\/[a-z_]+/g, ""));

describe("locale files", () => {
  it("English has texts to compare against", () => {
    expect(singular.length).toBeGreaterThan(20);
    expect(pluralBases).toContain("common:retry.choice");
  });

  it.each(OTHERS)("%s has the same namespace files as en", (lng) => {
    const files = (l: string) => readdirSync(join(DIR, l)).filter((n) => n.endsWith(".json")).sort();
    expect(files(lng)).toEqual(files("en"));
  });

  it.each(OTHERS)("%s has every key of en and no key en lacks", (lng) => {
    const mine = texts[lng]!;
    expect(singular.filter((k) => !mine.has(k))).toEqual([]);
    const extra = [...mine.keys()].filter((k) => !en.has(k) && !(PLURAL.test(k) && pluralBases.has(k.replace(PLURAL, ""))));
    expect(extra).toEqual([]);
  });

  it.each([...SUPPORTED_LOCALES])("%s has exactly the plural forms its language uses", (lng) => {
    const categories = [...new Intl.PluralRules(lng).resolvedOptions().pluralCategories].sort();
    const mine = texts[lng]!;
    for (const base of pluralBases) {
      const forms = [...mine.keys()].filter((k) => k.replace(PLURAL, "") === base && PLURAL.test(k)).map((k) => PLURAL.exec(k)![1]).sort();
      expect({ key: base, forms }).toEqual({ key: base, forms: categories });
      expect(mine.has(base), `${lng} ${base} should exist only in plural forms`).toBe(false);
    }
  });

  it("ru and pl need one, few, many and other; vi and zh only other", () => {
    expect([...new Intl.PluralRules("ru").resolvedOptions().pluralCategories].sort()).toEqual(["few", "many", "one", "other"]);
    expect([...new Intl.PluralRules("pl").resolvedOptions().pluralCategories].sort()).toEqual(["few", "many", "one", "other"]);
    expect(new Intl.PluralRules("vi").resolvedOptions().pluralCategories).toEqual(["other"]);
    expect(new Intl.PluralRules("zh-TW").resolvedOptions().pluralCategories).toEqual(["other"]);
    expect(texts.ru!.get("common:retry.email_few")).toContain("{{count}}");
  });

  it.each(OTHERS)("%s keeps the placeholders of the English text", (lng) => {
    for (const [key, value] of texts[lng]!) {
      const source = en.get(key) ?? en.get(key.replace(PLURAL, "_other"));
      if (source === undefined) continue; // reported by the key test
      expect({ key, placeholders: placeholders(value) }).toEqual({ key, placeholders: placeholders(source) });
    }
  });

  it.each(OTHERS)("%s has no English left untranslated", (lng) => {
    const leftovers = [...texts[lng]!].filter(([key, value]) => {
      const source = en.get(key) ?? en.get(key.replace(PLURAL, "_other"));
      return source === value && !mayEqualEnglish(lng, key, value);
    });
    expect(leftovers).toEqual([]);
  });

  it.each(["ru", "zh-CN", "zh-TW"])("%s uses no Latin letters besides commands, placeholders, examples and brand names", (lng) => {
    const latin = [...texts[lng]!].filter(([key, value]) => {
      if (key.startsWith("language:names.")) return false;
      const rest = value
        .replace(/\{\{[^}]*\}\}/g, "")
        .replace(/\/[a-z_]+/g, "")
        .replace(/name@example\.com/g, "")
        .replace(/\b(visa|mastercard|paypal|telegram)\b/gi, "")
        .replace(key === "marketing:stop.keywords" ? /\btd\b/g : /^$/, ""); // "TD" is how people in China unsubscribe (退订)
      return /[a-z]/i.test(rest);
    });
    expect(latin).toEqual([]);
  });

  it("names each language the same way in every locale (the picker shows endonyms)", () => {
    const names = (l: string) => [...texts[l]!].filter(([k]) => k.startsWith("language:names."));
    expect(names("en").map(([k]) => k.slice("language:names.".length)).sort()).toEqual([...SUPPORTED_LOCALES].sort());
    for (const l of OTHERS) expect(names(l)).toEqual(names("en"));
  });

  it("the allow-list still matches the files (remove entries once translated)", () => {
    for (const [lng, keys] of Object.entries(SAME_AS_ENGLISH)) for (const k of keys) expect(texts[lng]!.get(k)).toBe(en.get(k));
  });
});
