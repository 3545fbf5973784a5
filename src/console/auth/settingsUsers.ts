import { ConfigError } from "../../core/errors";
import { CONSOLE_ROLES, isConsoleRole, type ConsoleRole } from "./roles";

// Read with the settings by every command: no hashing library here (config.ts must stay light).

/** A console user name: 1-64 letters, digits, . _ @ -, starting with a letter or digit. */
export const USER_NAME = /^[a-z0-9][a-z0-9._@-]{0,63}$/i;

/** A bcrypt hash (`$2b$12$` and 53 characters). */
export const BCRYPT_HASH = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;

/** A user defined in CONSOLE_USERS, with its bcrypt hash. */
export interface SettingsUser {
  name: string;
  role: ConsoleRole;
  passwordHash: string;
}

/**
 * Reads CONSOLE_USERS: `name:role:bcrypt-hash` entries separated by `;` (make a hash with
 * `rapport console users hash`). A malformed entry is a ConfigError naming the entry's position,
 * never its hash.
 */
export function parseSettingsUsers(raw: string | undefined): SettingsUser[] {
  const out: SettingsUser[] = [];
  for (const [i, entry] of (raw ?? "").split(";").map((e) => e.trim()).filter(Boolean).entries()) {
    const [name = "", role = "", ...rest] = entry.split(":");
    const hash = rest.join(":");
    const where = `entry ${i + 1}`;
    if (!USER_NAME.test(name)) throw new ConfigError("CONSOLE_USERS", `${where}: "${name}" is not a user name (letters, digits, . _ @ -)`, "write name:role:hash; separate users with ;");
    if (!isConsoleRole(role)) throw new ConfigError("CONSOLE_USERS", `${where} (${name}): role "${role}" is not one of ${CONSOLE_ROLES.join(", ")}`);
    if (!BCRYPT_HASH.test(hash)) throw new ConfigError("CONSOLE_USERS", `${where} (${name}): the third part is not a bcrypt hash`, "make one with: npx rapport console users hash");
    out.push({ name, role, passwordHash: hash });
  }
  return out;
}

