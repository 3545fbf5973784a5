import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli";
import { ROOT } from "../helpers/testApp";

describe("rapport flows lint", () => {
  it("passes the shipped flows (the default folder) with exit status 0", async () => {
    const r = await runCli(["flows", "lint"]);
    // Counted, not written down: each helper adding a flow changed the number (it said 20 after 24).
    expect(r.stdout).toBe(`${readdirSync(join(ROOT, "flows")).filter((f) => /\.ya?ml$/.test(f)).length} flow files OK\n`);
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
    const r = await runCli(["flows", "lint", join(dir, "promo.yaml")]); // checked against the served flows/
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    const file = join(dir, "promo.yaml");
    expect(lines).toContain(`${file}:2:5: duplicate trigger: /help already starts flow "help" (flows/help.yaml:3); remove it here or there`);
    expect(lines).toContain(`${file}:5:10: translation key "promo:hello" is missing in locales/en/promo.json, locales/ru/promo.json, locales/pl/promo.json, locales/vi/promo.json, locales/zh-CN/promo.json, locales/zh-TW/promo.json`);
    expect(lines).toContain(`${file}:6:11: the step at ${file}:6 goes to unknown step "nowhere" (use flow:<id> to start another flow)`);
    expect(lines).toContain(`${file}:7:5: step "orphan" can never run: no step goes to it and the step before it does not fall through`);
    expect(lines.some((l) => l.startsWith(`${file}:9:13: unknown action "loyalty.balanse"`) && l.includes("Registered actions: contact.link_web, contact.set, contact.set_locale, faq.answer"))).toBe(true);
    expect(lines.at(-1)).toBe("5 problems in 1 file (1 flow file checked)");
  });

  it("reports a locale file that is not JSON at its position and goes on with the rest", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rapport-lint-locales-"));
    cpSync(join(ROOT, "locales"), dir, { recursive: true });
    const file = join(dir, "ru", "welcome.json");
    writeFileSync(file, readFileSync(file, "utf8").replace(/",\n/, '"\n'));
    const r = await runCli(["flows", "lint"], { env: { LOCALES_DIR: dir } });
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines[0]).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:3:3: a comma is missing before this`));
    expect(lines.some((l) => l.includes('translation key "welcome:greeting" is missing in locales/ru/welcome.json'))).toBe(true);
  });

  it("names a missing path clearly", async () => {
    const r = await runCli(["flows", "lint", "no/such/folder"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no/such/folder: no such file or folder");
  });
});
