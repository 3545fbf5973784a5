import type { Database } from "../../db/Database";
import { hashPassword, MIN_PASSWORD_LENGTH, PASSWORD_COST, verifyPassword } from "./passwords";
import { CONSOLE_ROLES, isConsoleRole, type ConsoleRole } from "./roles";
import { USER_NAME, type SettingsUser } from "./settingsUsers";

export type { SettingsUser } from "./settingsUsers";
import { ConsoleUserError } from "./errors";

/** A console user as the console sees them: a name and a role (never the hash). */
export interface ConsoleUser {
  name: string;
  role: ConsoleRole;
  /** Where the user is defined: CONSOLE_USERS (read-only here) or the database (`rapport console users`). */
  source: "settings" | "database";
}

/**
 * Console users: those named in the settings (CONSOLE_USERS, for deployments configured by
 * environment) and those added with `rapport console users add` (the database). A name in the
 * settings wins over the same name in the database.
 */
export class ConsoleUsers {
  /** `cost`: bcrypt's cost for new passwords (tests lower it; production keeps PASSWORD_COST). */
  constructor(private readonly db: Database, private readonly fromSettings: SettingsUser[] = [], private readonly cost = PASSWORD_COST) {}

  /** The user whose password this is, or undefined (wrong name or password: the caller cannot tell which). */
  async authenticate(name: string, password: string): Promise<ConsoleUser | undefined> {
    const configured = this.fromSettings.find((u) => u.name === name);
    const stored = configured ? undefined : await this.db.prisma.consoleUser.findUnique({ where: { name } });
    const hash = configured?.passwordHash ?? stored?.passwordHash;
    if (!(await verifyPassword(password, hash, this.cost))) return undefined;
    if (configured) return { name, role: configured.role, source: "settings" };
    return stored && isConsoleRole(stored.role) ? { name, role: stored.role, source: "database" } : undefined;
  }

  /** Every user, settings first, then the database's by name. */
  async list(): Promise<ConsoleUser[]> {
    const rows = await this.db.prisma.consoleUser.findMany({ orderBy: { name: "asc" } });
    const configured = this.fromSettings.map((u) => ({ name: u.name, role: u.role, source: "settings" as const }));
    const stored = rows.filter((r) => isConsoleRole(r.role) && !configured.some((c) => c.name === r.name))
      .map((r) => ({ name: r.name, role: r.role as ConsoleRole, source: "database" as const }));
    return [...configured, ...stored];
  }

  /** Adds a user, or sets the role and password of an existing one (`replaced` says which). */
  async add(name: string, role: string, password: string): Promise<{ replaced: boolean }> {
    if (!USER_NAME.test(name)) throw new ConsoleUserError(`"${name}" is not a user name: use 1-64 letters, digits, . _ @ or -, starting with a letter or digit`);
    if (!isConsoleRole(role)) throw new ConsoleUserError(`"${role}" is not a role; use one of ${CONSOLE_ROLES.join(", ")}`);
    if (password.length < MIN_PASSWORD_LENGTH) throw new ConsoleUserError(`the password has ${password.length} characters; use at least ${MIN_PASSWORD_LENGTH}`);
    if (this.fromSettings.some((u) => u.name === name)) throw new ConsoleUserError(`"${name}" is defined in CONSOLE_USERS; change it there`);
    const passwordHash = await hashPassword(password, this.cost);
    const existing = await this.db.prisma.consoleUser.findUnique({ where: { name } });
    await this.db.prisma.consoleUser.upsert({ where: { name }, create: { name, role, passwordHash }, update: { role, passwordHash, updatedAt: new Date() } });
    return { replaced: existing !== null };
  }

  /** Removes a database user and ends their sessions; false when there was none. */
  async remove(name: string): Promise<boolean> {
    if (this.fromSettings.some((u) => u.name === name)) throw new ConsoleUserError(`"${name}" is defined in CONSOLE_USERS; remove it there`);
    const { count } = await this.db.prisma.consoleUser.deleteMany({ where: { name } });
    await this.db.prisma.consoleSession.deleteMany({ where: { userName: name } });
    return count > 0;
  }
}
