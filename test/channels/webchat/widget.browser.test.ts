import { createServer, type Server } from "node:http";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SLACK_EVENTS_PATH } from "../../../src/channels/slack/SlackSupport";
import { axeViolations, browserAvailable, launchBrowser, screenshot } from "../../helpers/browser";
import { startConsoleApp, type ConsoleTestApp } from "../../helpers/consoleApp";
import { messageEvent, postToSlackApp } from "../../helpers/fakeSlack";

// The embeddable widget on a plain page of another origin (a shop's site), talking to the bot over
// HTTP and server-sent events, and a handoff from it reaching support in Slack (the fake).

describe.skipIf(!browserAvailable())("web chat widget on a plain page", () => {
  let t: ConsoleTestApp;
  let browser: Browser;
  let page: Page;
  let site: Server;
  let siteUrl: string;

  beforeAll(async () => {
    [t, browser] = await Promise.all([startConsoleApp({ slack: true }), launchBrowser()]);
    site = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A shop</title></head><body><main><h1>A shop</h1><p>Our products.</p></main>
<script src="${t.base}/webchat/widget.js" data-title="Chat with us" async></script></body></html>`);
    });
    await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
    const address = site.address();
    siteUrl = `http://localhost:${typeof address === "object" && address ? address.port : 0}/`; // another origin than 127.0.0.1
    page = await (await browser.newContext({ locale: "pl-PL" })).newPage();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    site?.close();
    await t?.close();
  });

  it("talks to the bot in the browser's language, with buttons", async () => {
    await page.goto(siteUrl);
    await page.getByRole("button", { name: "Chat with us" }).click();
    await page.locator("[data-rapport-chat][data-ready=true]").waitFor();
    await page.getByLabel("Twoja wiadomość").fill("/start");
    await page.keyboard.press("Enter");
    await page.locator(".rapport-choice").first().waitFor();
    const visitor = await page.locator("[data-rapport-chat]").getAttribute("data-visitor");
    const identity = await t.app.db.prisma.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "webchat", externalId: visitor! } } });
    const contact = await t.app.db.prisma.contact.findUniqueOrThrow({ where: { id: identity.contactId } });
    expect(contact.locale).toBe("pl");
    const pl = t.app.translator().t("pl", "welcome:menu.support");
    expect(await page.locator(".rapport-choice").allTextContents()).toContain(pl);
    await screenshot(page, "widget-welcome");
    expect(await axeViolations(page)).toEqual([]);
  });

  it("hands off to support: the question reaches Slack and the agent's reply reaches the widget", async () => {
    await page.getByLabel("Twoja wiadomość").fill("/support");
    await page.keyboard.press("Enter");
    const before = await page.locator(".rapport-bot").count();
    await page.waitForFunction((n) => document.querySelectorAll(".rapport-bot").length >= n, before);
    await page.getByLabel("Twoja wiadomość").fill("Where is my parcel 77?");
    await page.keyboard.press("Enter");
    await expect.poll(() => t.slack!.callsTo("chat.postMessage").filter((c) => c.channel === "CSUPPORT").length, { timeout: 10_000 }).toBeGreaterThan(0);
    const card = t.slack!.callsTo("chat.postMessage").find((c) => c.channel === "CSUPPORT")!;
    expect(JSON.stringify(card)).toContain("Where is my parcel 77?");
    const ticket = await t.app.db.prisma.ticket.findFirstOrThrow({ where: { channel: "webchat" } });
    // The card's ts, once posted (a placeholder marks it while the post is under way).
    await expect.poll(async () => (await t.app.db.prisma.ticket.findUniqueOrThrow({ where: { id: ticket.id } })).cardRef ?? "").toMatch(/^\d+\.\d+$/);
    const { cardRef } = await t.app.db.prisma.ticket.findUniqueOrThrow({ where: { id: ticket.id } });
    const res = await postToSlackApp(`${t.base}${SLACK_EVENTS_PATH}`, "test-signing-secret", { json: messageEvent({ channel: "CSUPPORT", user: "UANNA", text: "It left the warehouse today.", ts: "1800000000.000001", threadTs: cardRef! }) });
    expect(res.status).toBe(200);
    await page.getByText("It left the warehouse today.").waitFor({ timeout: 10_000 });
    await screenshot(page, "widget-handoff");
    // A reload shows the conversation from the history once; a reply sent meanwhile streams in once.
    const bot = await page.locator(".rapport-bot").count();
    await page.reload();
    await page.getByRole("button", { name: "Chat with us" }).click();
    await page.locator("[data-rapport-chat][data-ready=true]").waitFor();
    const again = await postToSlackApp(`${t.base}${SLACK_EVENTS_PATH}`, "test-signing-secret", { json: messageEvent({ channel: "CSUPPORT", user: "UANNA", text: "Tracking number: 123.", ts: "1800000000.000002", threadTs: cardRef! }) });
    expect(again.status).toBe(200);
    await page.getByText("Tracking number: 123.").waitFor({ timeout: 10_000 });
    expect(await page.getByText("It left the warehouse today.").count()).toBe(1);
    expect(await page.locator(".rapport-bot").count()).toBeLessThanOrEqual(bot + 1);
  });
});
