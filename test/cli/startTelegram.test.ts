/**
 * `rapport start` with TELEGRAM_* settings, as an operator runs it: a real process against the Bot
 * API emulator, in polling and webhook mode, a bad token, and SIGTERM while serving.
 */
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { spawnCli } from "../helpers/cli";
import { FakeTelegram } from "../helpers/fakeTelegram";
import { ROOT } from "../helpers/testApp";

function freePort(): Promise<number> {
  return new Promise((resolve) => { const s = createServer().listen(0, "127.0.0.1", () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); }); });
}

const fakes: FakeTelegram[] = [];
afterEach(async () => { for (const f of fakes.splice(0)) await f.close(); });

/** Starts `rapport start` in a fresh folder (SQLite file there) against a fresh emulator. */
async function start(env: Record<string, string>) {
  const telegram = await FakeTelegram.start();
  fakes.push(telegram);
  const port = await freePort();
  const cwd = mkdtempSync(join(tmpdir(), "rapport-telegram-"));
  const child = spawnCli(["start"], {
    cwd,
    env: { PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "info", FLOWS_DIR: join(ROOT, "flows"), LOCALES_DIR: join(ROOT, "locales"), DATABASE_URL: "",
      TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegram.apiRoot, ...env },
  });
  let log = "";
  child.stderr.on("data", (d) => (log += d));
  const exited = new Promise<number | null>((r) => child.on("close", r));
  const lines = () => log.trim().split("\n").filter(Boolean).map((l) => { try { return JSON.parse(l); } catch { return { msg: l }; } });
  const ready = async () => {
    await telegram.waitFor(() => `"rapport ready" in the log:\n${log}`, () => lines().some((l) => l.msg === "rapport ready"), 30_000);
  };
  return { telegram, port, child, exited, lines, ready, log: () => log };
}

describe("rapport start with TELEGRAM_BOT_TOKEN", () => {
  it("serves the bot by long polling, keeps message text out of the info log, and stops cleanly on SIGTERM", async () => {
    const run = await start({});
    await run.ready();
    const sam = run.telegram.customer(5001, { first_name: "Samantha", language_code: "pl" });
    await sam.send("/start secret-payload");
    const texts = await sam.waitForMessages(3, 15_000);
    expect(texts[2]).toBe("Co chcesz zrobić?");
    expect(run.lines().find((l) => l.msg === "rapport ready")).toMatchObject({ channels: ["telegram (polling)"] });
    await sam.send("/refer"); // the referral link names the bot, as Telegram reported it
    const refer = await sam.waitForMessages(5, 15_000);
    expect(refer[3]).toMatch(/https:\/\/t\.me\/rapport_test_bot\?start=ref-[A-Z0-9]{6}/);
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    expect(run.lines().at(-1)?.msg).toBe("shutting down");
    const log = run.log();
    for (const secret of [run.telegram.token, "secret-payload", "Samantha", texts[0]!, "/refer"]) expect(log).not.toContain(secret);
  });

  it("with TELEGRAM_WEBHOOK_URL, registers the webhook (secret derived from the token) and serves it on PORT", async () => {
    const port = await freePort();
    const run = await start({ PORT: String(port), TELEGRAM_WEBHOOK_URL: `http://127.0.0.1:${port}/telegram/hook` });
    await run.ready();
    const [registration] = run.telegram.callsOf("setWebhook");
    expect(registration).toMatchObject({ url: `http://127.0.0.1:${port}/telegram/hook` });
    expect(registration!.secret_token).toMatch(/^[0-9a-f]{64}$/);
    expect(run.lines().find((l) => l.msg === "rapport ready")).toMatchObject({ channels: ["telegram (webhook)"] });
    const tom = run.telegram.customer(5002, { language_code: "vi" });
    await tom.send("/help");
    expect(tom.texts()).toHaveLength(1);
    expect(run.telegram.posts.at(-1)?.status).toBe(200);
    expect(await run.telegram.post({ update_id: 1 }, "wrong")).toBe(401);
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
  });

  it("a token Telegram rejects stops start with a message naming TELEGRAM_BOT_TOKEN", async () => {
    const run = await start({ TELEGRAM_BOT_TOKEN: "42:not-the-token" });
    expect(await run.exited).toBe(1);
    expect(run.log()).toContain("TELEGRAM_BOT_TOKEN: Telegram rejected the token (401 Unauthorized)");
    expect(run.log()).toContain("BotFather");
    expect(run.log()).not.toContain("not-the-token");
  });
});
