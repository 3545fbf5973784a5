/**
 * Issue 13's fault trial as a test: `rapport start` (a real process, polling the Bot API emulator)
 * is killed with SIGKILL after a reply was stored but before Telegram answered its send; after a
 * restart on the same database the customer gets the reply, exactly once.
 */
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { spawnCli } from "../helpers/cli";
import { dropDatabase, freshDatabaseUrl } from "../helpers/database";
import { FakeTelegram } from "../helpers/fakeTelegram";
import { ROOT } from "../helpers/testApp";

function freePort(): Promise<number> {
  return new Promise((resolve) => { const s = createServer().listen(0, "127.0.0.1", () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); }); });
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

describe("rapport start killed between storing a reply and sending it", () => {
  it("sends the stored reply once after a restart", async () => {
    const telegram = await FakeTelegram.start();
    cleanups.push(() => telegram.close());
    const url = await freshDatabaseUrl();
    cleanups.push(() => dropDatabase(url));
    const cwd = mkdtempSync(join(tmpdir(), "rapport-restart-"));
    const run = async () => {
      const child = spawnCli(["start"], {
        cwd,
        env: { PORT: String(await freePort()), HOST: "127.0.0.1", LOG_LEVEL: "info", FLOWS_DIR: join(ROOT, "flows"), LOCALES_DIR: join(ROOT, "locales"),
          DATABASE_URL: url, TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegram.apiRoot },
      });
      const exited = new Promise<void>((r) => child.on("close", () => r()));
      cleanups.push(async () => { child.kill("SIGKILL"); await exited; });
      return { child, exited };
    };

    telegram.hold("sendMessage"); // Telegram stalls: the reply is stored, its send never answered
    const first = await run();
    const kai = telegram.customer(6001, { language_code: "en" });
    await kai.send("/help");
    await telegram.waitFor("the reply's send", () => telegram.callsOf("sendMessage").some((c) => String(c.chat_id) === "6001"), 30_000);
    first.child.kill("SIGKILL");
    await first.exited;
    expect(kai.texts()).toEqual([]); // nothing reached the chat

    telegram.release("sendMessage");
    await run();
    const texts = await kai.waitForMessages(1, 30_000);
    expect(texts[0]).toMatch(/Here is what I can do/);
    await new Promise((r) => setTimeout(r, 3000)); // a redelivered update or a second poll must not send it again
    expect(kai.texts()).toHaveLength(1);
  }, 90_000);
});
