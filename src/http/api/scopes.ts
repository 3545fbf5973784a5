import { ConfigError } from "../../core/errors";

/**
 * What an API key may do (issue 16, least privilege): `purchases` (report purchases and refunds),
 * `read` (points, reports), `export` and `erase` (a person's data), `campaigns`. A shop's key needs
 * only `purchases`; the key of whoever answers data requests only `export,erase`.
 */
export const API_SCOPES = ["purchases", "read", "export", "erase", "campaigns"] as const;

/** One scope of API_SCOPES. */
export type ApiScope = (typeof API_SCOPES)[number];

/** A configured key: a name for the audit log and logs (never the key), its scopes, and the key. */
export interface ApiKey {
  name: string;
  scopes: ReadonlySet<ApiScope>;
  key: string;
}

/** Keys must be long enough not to be guessed: `openssl rand -hex 32` gives 64 characters. */
export const MIN_API_KEY_LENGTH = 32;

const FORMAT = "name:scope1,scope2:key entries separated by ; e.g. shop:purchases,read:<64 hex>;privacy:export,erase:<64 hex>";

/**
 * Parses RAPPORT_API_KEYS (`name:scope1,scope2:key;…`) and adds RAPPORT_API_KEY, which keeps working
 * as a key with every scope (named `default`). Throws ConfigError naming the variable and the entry
 * at fault: an unknown scope, a short key, a repeated name or key.
 */
export function parseApiKeys(keys: string | undefined, allScopesKey: string | undefined): ApiKey[] {
  const out: ApiKey[] = [];
  if (allScopesKey) out.push({ name: "default", scopes: new Set(API_SCOPES), key: allScopesKey });
  const entries = (keys ?? "").split(";").map((e) => e.trim()).filter(Boolean);
  entries.forEach((entry, i) => {
    const where = `entry ${i + 1}`;
    const first = entry.indexOf(":");
    const second = entry.indexOf(":", first + 1);
    if (first <= 0 || second < 0) throw new ConfigError("RAPPORT_API_KEYS", `${where} is not name:scopes:key`, FORMAT);
    const name = entry.slice(0, first).trim();
    const scopeList = entry.slice(first + 1, second).split(",").map((s) => s.trim()).filter(Boolean);
    const key = entry.slice(second + 1).trim();
    if (!/^[A-Za-z0-9_.-]{1,40}$/.test(name)) throw new ConfigError("RAPPORT_API_KEYS", `${where}: the name "${name}" must be 1-40 of A-Z a-z 0-9 _ . -`, FORMAT);
    if (scopeList.length === 0) throw new ConfigError("RAPPORT_API_KEYS", `key "${name}" has no scopes`, `give one or more of ${API_SCOPES.join(", ")}`);
    const unknown = scopeList.find((s) => !(API_SCOPES as readonly string[]).includes(s));
    if (unknown) throw new ConfigError("RAPPORT_API_KEYS", `key "${name}": unknown scope "${unknown}"`, `scopes are ${API_SCOPES.join(", ")}`);
    if (key.length < MIN_API_KEY_LENGTH) throw new ConfigError("RAPPORT_API_KEYS", `key "${name}" is ${key.length} characters; at least ${MIN_API_KEY_LENGTH} are needed`, "generate one with: openssl rand -hex 32");
    if (/\s/.test(key)) throw new ConfigError("RAPPORT_API_KEYS", `key "${name}" contains white space`, "generate one with: openssl rand -hex 32");
    if (out.some((k) => k.name === name)) throw new ConfigError("RAPPORT_API_KEYS", `the name "${name}" is used twice${name === "default" ? " (default is RAPPORT_API_KEY's)" : ""}`, "give every key its own name");
    if (out.some((k) => k.key === key)) throw new ConfigError("RAPPORT_API_KEYS", `key "${name}" is the same key as "${out.find((k) => k.key === key)!.name}"`, "give every key its own value");
    out.push({ name, scopes: new Set(scopeList as ApiScope[]), key });
  });
  return out;
}
