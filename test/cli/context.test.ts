/**
 * Where logs go while a terminal chat holds the terminal (`rapport chat`, and `rapport start` with no
 * channel): to data/rapport.log, never into the prompt. The chats run on a real pseudo-terminal
 * (util-linux `script`), since that is the case that broke; piped chats keep logging to stderr.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { chatFileLogger, TERMINAL_CHAT_LOG } from "../../src/cli/context";
import { ROOT } from "../helpers/testApp";

const hasScript = spawnSync("script", ["--version"]).status === 0;

/** Runs `rapport <args>` on a pseudo-terminal in `cwd`, types `lines` once `ready` is on screen, then Ctrl+D. */
async function onTerminal(args: string[], cwd: string, env: Record<string, string>, ready: string, lines: string[], done: string): Promise<string> {
  const command = [process.execPath, join(ROOT, "bin/rapport.mjs"), ...args].map((a) => `'${a}'`).join(" ");
  const child = spawn("script", ["-qec", command, "/dev/null"], { cwd, env: { ...process.env, LOG_LEVEL: "info", HOT_RELOAD: "false", FLOWS_DIR: join(ROOT, "flows"), LOCALES_DIR: join(ROOT, "locales"), ...env } });
  let screen = "";
  child.stdout.on("data", (d) => (screen += d));
  const waitFor = async (text: string) => {
    for (let i = 0; i < 600 && !screen.includes(text); i++) await new Promise((r) => setTimeout(r, 50));
    expect(screen, `waiting for ${JSON.stringify(text)}`).toContain(text);
  };
  await waitFor(ready);
  for (const line of lines) child.stdin.write(`${line}\r`);
  await waitFor(done);
  child.stdin.write("\x04");
  await new Promise((r) => child.on("close", r));
  return screen;
}

describe("terminal chat logs", () => {
  it("chatFileLogger appends JSON lines to the file, creating its folder", () => {
    const dir = mkdtempSync(join(tmpdir(), "rapport-log-"));
    const file = join(dir, "data", "rapport.log");
    const log = chatFileLogger("info", file);
    log.debug("not at info");
    log.info("flows loaded", { flows: 3 });
    log.warn("database busy or unreachable; retrying", { attempt: 1 });
    const lines = readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.level, l.msg])).toEqual([["info", "flows loaded"], ["warn", "database busy or unreachable; retrying"]]);
    expect(TERMINAL_CHAT_LOG).toBe("data/rapport.log");
  });

  it.skipIf(!hasScript)("rapport chat on a terminal keeps log lines out of the conversation and in data/rapport.log", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "rapport-tty-"));
    writeFileSync(join(cwd, "chat.db"), "");
    const screen = await onTerminal(["chat", "--user", "tty"], cwd, { DATABASE_URL: `file:${join(cwd, "chat.db")}` }, "you> ", ["/help"], "You can also just type your question.");
    expect(screen).toContain("Logs: data/rapport.log");
    expect(screen).toContain("Here is what I can do:");
    expect(screen).not.toContain('{"t":');
    const log = readFileSync(join(cwd, "data", "rapport.log"), "utf8");
    expect(log).toContain('"msg":"flows loaded"');
  }, 60_000);

  it.skipIf(!hasScript)("rapport start's terminal chat does the same", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "rapport-tty-"));
    const screen = await onTerminal(["start"], cwd, { PORT: "0", DATABASE_URL: "" }, "you> ", ["/help"], "You can also just type your question.");
    expect(screen).toContain("Logs go to data/rapport.log.");
    expect(screen).not.toContain('{"t":');
    const log = readFileSync(join(cwd, "data", "rapport.log"), "utf8");
    expect(log).toContain('"msg":"database migrated"');
    expect(log).toContain('"msg":"rapport ready"');
  }, 60_000);

  it("a piped chat still logs warnings to stderr and writes no log file", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "rapport-pipe-"));
    writeFileSync(join(cwd, "chat.db"), "");
    const r = spawnSync(process.execPath, [join(ROOT, "bin/rapport.mjs"), "chat", "--user", "p"], {
      cwd, input: "/help\n", encoding: "utf8",
      env: { ...process.env, LOG_LEVEL: "info", HOT_RELOAD: "false", DATABASE_URL: `file:${join(cwd, "chat.db")}`, FLOWS_DIR: join(ROOT, "flows"), LOCALES_DIR: join(ROOT, "locales") },
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Here is what I can do:");
    expect(r.stderr).toBe(""); // info lines are below a command's warn level
    expect(existsSync(join(cwd, "data"))).toBe(false);
  });
});
