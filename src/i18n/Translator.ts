import i18next, { type i18n, type Resource } from "i18next";
import { RapportError } from "../core/errors";
import { SUPPORTED_LOCALES } from "./locales";
import { readLocaleFiles, type LocaleFiles, type TextPosition } from "./readLocales";

/** A locale file is not valid JSON; names the file, line and column so the translator can fix it. */
export class LocaleFileError extends RapportError {
  readonly code = "rapport_locale_invalid";
  constructor(readonly file: string, readonly line: number, readonly col: number, problem: string) {
    super(`${file}:${line}:${col}: ${problem}`);
  }
}

/** Reads locales/<lng>/<namespace>.json for every supported locale; throws LocaleFileError at the first bad file. */
export function readLocaleResources(dir: string): Resource {
  const files = readLocaleFiles(dir);
  const p = files.problems[0];
  if (p) throw new LocaleFileError(p.file, p.line, p.col, p.message);
  return files.resources;
}

/**
 * All customer-facing text. Wraps one i18next instance (plurals via Intl.PluralRules: ru/pl one, few,
 * many, other; vi/zh other) so the engine asks for `t(locale, "ns:key", values)` and never sees files.
 */
export class Translator {
  private constructor(readonly i18n: i18n, readonly resources: Resource, private readonly positions?: LocaleFiles["positions"]) {}

  /** Loads every locale file under `dir` synchronously (small files; done at start and on reload). */
  static fromDirectory(dir: string): Translator {
    readLocaleResources(dir); // throws LocaleFileError with file:line:col on a bad file
    return Translator.fromFiles(readLocaleFiles(dir));
  }

  /** A translator over the files that parsed (lint reports the others and goes on). */
  static fromFiles(files: LocaleFiles): Translator {
    return Translator.fromResources(files.resources, files.positions);
  }

  /** Builds a translator from in-memory resources (tests, hot reload). */
  static fromResources(resources: Resource, positions?: LocaleFiles["positions"]): Translator {
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
    return new Translator(instance, resources, positions);
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

  /** True when `key` (or its plural forms) is a text in exactly this locale, without fallback; a group of texts is not one. */
  has(locale: string, key: string): boolean {
    return this.forms(locale, key).length > 0;
  }

  /** The raw texts of a key in exactly this locale: the key itself and its plural forms (`key_one`, …). */
  forms(locale: string, key: string): { key: string; text: string }[] {
    const [ns, path] = key.includes(":") ? key.split(/:(.*)/s) as [string, string] : ["common", key];
    const out: { key: string; text: string }[] = [];
    for (const suffix of ["", "_zero", "_one", "_two", "_few", "_many", "_other"]) {
      const v = this.i18n.getResource(locale, ns, `${path}${suffix}`) as unknown;
      if (typeof v === "string") out.push({ key: `${ns}:${path}${suffix}`, text: v });
    }
    return out;
  }

  /** Every text key (`ns:dotted.key`, plural forms separately) this locale has. */
  keys(locale: string): string[] {
    const out: string[] = [];
    const walk = (ns: string, prefix: string, v: unknown) => {
      if (typeof v === "string") out.push(`${ns}:${prefix}`);
      else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(ns, prefix ? `${prefix}.${k}` : k, x);
    };
    for (const [ns, tree] of Object.entries(this.resources[locale] ?? {})) walk(ns, "", tree);
    return out;
  }

  /** Where a text is written (file, line, column), when read from files. */
  where(locale: string, key: string): TextPosition | undefined {
    return this.positions?.get(`${locale}\u0000${key}`);
  }
}
