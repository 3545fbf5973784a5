import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { describe, expect, it, afterAll } from "vitest";
import type { App } from "../../src/app/createApp";
import { MessagesNotStoredError, runChat } from "../../src/cli/chat";
import { DatabaseUnavailableError } from "../../src/core/errors";
import { newId } from "../../src/core/ids";
import { openDatabase } from "../../src/db/Database";
import { runCli, spawnCli } from "../helpers/cli";
import { dropDatabase, freshDatabaseUrl, testDialect } from "../helpers/database";

const urls: string[] = [];
afterAll(async () => { for (const u of urls) await dropDatabase(u); });
async function db() { const u = await freshDatabaseUrl(); urls.push(u); return { DATABASE_URL: u }; }

describe("rapport chat (stdin not a TTY)", () => {
  it("reads one message per line, prints the replies with numbered buttons, and exits at end of input", async () => {
    const env = await db();
    const r = await runCli(["chat", "--user", "alice"], { input: "/start\n1\nwhen will my parcel arrive?\n", env });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe([
      "> /start",
      "Hello! I'm the shop's assistant. I answer questions about delivery, payment and returns, show your points and rewards, and put you in touch with our team when you'd like a person. Type a question any time, or pick from the menu below.",
      "As a welcome gift you get 50 points.",
      "What would you like to do?",
      "  1) Ask a question",
      "  2) My points",
      "  3) Invite friends",
      "  4) Ideas",
      "  5) Change language",
      "  6) What can you do?",
      "> 1",
      "What is your question? Type it in your own words.",
      "> when will my parcel arrive?",
      "Orders are shipped within 1 business day. Delivery takes 2-5 business days depending on your region; you'll get a tracking link by email as soon as your parcel leaves our warehouse.",
      "Did that answer your question?",
      "  1) Yes, thanks",
      "  2) No",
      "",
    ].join("\n"));
  });

  it("stops quietly when its reader goes away (`rapport chat | head`), keeping what was stored", async () => {
    const env = await db();
    const child = spawnCli(["chat", "--user", "pipe"], { env });
    let out = "";
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    child.stdout.on("data", (d) => (out += d));
    child.stdin.write("/start\n");
    for (let i = 0; i < 600 && !out.includes("Hello!"); i++) await new Promise((r) => setTimeout(r, 50));
    child.stdout.destroy(); // what `head -1` does once it has its line
    child.stdin.write("/balance\n");
    const code = await new Promise((r) => child.on("close", r));
    expect(err).not.toMatch(/EPIPE|unexpected error/);
    expect(code).toBe(0);
    const again = await runCli(["chat", "--user", "pipe"], { input: "/balance\n", env });
    expect(again.stdout).toMatch(/50 points/); // the welcome bonus /start gave is still there
  });

  it("prints an answer queued behind a message a killed chat still holds, before leaving at end of input", async () => {
    const env = await db();
    expect((await runCli(["chat", "--user", "held"], { input: "/start\n", env })).code).toBe(0);
    // What a chat killed mid-send leaves: a message to this customer, pending and leased by a dead process.
    const database = await openDatabase(env.DATABASE_URL);
    try {
      // (the chat's own replies are deleted once sent: the row is made from the last one in the history)
      const identity = await database.prisma.channelIdentity.findFirstOrThrow({ where: { externalId: "held" } });
      const said = await database.prisma.interaction.findFirstOrThrow({ where: { contactId: identity.contactId, direction: "out" }, orderBy: { id: "desc" } });
      await database.prisma.outboxMessage.create({ data: {
        id: newId(), contactId: identity.contactId, channel: identity.channel, chatId: "held", userId: identity.externalId, payload: JSON.stringify({ text: said.text }),
        interactionId: said.id, status: "pending", leaseOwner: "killed", leaseUntil: new Date(Date.now() + 2_000), nextAttemptAt: new Date(), createdAt: new Date(),
      } }); // ids sort by time: this one goes before the next answer
    } finally {
      await database.close();
    }
    const r = await runCli(["chat", "--user", "held"], { input: "/balance\n", env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/50 points/); // the /balance answer, sent once the dead process's lease ran out
  });

  // In the SQLite run (the PostgreSQL one may be on another Node.js than better-sqlite3 was built for).
  it.runIf(testDialect === "sqlite")("creates a missing SQLite database, as start does: it is how a newcomer first tries the bot", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "rapport-chat-")), "new", "rapport.db");
    const r = await runCli(["chat", "--user", "newcomer"], { input: "/start\n", env: { DATABASE_URL: `file:${file}` } });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^> \/start\nHello!/);
    expect(existsSync(file)).toBe(true);
  });

  it("--user continues a conversation later; --locale picks the language", async () => {
    const env = await db();
    await runCli(["chat", "--user", "bob", "--locale", "pl"], { input: "/start\n", env });
    const later = await runCli(["chat", "--user", "bob", "--locale", "pl"], { input: "2\n", env });
    // typed "2" with no buttons on screen in this session: it is text, so the menu is asked again, in Polish
    expect(later.stdout).toContain("> 2\nWybierz jeden z przycisków poniżej. Zostały Ci jeszcze 2 próby.\nCo chcesz zrobić?\n  1) Zadaj pytanie");
    const other = await runCli(["chat", "--user", "bob", "--locale", "zh-TW"], { input: "/help\n", env });
    expect(other.stdout).toContain("/language");
    expect(other.stdout).toMatch(/[\u4e00-\u9fff]/);
    const bad = await runCli(["chat", "--locale", "klingon"], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('rapport: --locale "klingon" is not supported; use one of en, ru, pl, vi, zh-CN, zh-TW\n');
  }, 60_000); // four `rapport` processes one after another: slow on a busy machine

  it("continues at the same step with the same variables after the process is killed (SIGKILL)", async () => {
    const env = await db();
    const child = spawnCli(["chat", "--user", "kill"], { env });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    const waitFor = async (text: string) => { for (let i = 0; i < 600 && !out.includes(text); i++) await new Promise((r) => setTimeout(r, 50)); expect(out).toContain(text); };
    child.stdin.write("/language\n");
    await waitFor("6) 繁體中文");
    child.stdin.write("2\n"); // Русский: stored on the contact, then the flow ends
    await waitFor("Готово!");
    child.stdin.write("/faq\n");
    await waitFor("Какой у вас вопрос?");
    child.kill("SIGKILL");
    await new Promise((r) => child.on("close", r));
    const again = await runCli(["chat", "--user", "kill"], { input: "Как вернуть товар?\n", env });
    expect(again.stdout).toContain("Любой товар можно вернуть в течение 30 дней"); // answered as the open FAQ question, in Russian
    const history = await runCli(["contacts", "history", "terminal:kill", "--json"], { env });
    const entries = JSON.parse(history.stdout).entries as { direction: string; text: string }[];
    expect(entries.filter((e) => e.direction === "in").map((e) => e.text)).toEqual(["/language", "Русский", "/faq", "Как вернуть товар?"]);
  }, 120_000); // three `rapport` processes one after another, each waited for up to 30 s: slow on a busy machine
});

