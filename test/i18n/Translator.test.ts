import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RapportError } from "../../src/core/errors";
import { LocaleFileError, readLocaleResources, Translator } from "../../src/i18n/Translator";

const ROOT = join(import.meta.dirname, "..", "..");
const shipped = Translator.fromDirectory(join(ROOT, "locales"));
const retry = (lng: string, count: number) => shipped.t(lng, "common:retry.choice", { count });

describe("Translator", () => {
  describe("plurals in the shipped texts", () => {
    it("uses ru one / few / many for 1, 2, 5 and 21", () => {
      expect(retry("ru", 1)).toBe("Пожалуйста, нажмите одну из кнопок ниже. Осталась ещё 1 попытка.");
      expect(retry("ru", 2)).toBe("Пожалуйста, нажмите одну из кнопок ниже. Остались ещё 2 попытки.");
      expect(retry("ru", 5)).toBe("Пожалуйста, нажмите одну из кнопок ниже. Осталось ещё 5 попыток.");
      expect(retry("ru", 21)).toBe("Пожалуйста, нажмите одну из кнопок ниже. Осталась ещё 21 попытка.");
      expect(retry("ru", 11)).toBe("Пожалуйста, нажмите одну из кнопок ниже. Осталось ещё 11 попыток.");
    });

    it("uses pl one / few / many for 1, 2, 5 and 22", () => {
      expect(retry("pl", 1)).toBe("Wybierz jeden z przycisków poniżej. Została Ci jeszcze 1 próba.");
      expect(retry("pl", 2)).toBe("Wybierz jeden z przycisków poniżej. Zostały Ci jeszcze 2 próby.");
      expect(retry("pl", 5)).toBe("Wybierz jeden z przycisków poniżej. Zostało Ci jeszcze 5 prób.");
      expect(retry("pl", 22)).toBe("Wybierz jeden z przycisków poniżej. Zostały Ci jeszcze 22 próby.");
    });

    it("uses en one / other", () => {
      expect(retry("en", 1)).toBe("Please tap one of the buttons below. You have 1 more try.");
      expect(retry("en", 2)).toBe("Please tap one of the buttons below. You have 2 more tries.");
    });

    it("uses _other for every count in vi, zh-CN and zh-TW", () => {
      for (const n of [1, 2, 5]) {
        expect(retry("vi", n)).toBe(`Bạn vui lòng bấm vào một trong các nút bên dưới nhé. Bạn còn ${n} lần thử.`);
        expect(retry("zh-CN", n)).toBe(`请点击下方的一个按钮。您还有${n}次机会。`);
        expect(retry("zh-TW", n)).toBe(`請點選下方的其中一個按鈕。您還有${n}次機會。`);
      }
    });
  });

  describe("t", () => {
    const t = Translator.fromResources({
      en: { common: { hi: "Hi {{name}}", deep: "{{vars.faq.answer}} ({{contact.tier}})", html: "<b>{{x}}</b>", only_en: "English only" }, shop: { cart: "Cart" } },
      ru: { common: { hi: "Привет, {{name}}", deep: "{{vars.faq.answer}} [{{contact.tier}}]", html: "<b>{{x}}</b>" } },
    });

    it("interpolates flat and nested values", () => {
      expect(t.t("ru", "common:hi", { name: "Аня" })).toBe("Привет, Аня");
      expect(t.t("en", "common:deep", { vars: { faq: { answer: "2-5 days" } }, contact: { tier: "star" } })).toBe("2-5 days (star)");
      expect(t.t("ru", "common:deep", { vars: { faq: { answer: "2–5 дней" } }, contact: { tier: "star" } })).toBe("2–5 дней [star]");
    });

    it("does not HTML-escape values (channels format text themselves)", () => {
      expect(t.t("en", "common:html", { x: "a & <b>" })).toBe("<b>a & <b></b>");
    });

    it("falls back to English for a missing key and to the default namespace", () => {
      expect(t.t("ru", "common:only_en")).toBe("English only");
      expect(t.t("en", "hi", { name: "Bo" })).toBe("Hi Bo");
      expect(t.t("ru", "shop:cart")).toBe("Cart");
    });

    it("has() answers for exactly the locale asked, without English fallback", () => {
      expect(t.has("en", "common:only_en")).toBe(true);
      expect(t.has("ru", "common:only_en")).toBe(false);
      expect(t.has("ru", "common:hi")).toBe(true);
      expect(t.has("en", "common:nope")).toBe(false);
    });

    it("has() finds a key that only exists in plural forms", () => {
      expect(shipped.has("zh-CN", "common:retry.choice")).toBe(true);
      expect(shipped.has("ru", "common:retry.choice")).toBe(true);
      expect(shipped.has("ru", "common:retry.nope")).toBe(false);
    });

    it("lookup() returns objects, and undefined for a missing key", () => {
      expect(shipped.lookup("pl", "faq:topics.hours")).toMatchObject({ question: "Kiedy działa obsługa klienta?" });
      expect(shipped.lookup("en", "faq:nope")).toBeUndefined();
      expect(shipped.lookup("en", "faq:topics.nope")).toBeUndefined();
      expect(shipped.lookup("vi", "common:media_kind.photo")).toBe("ảnh");
    });
  });

  describe("reading files", () => {
    it("reads every supported locale folder, one namespace per file, and skips missing folders", () => {
      const dir = mkdtempSync(join(tmpdir(), "rapport-locales-"));
      mkdirSync(join(dir, "en"));
      mkdirSync(join(dir, "ru"));
      mkdirSync(join(dir, "de"));
      writeFileSync(join(dir, "en", "shop.json"), JSON.stringify({ cart: "Cart" }));
      writeFileSync(join(dir, "en", "notes.txt"), "ignored");
      writeFileSync(join(dir, "ru", "shop.json"), JSON.stringify({ cart: "Корзина" }));
      writeFileSync(join(dir, "de", "shop.json"), JSON.stringify({ cart: "Warenkorb" }));
      expect(readLocaleResources(dir)).toEqual({ en: { shop: { cart: "Cart" } }, ru: { shop: { cart: "Корзина" } }, pl: {}, vi: {}, "zh-CN": {}, "zh-TW": {} });
      expect(Translator.fromDirectory(dir).t("ru", "shop:cart")).toBe("Корзина");
    });

    it("names the file that is not valid JSON", () => {
      const dir = mkdtempSync(join(tmpdir(), "rapport-locales-"));
      mkdirSync(join(dir, "pl"));
      writeFileSync(join(dir, "pl", "shop.json"), '{ "cart": "Koszyk", }');
      let error: unknown;
      try { Translator.fromDirectory(dir); } catch (e) { error = e; }
      expect(error).toBeInstanceOf(LocaleFileError);
      expect(error).toBeInstanceOf(RapportError);
      const e = error as LocaleFileError;
      expect(e.file).toBe(join(dir, "pl", "shop.json"));
      expect([e.line, e.col]).toEqual([1, 21]);
      expect(e.code).toBe("rapport_locale_invalid");
      expect(e.name).toBe("LocaleFileError");
      expect(e.message).toMatch(new RegExp(`^${join(dir, "pl", "shop.json").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:1:21: a comma before a closing } or \\] is not allowed in JSON; remove it$`));
    });
  });

  it("serves fixed texts from its cache without freezing texts that have placeholders or plurals", () => {
    const t = Translator.fromResources({ en: { c: { fixed: "Hello", slot: "Hi {{name}}", n_one: "{{count}} try", n_other: "{{count}} tries" } } });
    expect(t.t("en", "c:fixed")).toBe("Hello");
    expect(t.t("en", "c:fixed")).toBe("Hello");
    expect(t.t("en", "c:slot")).toBe("Hi {{name}}");
    expect(t.t("en", "c:slot", { name: "Ann" })).toBe("Hi Ann");
    expect(t.t("en", "c:n", { count: 1 })).toBe("1 try");
    expect(t.t("en", "c:n", { count: 3 })).toBe("3 tries");
  });
});
