import { createInterface } from "node:readline";
import type { ConsoleUsers } from "../console/auth/ConsoleUsers";
import { hashPassword, MIN_PASSWORD_LENGTH } from "../console/auth/passwords";
import { UsageError } from "./UsageError";

// `rapport console users add|list|remove|hash`: who may sign in to the browser console (/console).

/**
 * Reads a password: the first line of piped input (scripts, CI), or typed at a prompt that does not
 * echo it (a person at a terminal), asked twice so a typo does not lock them out.
 */
export async function readPassword(input: NodeJS.ReadableStream & { isTTY?: boolean }, output: NodeJS.WritableStream): Promise<string> {
  if (!input.isTTY) {
    const rl = createInterface({ input, terminal: false });
    for await (const line of rl) {
      rl.close();
      return line.replace(/\r$/, "");
    }
    throw new UsageError("no password on standard input; pipe it in (printf '%s\\n' \"$PASSWORD\" | rapport console users add …) or run on a terminal");
  }
  const ask = async (prompt: string) => {
    output.write(prompt);
    const rl = createInterface({ input, output: undefined, terminal: true });
    const stdin = input as NodeJS.ReadStream;
    stdin.setRawMode?.(true);
    try {
      let text = "";
      for await (const line of rl) { text = line; break; }
      return text;
    } finally {
      stdin.setRawMode?.(false);
      rl.close();
      output.write("\n");
    }
  };
  const first = await ask("Password: ");
  const again = await ask("Again: ");
  if (first !== again) throw new UsageError("the two passwords differ; nothing was changed");
  return first;
}

/** `rapport console users add <name> --role <role>`: adds a user or sets a user's role and password. */
export async function runConsoleUsersAdd(users: ConsoleUsers, name: string, role: string, password: string, out: NodeJS.WritableStream): Promise<number> {
  const { replaced } = await users.add(name, role, password);
  out.write(`${replaced ? "updated" : "added"} console user ${name} (${role}); sign in at /console\n`);
  return 0;
}

/** `rapport console users list`: name, role and where each user is defined. */
export async function runConsoleUsersList(users: ConsoleUsers, json: boolean, out: NodeJS.WritableStream): Promise<number> {
  const all = await users.list();
  if (json) out.write(`${JSON.stringify({ users: all })}\n`);
  else if (all.length === 0) out.write("no console users yet; add one with: rapport console users add <name> --role admin\n");
  else for (const u of all) out.write(`${u.name.padEnd(24)} ${u.role.padEnd(13)} ${u.source === "settings" ? "(CONSOLE_USERS)" : ""}\n`.replace(/ +\n$/, "\n"));
  return 0;
}

/** `rapport console users remove <name>`: the user can no longer sign in; their sessions end. */
export async function runConsoleUsersRemove(users: ConsoleUsers, name: string, out: NodeJS.WritableStream): Promise<number> {
  if (!(await users.remove(name))) throw new UsageError(`there is no console user "${name}" in the database (rapport console users list)`);
  out.write(`removed console user ${name}; their sessions ended\n`);
  return 0;
}

/** `rapport console users hash`: a bcrypt hash for CONSOLE_USERS (name:role:hash), for deployments configured by environment. */
export async function runConsoleUsersHash(password: string, out: NodeJS.WritableStream): Promise<number> {
  if (password.length < MIN_PASSWORD_LENGTH) throw new UsageError(`the password has ${password.length} characters; use at least ${MIN_PASSWORD_LENGTH}`);
  out.write(`${await hashPassword(password)}\n`);
  return 0;
}
