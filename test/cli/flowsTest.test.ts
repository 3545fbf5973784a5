import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli";
import { ROOT } from "../helpers/testApp";

describe("rapport flows test", () => {
  it("runs the shipped transcripts against a throwaway database", async () => {
    const r = await runCli(["flows", "test"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^ok {3}flows\/tests\/faq\.transcript:1 /m);
    // Every conversation of every shipped transcript ran (they are separated by "---" lines).
    const dir = join(ROOT, "flows", "tests");
    const conversations = readdirSync(dir).filter((f) => f.endsWith(".transcript"))
      .reduce((n, f) => n + 1 + (readFileSync(join(dir, f), "utf8").match(/^---$/gm) ?? []).length, 0);
    expect(conversations).toBeGreaterThan(40);
    expect(r.stdout).toMatch(new RegExp(`^${conversations} passed, 0 failed$`, "m"));
    expect(r.code).toBe(0);
  }, 120_000); // 60-odd conversations in one process: 10 s on a quiet machine, over 30 s on a loaded one

  it("reports where a transcript and the bot disagree", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rapport-transcript-"));
    const file = join(dir, "wrong.transcript");
    writeFileSync(file, "user: /help\nbot: I can fly\n");
    const r = await runCli(["flows", "test", file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}:2: expected "I can fly"`);
    expect(r.stderr).toContain('got      "Here is what I can do:');
    expect(r.stdout).toMatch(/^0 passed, 1 failed$/m);
  });

  it("--update re-records the bot's lines after a copy change, prints the diff and keeps the customer's lines", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rapport-update-"));
    cpSync(join(ROOT, "flows"), join(dir, "flows"), { recursive: true });
    cpSync(join(ROOT, "locales"), join(dir, "locales"), { recursive: true });
    const en = join(dir, "locales", "en", "welcome.json");
    writeFileSync(en, readFileSync(en, "utf8").replace(/"greeting": "[^"]*"/, '"greeting": "Hi there! Nice to see you."'));
    const file = join(dir, "t.transcript");
    const before = [
      "# the greeting changed",
      "user: /start",
      "bot: Hello! I'm your assistant. I can answer questions, and more is coming soon.",
      "bot: As a welcome gift you get 50 points.",
      "bot: @welcome:menu.prompt*",
      "user: [@welcome:menu.help]",
      "bot: Here is what I can do:*",
      "",
    ];
    writeFileSync(file, before.join("\n"));
    const env = { FLOWS_DIR: join(dir, "flows"), LOCALES_DIR: join(dir, "locales") };
    expect((await runCli(["flows", "test", file], { env })).code).toBe(1);
    const r = await runCli(["flows", "test", "--update", file], { env });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`     3 - bot: Hello! I'm your assistant. I can answer questions, and more is coming soon.\n     3 + bot: Hi there! Nice to see you.\n`);
    expect(r.stdout).toMatch(/1 conversations replayed; in 1 file, 1 bot line replaced or removed, 1 written/);
    expect(readFileSync(file, "utf8").split("\n")).toEqual([...before.slice(0, 2), "bot: Hi there! Nice to see you.", ...before.slice(3)]);
    const again = await runCli(["flows", "test", file], { env });
    expect(again.stdout).toMatch(/^1 passed, 0 failed$/m);
  }, 90_000); // three runs of the CLI, each with its own throwaway database
});
