import type { FlowProblem } from "../../core/errors";
import type { Translator } from "../../i18n/Translator";
import { SUPPORTED_LOCALES } from "../../i18n/locales";
import type { Position } from "../types";
import { checkPath, placeholders, type PathScope } from "./paths";

/** Where a flow uses a translation key, and what its text may show there. */
export interface KeyUse {
  key: string;
  /** The flow file and the line of the key itself (a choice label's own line, not the step's). */
  file: string;
  at: Position;
  /** Human name of the step, for messages about the text (`step "menu"`, `the step at flows/a.yaml:7`). */
  step: string;
  /** Shown with a count: needs every plural form of each language. */
  plural: boolean;
  scope: PathScope;
}

const KEY = /^[a-z][\w-]*:[\w.-]+$/i;

/**
 * Checks one use of a translation key: it is a key, exists in every locale, has the plural forms a
 * count needs, and every {{…}} in each language's text exists at that point. A placeholder problem is
 * reported where the text is written (locales/<lng>/<ns>.json:line:col) when the translator knows
 * it, since that is the place to fix it, and names the flow line that shows it.
 */
export function checkKeyUse(translator: Translator, use: KeyUse): FlowProblem[] {
  const problems: FlowProblem[] = [];
  const here = (message: string) => problems.push({ file: use.file, line: use.at.line, col: use.at.col, message });
  if (!KEY.test(use.key)) {
    here(`text "${use.key}" is not a translation key; write namespace:key (e.g. welcome:greeting) and put the text in locales/<lng>/<namespace>.json`);
    return problems;
  }
  const ns = use.key.split(":")[0]!;
  const missing = SUPPORTED_LOCALES.filter((lng) => !translator.has(lng, use.key));
  if (missing.length > 0) {
    here(`translation key "${use.key}" is missing in ${missing.map((l) => `locales/${l}/${ns}.json`).join(", ")}`);
    return problems;
  }
  for (const lng of SUPPORTED_LOCALES) {
    if (use.plural) {
      const categories = new Intl.PluralRules(lng).resolvedOptions().pluralCategories;
      const absent = categories.filter((c) => !translator.i18n.exists(`${use.key}_${c}`, { lng, fallbackLng: false } as never));
      if (absent.length > 0) here(`plural key "${use.key}" in ${lng} needs forms ${absent.map((c) => `${use.key.split(":")[1]}_${c}`).join(", ")}`);
    }
    for (const form of translator.forms(lng, use.key)) {
      for (const p of placeholders(form.text)) {
        const why = checkPath(p.path, use.scope);
        if (!why) continue;
        const where = translator.where(lng, form.key);
        const message = `{{${p.path}}} in ${where ? "this text" : `locales/${lng}/${ns}.json "${form.key.split(":")[1]}"`}: ${why} (shown by ${use.step})`;
        if (where) problems.push({ ...where, message });
        else here(message);
      }
    }
  }
  return problems;
}

/**
 * Placeholders a translation has that its English text does not: `{{vars.nmae}}` in ru beside
 * `{{vars.name}}` in en. Covers texts no flow names (system messages, action texts), whose values
 * come from code.
 */
export function placeholdersAgainstEnglish(translator: Translator): FlowProblem[] {
  const problems: FlowProblem[] = [];
  for (const lng of SUPPORTED_LOCALES) {
    if (lng === "en") continue;
    for (const key of translator.keys(lng)) {
      const base = key.replace(/_(zero|one|two|few|many|other)$/, "");
      const english = new Set([...translator.forms("en", base), ...translator.forms("en", key)].flatMap((f) => placeholders(f.text).map((p) => p.path)));
      if (english.size === 0 && translator.forms("en", base).length === 0) continue; // no English text: the key check reports it
      const text = translator.forms(lng, key).find((f) => f.key === key)?.text ?? "";
      for (const p of placeholders(text)) {
        if (english.has(p.path)) continue;
        const where = translator.where(lng, key) ?? { file: `locales/${lng}/${key.split(":")[0]}.json`, line: 1, col: 1 };
        const hint = [...english].sort((a, b) => distance(a, p.path) - distance(b, p.path))[0];
        problems.push({ ...where, message: hint
          ? `{{${p.path}}} here, but {{${hint}}} in the English text of "${key}"; one of them is misspelt`
          : `{{${p.path}}} is not in the English text of "${key}", which shows no value here` });
      }
    }
  }
  return problems;
}

function distance(a: string, b: string): number {
  let d = Math.abs(a.length - b.length);
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) d++;
  return d;
}
