import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli";

// `rapport console users add|list|remove|hash`, as an operator runs them (password piped in). Each
// command is a process of its own that opens and migrates the database: a loaded machine takes a while.

describe("rapport console users", () => {
  it("adds a user (creating the database), lists it without any hash, refuses a short password, removes it", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "rapport-console-users-"));
    const env = { DATABASE_URL: `file:${join(cwd, "r.db")}` };
    const added = await runCli(["console", "users", "add", "alice", "--role", "admin"], { cwd, env, input: "a long password\n" });
    expect([added.code, added.stdout]).toEqual([0, "added console user alice (admin); sign in at /console\n"]);
    const short = await runCli(["console", "users", "add", "bob", "--role", "marketer"], { cwd, env, input: "short\n" });
    expect(short.code).toBe(1);
    expect(short.stderr).toContain("use at least 10");
    const list = await runCli(["console", "users", "list", "--json"], { cwd, env });
    expect(JSON.parse(list.stdout)).toEqual({ users: [{ name: "alice", role: "admin", source: "database" }] });
    expect(list.stdout).not.toContain("$2");
    const removed = await runCli(["console", "users", "remove", "alice"], { cwd, env });
    expect([removed.code, removed.stdout]).toEqual([0, "removed console user alice; their sessions ended\n"]);
  }, 120_000);

  it("prints a bcrypt hash for CONSOLE_USERS, which the settings accept", async () => {
    const hash = await runCli(["console", "users", "hash"], { input: "a long password\n" });
    expect(hash.stdout).toMatch(/^\$2b\$12\$[./A-Za-z0-9]{53}\n$/);
    const cwd = mkdtempSync(join(tmpdir(), "rapport-console-users-"));
    const env = { DATABASE_URL: `file:${join(cwd, "r.db")}`, CONSOLE_USERS: `ops:support_lead:${hash.stdout.trim()}` };
    await runCli(["console", "users", "add", "alice", "--role", "marketer"], { cwd, env, input: "a long password\n" });
    const list = await runCli(["console", "users", "list"], { cwd, env });
    expect(list.stdout).toBe("ops                      support_lead  (CONSOLE_USERS)\nalice                    marketer\n");
    const bad = await runCli(["console", "users", "list"], { cwd, env: { ...env, CONSOLE_USERS: "ops:boss:x" } });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("CONSOLE_USERS: entry 1 (ops): role \"boss\" is not one of marketer, support_lead, admin");
  }, 120_000);
});
