import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli";

describe("rapport flows test", () => {
  it("runs the shipped transcripts against a throwaway database", async () => {
    const r = await runCli(["flows", "test"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^ok {3}flows\/tests\/faq\.transcript:1 /m);
    expect(r.stdout).toMatch(/^50 passed, 0 failed$/m);
    expect(r.code).toBe(0);
  });

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
});
