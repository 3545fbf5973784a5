import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli";

describe("rapport (command line)", () => {
  it("an unknown command prints the usage and exits 2", async () => {
    const r = await runCli(["frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^rapport: unknown command "frobnicate"\n\nUsage: rapport <command>/);
  });

  it("an unknown option is named", async () => {
    const r = await runCli(["contacts", "history", "x", "--jsn"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("rapport: unknown option --jsn; accepted: --limit, --json\n");
  });

  it("a malformed setting names the variable and the fix", async () => {
    const r = await runCli(["flows", "lint"], { env: { DATABASE_URL: "mysql://root@localhost/x" } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('rapport: DATABASE_URL: unsupported database URL "mysql://***@localhost/x"');
    expect(r.stderr).toContain("hint: use file:./data/rapport.db for SQLite or postgresql://");
  });

  it("help lists every command", async () => {
    const r = await runCli(["help"]);
    for (const c of ["start", "chat", "flows lint", "flows test", "contacts history"]) expect(r.stdout).toContain(c);
  });
});
