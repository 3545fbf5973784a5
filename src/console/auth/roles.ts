/**
 * Who may do what in the browser console (issue 18). Marketers work on flows and read reports;
 * support leads also see customers and work the ticket queue; admins also erase and manage users.
 * One table, so a page and its buttons ask the same question.
 */
export const CONSOLE_ROLES = ["marketer", "support_lead", "admin"] as const;

/** A console role. */
export type ConsoleRole = (typeof CONSOLE_ROLES)[number];

/** Something a console user can do; each page and state-changing request names the one it needs. */
export type ConsolePermission = "flows" | "playground" | "reports" | "contacts" | "contacts.export" | "contacts.erase" | "tickets";

const GRANTS: Record<ConsoleRole, readonly ConsolePermission[]> = {
  marketer: ["flows", "playground", "reports"],
  support_lead: ["flows", "playground", "reports", "contacts", "contacts.export", "tickets"],
  admin: ["flows", "playground", "reports", "contacts", "contacts.export", "contacts.erase", "tickets"],
};

/** True when `role` grants `permission`; an unknown role grants nothing. */
export function can(role: string, permission: ConsolePermission): boolean {
  return (GRANTS as Record<string, readonly ConsolePermission[] | undefined>)[role]?.includes(permission) ?? false;
}

/** True for one of CONSOLE_ROLES (settings and the CLI check names before storing them). */
export function isConsoleRole(value: string): value is ConsoleRole {
  return (CONSOLE_ROLES as readonly string[]).includes(value);
}