describe("rapport chat while the database is away (issue 13)", () => {
  it("says each message is kept, sends kept ones before newer ones, and fails naming what was never stored", async () => {
    let calls = 0;
    let failFirst = 2; // hello, then hello again before anyone?; the try at end of input finds the database back
    const stored: string[] = [];
    const app = {
      engine: {
        attach: () => undefined,
        deliver: async (e: { body: { text?: string; command?: string } }, receipt?: { stored(): void }) => {
          if (++calls <= failFirst) throw new DatabaseUnavailableError(12, new Error("connect ECONNREFUSED"));
          stored.push(e.body.text ?? `/${e.body.command}`);
          receipt?.stored();
        },
      },
      flowProblems: () => [],
    } as unknown as App;
    let printed = "";
    const output = new Writable({ write(chunk, _enc, done) { printed += String(chunk); done(); } });
    await runChat(app, { user: "kept", input: Readable.from(["hello\nanyone?\n"]) as never, output: output as never });
    expect(printed).toBe([
      "> hello",
      "! not stored yet: the database is unavailable. Your message is kept and sent again with your next message, or press Enter to try now.",
      "> anyone?",
      "! not stored yet: the database is unavailable. 2 messages are kept and sent again with your next message, or press Enter to try now.",
      "",
    ].join("\n"));
    expect(stored).toEqual(["hello", "anyone?"]); // the last try at end of input

    failFirst = Infinity;
    const failed = await runChat(app, { user: "kept", input: Readable.from(["still there?\n"]) as never, output: output as never }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(MessagesNotStoredError);
    expect((failed as Error).message).toBe("1 message was not stored and not answered: the database is unavailable. Type it again when it is back.");
  });
});
