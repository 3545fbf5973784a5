/**
 * `rapport start` with SLACK_* settings, as an operator runs it: a real process with Telegram on the
 * Bot API emulator and Slack on the fake Web API, a handoff through HTTP mode on PORT, and start-up
 * refusals that name the setting to fix.
 */
import { mkdtempSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { spawnCli } from "../helpers/cli";
import { FakeSlack, messageEvent, postToSlackApp } from "../helpers/fakeSlack";
import { FakeTelegram } from "../helpers/fakeTelegram";
import { ROOT } from "../helpers/testApp";

function freePort(): Promise<number> {
  return new Promise((resolve) => { const s = createServer().listen(0, "127.0.0.1", () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); }); });
}

const SECRET = "slack-signing-secret-for-start";
const closers: (() => Promise<void>)[] = [];
afterEach(async () => { for (const c of closers.splice(0)) await c(); });

async function start(env: Record<string, string> = {}) {
  const telegram = await FakeTelegram.start();
  const slack = await FakeSlack.start({ members: { CHELP: ["UANNA", "UBOT"] } });
  closers.push(() => telegram.close(), () => slack.close());
  const port = await freePort();
  const cwd = mkdtempSync(join(tmpdir(), "rapport-slack-"));
  const child = spawnCli(["start"], {
    cwd,
    env: { PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "info", FLOWS_DIR: join(ROOT, "flows"), LOCALES_DIR: join(ROOT, "locales"), DATABASE_URL: "",
      TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegram.apiRoot,
      SLACK_BOT_TOKEN: slack.token, SLACK_SUPPORT_CHANNEL: "CHELP", SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: slack.apiUrl, ...env },
  });
  closers.unshift(async () => { if (child.exitCode === null) child.kill("SIGKILL"); });
  let log = "";
  child.stderr.on("data", (d) => (log += d));
  const exited = new Promise<number | null>((r) => child.on("close", r));
  const lines = () => log.trim().split("\n").filter(Boolean).map((l) => { try { return JSON.parse(l); } catch { return { msg: l }; } });
  const ready = () => telegram.waitFor(() => `"rapport ready" in the log:\n${log}`, () => lines().some((l) => l.msg === "rapport ready"), 30_000);
  return { telegram, slack, port, child, exited, lines, ready, log: () => log };
}

describe("rapport start with SLACK_BOT_TOKEN", () => {
  it("hands a Telegram chat to Slack over HTTP mode on PORT, keeps texts and secrets out of the log, stops on SIGTERM", async () => {
    const run = await start();
    await run.ready();
    expect(run.lines().find((l) => l.msg === "rapport ready")).toMatchObject({ channels: ["telegram (polling)", "slack (http)", "webchat"] });
    const kim = run.telegram.customer(6001, { first_name: "Kimberly", language_code: "en" });
    await kim.send("operator");
    await kim.waitForMessages(1, 15_000);
    await kim.send("My voucher code is rejected");
    await kim.waitForMessages(2, 15_000);
    const card = await run.slack.waitFor(() => run.slack.calls.find((c) => c.method === "chat.postMessage" && c.result?.ok && !c.args.thread_ts), 15_000);
    expect(JSON.stringify(card.args.blocks)).toContain("My voucher code is rejected");
    const threadTs = card.result!.ts as string;
    const reply = messageEvent({ channel: "CHELP", user: "UANNA", text: "Fixed it, try again please", ts: "1800000000.000001", threadTs });
    expect((await postToSlackApp(`http://127.0.0.1:${run.port}/slack/events`, SECRET, { json: reply })).status).toBe(200);
    expect((await kim.waitForMessages(3, 15_000))[2]).toBe("Fixed it, try again please");
    expect((await postToSlackApp(`http://127.0.0.1:${run.port}/slack/events`, "wrong-secret", { json: reply })).status).toBe(401);
    // A client sending its body to /slack/events a byte at a time must not hold the stop (issue #13: over 5 minutes).
    const slow = connect(run.port, "127.0.0.1");
    slow.on("error", () => undefined);
    await new Promise((r) => slow.once("connect", r));
    slow.write("POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n{");
    const trickle = setInterval(() => (slow.destroyed ? clearInterval(trickle) : slow.write(" ")), 200);
    await new Promise((r) => setTimeout(r, 500));
    const signalled = Date.now();
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(10_000); // SHUTDOWN_TIMEOUT_SECONDS' default
    clearInterval(trickle);
    slow.destroy();
    const log = run.log();
    for (const secret of [run.slack.token, SECRET, "Kimberly", "My voucher code is rejected", "Fixed it"]) expect(log).not.toContain(secret);
  });

  it("a token Slack rejects stops start with a message naming SLACK_BOT_TOKEN", async () => {
    const run = await start({ SLACK_BOT_TOKEN: "xoxb-not-the-token" });
    expect(await run.exited).toBe(1);
    expect(run.log()).toContain("rapport: SLACK_BOT_TOKEN: Slack rejected the token (invalid_auth)");
    expect(run.log()).not.toContain("xoxb-not-the-token");
  });

  it("a support channel Slack cannot see stops start with a message naming SLACK_SUPPORT_CHANNEL", async () => {
    const run = await start({ SLACK_SUPPORT_CHANNEL: "CNOPE" });
    expect(await run.exited).toBe(1);
    expect(run.log()).toContain("rapport: SLACK_SUPPORT_CHANNEL: Slack cannot see channel CNOPE (channel_not_found)");
    expect(run.log()).toContain("/invite @Rapport");
  });
});
