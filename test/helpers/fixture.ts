import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SUPPORTED_LOCALES } from "../../src/i18n/locales";
import { ROOT } from "./testApp";

/** Folders with flows and locales for one test. */
export interface Fixture {
  flowsDir: string;
  localesDir: string;
  /** (Re)writes a flow file. */
  writeFlow(name: string, yaml: string): void;
}

/**
 * Makes temporary `flows/` and `locales/` folders: the shipped locales plus a `test` namespace with
 * `texts` in every locale (prefixed with the locale, so tests can see which language answered), and
 * the given flow files (plus the shipped ones when `shipped` is true).
 */
export function makeFixture(flows: Record<string, string>, texts: Record<string, unknown> = {}, options: { shipped?: boolean } = {}): Fixture {
  const dir = mkdtempSync(join(tmpdir(), "rapport-fixture-"));
  const flowsDir = join(dir, "flows");
  const localesDir = join(dir, "locales");
  mkdirSync(flowsDir);
  cpSync(join(ROOT, "locales"), localesDir, { recursive: true });
  if (options.shipped) cpSync(join(ROOT, "flows"), flowsDir, { recursive: true });
  for (const lng of SUPPORTED_LOCALES) {
    const localized = JSON.parse(JSON.stringify(texts), (_k, v) => (typeof v === "string" ? `${lng}: ${v}` : v));
    writeFileSync(join(localesDir, lng, "test.json"), JSON.stringify(localized, null, 2));
  }
  const writeFlow = (name: string, yaml: string) => writeFileSync(join(flowsDir, `${name}.yaml`), yaml);
  for (const [name, yaml] of Object.entries(flows)) writeFlow(name, yaml);
  return { flowsDir, localesDir, writeFlow };
}
