/**
 * `rapport contacts export|erase` and `rapport audit` as an operator uses them: erase without --yes
 * prints the plan and changes nothing; with --yes it prints the pseudonym and the Slack messages left
 * to remove by hand (exit 1 then); export writes a private file. One run through bin/rapport checks
 * the wiring and the usage errors.
 */
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runContactsErase } from "../../src/cli/contactsErase";
import { runContactsExport } from "../../src/cli/contactsExport";
import { newId } from "../../src/core/ids";
import { runCli } from "../helpers/cli";
import { openDatabase } from "../../src/db/Database";
import { migrate } from "../../src/db/migrate";
import { dropDatabase, freshDatabaseUrl, testDialect } from "../helpers/database";
import { useTestApps } from "../helpers/testApp";

const startApp = useTestApps();

function sink() {
  let text = "";
  return { out: { write: (s: string) => { text += s; return true; } } as unknown as NodeJS.WritableStream, text: () => text };
}

describe(`rapport contacts export|erase (${testDialect})`, () => {
  it("says what erasing would do without --yes, then erases with it and lists what is left in Slack", async () => {
    const t = await startApp();
    await t.say("ann", "/start");
    await t.say("ann", "where is my order?");
    const p = t.app.db.prisma;
    const ann = (await p.channelIdentity.findFirstOrThrow({ where: { externalId: "ann" } })).contactId;
    const ticket = await p.ticket.create({ data: { id: newId(), contactId: ann, status: "resolved", reason: "command", question: "q", idempotencyKey: "k", staffChannel: "CSUP", cardRef: "1.2" } });
    void ticket;
    const dry = sink();
    expect(await runContactsErase(t.app.rights, "test:ann", false, "operator:dpo", dry.out)).toBe(0);
    expect(dry.text()).toMatch(/Erasing contact \S+ will, in one transaction:/);
    expect(dry.text()).toMatch(/identities\s+1\s+deleted/);
    expect(dry.text()).toMatch(/history\s+\d+\s+kept for accounting, without text or identifiers/);
    expect(dry.text()).toContain("Then delete 1 Slack message(s)");
    expect(dry.text()).toContain("Nothing was changed. To erase, run again with --yes");
    expect(await p.contact.count({ where: { id: ann } })).toBe(1);

    const done = sink();
    expect(await runContactsErase(t.app.rights, "test:ann", true, "operator:dpo", done.out)).toBe(1);
    expect(done.text()).toMatch(/^erased: \d+ rows; what accounting needs is kept under the pseudonymous contact \S+\n/);
    expect(done.text()).toContain("Still in Slack (1); remove by hand:\n  CSUP 1.2: Slack is not configured in this process (SLACK_BOT_TOKEN)");
    expect(await p.contact.count({ where: { id: ann } })).toBe(0);
  });

  it("exports into a file only its owner can read", async () => {
    const t = await startApp();
    await t.say("ann", "/start");
    const file = join(mkdtempSync(join(tmpdir(), "rapport-export-")), "ann.json");
    const out = sink();
    expect(await runContactsExport(t.app.rights, "test:ann", file, "operator:dpo", out.out)).toBe(0);
    expect(out.text()).toMatch(/^exported contact \S+: \d+ rows in .*ann\.json\n$/);
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({ schemaVersion: 1, identities: [{ channel: "test", externalId: "ann" }] });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("is wired into the CLI: usage errors, an unknown contact, audit --json", async () => {
    const url = await freshDatabaseUrl();
    const db = await openDatabase(url); // commands other than start refuse a database that does not exist
    await migrate(db);
    await db.close();
    try {
      const env = { DATABASE_URL: url };
      const usage = await runCli(["contacts", "erase"], { env });
      expect([usage.code, usage.stderr]).toEqual([2, "rapport: missing required argument 'contact'\n  see: rapport contacts erase --help\n"]);
      const unknown = await runCli(["contacts", "export", "telegram:42"], { env });
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('no contact matches "telegram:42"');
      const audit = await runCli(["audit", "--json"], { env });
      expect([audit.code, JSON.parse(audit.stdout)]).toEqual([0, { entries: [] }]);
    } finally {
      await dropDatabase(url);
    }
  }, 120_000); // three CLI processes, each migrating the database
});
