import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli";

describe("rapport flows lint", () => {
  it("passes the shipped flows (the default folder) with exit status 0", async () => {
    const r = await runCli(["flows", "lint"]);
    expect(r.stdout).toBe("20 flow files OK\n");
    expect(r.code).toBe(0);
  });

  it("prints each problem as file:line:col: message and exits non-zero", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rapport-lint-"));
    writeFileSync(join(dir, "promo.yaml"), [
      "triggers:",
      "  - command: help",               // duplicate of flows/help.yaml when linted together
      "steps:",
      "  - id: hello",
      "    say: promo:hello",            // missing in every locale
      "  - goto: nowhere",
      "  - id: orphan",
      "    say: welcome:greeting",
      "  - action: loyalty.balanse",
      "",
    ].join("\n"));
    const r = await runCli(["flows", "lint", "flows", join(dir, "promo.yaml")]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    const file = join(dir, "promo.yaml");
    expect(lines).toContain(`${file}:2:5: duplicate trigger: /help already starts flow "help" (flows/help.yaml:3)`);
    expect(lines).toContain(`${file}:4:5: translation key "promo:hello" is missing in locales/en/promo.json, locales/ru/promo.json, locales/pl/promo.json, locales/vi/promo.json, locales/zh-CN/promo.json, locales/zh-TW/promo.json`);
    expect(lines).toContain(`${file}:6:5: step "#2" goes to unknown step "nowhere" (use flow:<id> to start another flow)`);
    expect(lines).toContain(`${file}:7:5: step "orphan" can never run: no step goes to it and the step before it does not fall through`);
    expect(lines.some((l) => l.startsWith(`${file}:9:5: unknown action "loyalty.balanse"`) && l.includes("Registered actions: contact.set_locale, faq.answer"))).toBe(true);
    expect(lines.at(-1)).toBe("6 problems in 1 of 21 flow files");
  });

  it("names a missing path clearly", async () => {
    const r = await runCli(["flows", "lint", "no/such/folder"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no/such/folder: no such file or folder");
  });
});
