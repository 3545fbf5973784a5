/**
 * The command line itself: help for every command (printed, exit 0, never acting, never opening the
 * database), and refusals of what it cannot run (exit 2, the closest name, where the usage is).
 */
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli";

/** Commands that must be there, as typed after `rapport`; the help tests below run every command `rapport help` lists. */
const COMMANDS = [
  "start", "chat", "flows lint", "flows test", "contacts history", "contacts export", "contacts erase", "purchases import", "loyalty verify", "loyalty sweep",
  "referrals held", "referrals review", "tickets", "tickets claim", "tickets reply", "tickets resolve", "tickets hand-back",
  "ideas", "ideas mark", "ideas review", "events send", "rfm", "report", "audit",
];

/** Every command `rapport help` lists (the words before its arguments and options). */
async function listedCommands(): Promise<string[]> {
  const help = (await runCli(["help"])).stdout;
  return help.split("\n").filter((l) => /^ {2}[a-z]/.test(l)).map((l) => l.trim().split(" ").filter((w, i, all) => all.slice(0, i + 1).every((x) => /^[a-z-]+$/.test(x))).join(" "))
    .filter((c) => c !== "help");
}

describe("rapport --help", () => {
  // Two processes per listed command, all at once: the campaigns' seven commands pushed it past 30 s on a loaded machine.
  it("every command prints its usage and examples and exits 0, without reading settings or opening the database", { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "rapport-help-"));
    const database = join(dir, "never", "rapport.db");
    const commands = await listedCommands();
    expect(commands).toEqual(expect.arrayContaining(COMMANDS));
    const results = await Promise.all(commands.map(async (command) => {
      // A database URL that would fail any command that read settings, and a path nothing may create.
      const bad = await runCli([...command.split(" "), "--help"], { env: { DATABASE_URL: "mysql://root@localhost/x" } });
      const file = await runCli([...command.split(" "), "--help"], { env: { DATABASE_URL: `file:${database}` }, cwd: dir });
      return { command, bad, file };
    }));
    for (const { command, bad, file } of results) {
      expect(bad.stderr, command).toBe("");
      expect(bad.code, command).toBe(0);
      expect(bad.stdout, command).toMatch(new RegExp(`^Usage: rapport ${command} `));
      expect(bad.stdout, command).toContain("\nExamples:\n  $ rapport ");
      expect(file.code, command).toBe(0);
    }
    expect(existsSync(join(dir, "never"))).toBe(false);
    expect(existsSync(join(dir, "data"))).toBe(false); // start's default database was not created either
  });

  it("never acts when help is asked for: `loyalty sweep --help` sweeps nothing, `-h` and `help <command>` too", async () => {
    const sweep = await runCli(["loyalty", "sweep", "--help"], { env: { DATABASE_URL: "mysql://root@localhost/x" } });
    expect(sweep.code).toBe(0);
    expect(sweep.stdout).not.toContain("{"); // the sweep prints its counts as JSON
    const short = await runCli(["tickets", "-h"], { env: { DATABASE_URL: "mysql://root@localhost/x" } });
    expect(short.stdout).toMatch(/^Usage: rapport tickets \[options\] \[command\]/);
    const viaHelp = await runCli(["help", "report"], { env: { DATABASE_URL: "mysql://root@localhost/x" } });
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toMatch(/^Usage: rapport report \[options\]/);
  });

  it("`rapport`, `rapport help` and `rapport --help` list every command with its arguments and options", async () => {
    for (const args of [[], ["help"], ["--help"]]) {
      const r = await runCli(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: rapport <command> \[options\]/);
      for (const command of COMMANDS) expect(r.stdout, command).toMatch(new RegExp(`^  ${command}( |$)`, "m"));
      expect(r.stdout).toContain("  tickets reply <id> <text...> [--as <name>]\n");
      expect(r.stdout).toContain("  contacts history <contact> [--json] [--limit <n>]\n");
    }
  });
});

describe("rapport refuses what it cannot run, with exit status 2", () => {
  const cases: [string, string[], string][] = [
    ["an unknown command, with the closest one", ["ticket"], "rapport: unknown command 'ticket'; did you mean tickets?\n  see: rapport --help\n"],
    ["an unknown command without a close one", ["frobnicate"], "rapport: unknown command 'frobnicate'\n  see: rapport --help\n"],
    ["an unknown subcommand, with the closest one", ["tickets", "clam", "0mx1"], 'rapport: unknown command "tickets clam"; did you mean "tickets claim"?\n  see: rapport tickets --help\n'],
    ["an unknown option, with the closest one", ["contacts", "history", "x", "--jsn"], "rapport: unknown option '--jsn'; did you mean --json?\n  see: rapport contacts history --help\n"],
    ["an unknown option of a command without options", ["loyalty", "verify", "--bogus"], "rapport: unknown option '--bogus'\n  see: rapport loyalty verify --help\n"],
    ["an extra argument", ["loyalty", "verify", "now"], 'rapport: loyalty verify takes no arguments; unexpected: "now"\n  see: rapport loyalty verify --help\n'],
    ["an extra argument after the expected ones", ["contacts", "history", "terminal:a", "terminal:b"], 'rapport: contacts history takes at most 1; unexpected: "terminal:b"\n  see: rapport contacts history --help\n'],
    ["a missing argument", ["contacts", "history"], "rapport: missing required argument 'contact'\n  see: rapport contacts history --help\n"],
    ["a value not among the choices", ["ideas", "mark", "i1", "maybe"], "rapport: command-argument value 'maybe' is invalid for argument 'status'. Allowed choices are planned, done, declined.\n  see: rapport ideas mark --help\n"],
    ["a malformed option value", ["contacts", "history", "x", "--limit", "ten"], "rapport: option '--limit <n>' argument 'ten' is invalid. must be a whole number above 0.\n  see: rapport contacts history --help\n"],
    ["options that exclude each other", ["events", "send", "nps.ask", "--all", "--segment", "lost"], "rapport: option '--all' cannot be used with option '--segment <name>'\n  see: rapport events send --help\n"],
    ["a group without its command", ["referrals"], "rapport: referrals needs a command: held, review\n  see: rapport referrals --help\n"],
  ];
  it.each(cases)("%s", async (_name, args, message) => {
    // Refused before settings are read: the malformed URL is never looked at.
    const r = await runCli(args, { env: { DATABASE_URL: "mysql://root@localhost/x" } });
    expect(r.stderr.endsWith(message), r.stderr).toBe(true);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
  });

  it("a malformed setting names the variable and the fix (exit 1)", async () => {
    const r = await runCli(["flows", "lint"], { env: { DATABASE_URL: "mysql://root@localhost/x" } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('rapport: DATABASE_URL: unsupported database URL "mysql://***@localhost/x"');
    expect(r.stderr).toContain("hint: use file:./data/rapport.db for SQLite or postgresql://");
  });
});
