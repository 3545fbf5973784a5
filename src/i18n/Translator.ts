import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import i18next, { type i18n, type Resource } from "i18next";
import { RapportError } from "../core/errors";
import { SUPPORTED_LOCALES } from "./locales";

/** A locale file is not valid JSON; names the file so the translator can fix it. */
export class LocaleFileError extends RapportError {
  readonly code = "rapport_locale_invalid";
  constructor(readonly file: string, problem: string) {
    super(`${file}: ${problem}`);
  }
}

/** Reads locales/<lng>/<namespace>.json for every supported locale into i18next's resource shape. */
export function readLocaleResources(dir: string): Resource {
  const resources: Resource = {};
  for (const lng of SUPPORTED_LOCALES) {
    const folder = join(dir, lng);
    resources[lng] = {};
    if (!existsSync(folder)) continue;
    for (const f of readdirSync(folder).filter((n) => n.endsWith(".json")).sort()) {
      const file = join(folder, f);
      try {
        resources[lng]![f.replace(/\.json$/, "")] = JSON.parse(readFileSync(file, "utf8"));
      } catch (e) {
        throw new LocaleFileError(file, `not valid JSON: ${(e as Error).message}`);
      }
    }
  }
  return resources;
}

/**
 * All customer-facing text. Wraps one i18next instance (plurals via Intl.PluralRules: ru/pl one, few,
 * many, other; vi/zh other) so the engine asks for `t(locale, "ns:key", values)` and never sees files.
 */
export class Translator {
  private constructor(readonly i18n: i18n, readonly resources: Resource) {}

  /** Loads every locale file under `dir` synchronously (small files; done at start and on reload). */
  static fromDirectory(dir: string): Translator {
    return Translator.fromResources(readLocaleResources(dir));
  }

  /** Builds a translator from in-memory resources (tests, hot reload). */
  static fromResources(resources: Resource): Translator {
    const namespaces = [...new Set(Object.values(resources).flatMap((r) => Object.keys(r)))];
    const instance = i18next.createInstance();
    void instance.init({
      resources,
      supportedLngs: [...SUPPORTED_LOCALES],
      fallbackLng: "en",
      ns: namespaces,
      defaultNS: "common",
      initAsync: false,
      interpolation: { escapeValue: false },
      returnNull: false,
      showSupportNotice: false,
    } as Parameters<i18n["init"]>[0]);
    return new Translator(instance, resources);
  }

  /** Texts with nothing to interpolate or pluralise, by locale and key: most of a flow's texts. */
  private readonly fixed = new Map<string, string | null>();

  /** Translates `key` ("namespace:path") into `locale`, interpolating `values`. */
  t(locale: string, key: string, values?: Record<string, unknown>): string {
    // i18next resolves every call from scratch; a text without {{…}} and without a count is the same
    // every time, so it is looked up once. Bounded by the number of keys × locales in the files.
    if (values?.count === undefined) {
      const id = `${locale}\u0000${key}`;
      let text = this.fixed.get(id);
      if (text === undefined) {
        const raw = this.i18n.t(key, { lng: locale, interpolation: { skipOnVariables: true }, skipInterpolation: true } as never) as unknown;
        text = typeof raw === "string" && !raw.includes("{{") && !raw.includes("$t(") ? raw : null;
        this.fixed.set(id, text);
      }
      if (text !== null) return text;
    }
    return this.i18n.t(key, { ...values, lng: locale }) as string;
  }

  /** The raw object under a key (e.g. FAQ topics), or undefined. */
  lookup(locale: string, key: string): unknown {
    const v = this.i18n.t(key, { lng: locale, returnObjects: true });
    return typeof v === "string" && v === key.split(":").pop() ? undefined : v;
  }

  /** True when `key` (or its plural forms) exists in exactly this locale, without fallback. */
  has(locale: string, key: string): boolean {
    return this.i18n.exists(key, { lng: locale, fallbackLng: false } as never) || this.i18n.exists(`${key}_other`, { lng: locale, fallbackLng: false } as never);
  }
}
