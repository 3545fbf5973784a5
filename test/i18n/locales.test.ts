import { describe, expect, it } from "vitest";
import { isLocale, resolveLocale, SUPPORTED_LOCALES } from "../../src/i18n/locales";

describe("resolveLocale", () => {
  it.each([
    ["zh-hant", "zh-TW"], ["zh-TW", "zh-TW"], ["zh-hk", "zh-TW"], ["zh-MO", "zh-TW"], ["zh_Hant_TW", "zh-TW"], ["ZH-HANT", "zh-TW"],
    ["zh", "zh-CN"], ["zh-hans", "zh-CN"], ["zh-cn", "zh-CN"], ["zh-sg", "zh-CN"], ["zh-Hans-HK", "zh-CN"],
    ["ru-RU", "ru"], ["ru", "ru"], ["pl", "pl"], ["pl_PL", "pl"], ["vi-VN", "vi"], ["en-GB", "en"], [" RU ", "ru"],
    ["pt-BR", "en"], ["de", "en"], ["", "en"], ["uk", "en"],
  ])("maps %j to %s", (hint, locale) => {
    expect(resolveLocale(hint)).toBe(locale);
  });

  it("maps undefined and null to the fallback", () => {
    expect(resolveLocale(undefined)).toBe("en");
    expect(resolveLocale(null)).toBe("en");
    expect(resolveLocale(undefined, "ru")).toBe("ru");
    expect(resolveLocale("pt-BR", "pl")).toBe("pl");
  });

  // Three-letter codes such as "zha" (Zhuang) are not Chinese.
  it("does not take another language whose code starts with zh for Chinese", () => {
    expect(resolveLocale("zha")).toBe("en");
  });
});

describe("isLocale", () => {
  it("accepts exactly the supported codes", () => {
    for (const l of SUPPORTED_LOCALES) expect(isLocale(l)).toBe(true);
    expect(isLocale("zh-tw")).toBe(false);
    expect(isLocale("ru-RU")).toBe(false);
    expect(isLocale(undefined)).toBe(false);
    expect(isLocale(1)).toBe(false);
  });

  it("lists the six shipped locales", () => {
    expect([...SUPPORTED_LOCALES]).toEqual(["en", "ru", "pl", "vi", "zh-CN", "zh-TW"]);
  });
});
