import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCampaignsLint } from "../../src/cli/campaignsLint";
import { runCli } from "../helpers/cli";
import { ROOT } from "../helpers/testApp";

// `rapport campaigns lint` is a file check, like `flows lint`: it needs no database (issue 15).

function sink() {
  let text = "";
  return { stream: { write: (s: string) => { text += s; return true; } } as unknown as NodeJS.WritableStream, text: () => text };
}

describe("rapport campaigns lint", () => {
  it("passes the shipped campaign files with no database to be found", async () => {
    const r = await runCli(["campaigns", "lint"], { env: { DATABASE_URL: "postgresql://nobody@127.0.0.1:9/no_such_database" } });
    const files = readdirSync(join(ROOT, "flows", "campaigns")).filter((f) => /\.ya?ml$/.test(f)).length;
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(`${files} campaign file${files === 1 ? "" : "s"} OK\n`);
    expect(r.code).toBe(0);
  });

  it("prints each problem as file:line:col and returns 1; flows are read from the folder", () => {
    const dir = mkdtempSync(join(tmpdir(), "rapport-campaigns-lint-"));
    writeFileSync(join(dir, "rewards.yaml"), "triggers:\n  - command: rewards\nsteps:\n  - id: hi\n    say: campaigns:winback.button\n");
    mkdirSync(join(dir, "campaigns"));
    writeFileSync(join(dir, "campaigns", "spring.yaml"), "audience: { segment: at_risk }\nmessage:\n  text: campaigns:winback.text\n  buttons: [{ label: campaigns:winback.button, flow: rewardz }]\n");
    const out = sink();
    const err = sink();
    expect(runCampaignsLint({ flowsDir: dir, localesDir: join(ROOT, "locales") }, out.stream, err.stream)).toBe(1);
    expect(err.text()).toMatch(/campaigns\/spring\.yaml:4:\d+: there is no flow "rewardz"; did you mean "rewards"\?/);
    expect(err.text()).toMatch(/1 problem in 1 of 1 campaign files\n$/);
    expect(out.text()).toBe("");
  });
});
