import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeViolations, browserAvailable, launchBrowser, screenshot, type AxeViolation } from "../helpers/browser";
import { CONSOLE_USERS, startConsoleApp, type ConsoleTestApp } from "../helpers/consoleApp";
import { loadCampaignFile } from "../../src/campaigns/loadCampaignFile";
import { newId } from "../../src/core/ids";
import { setConsent } from "../../src/marketing/consent";

// The console in a real browser (Debian's chromium through playwright-core): one browser and one app
// for the whole file, pages visited in order as a person would, each screenshotted into
// test/artifacts/ and checked with axe-core.

const BROKEN = `description: A flow with a mistake, for the lint test.
triggers:
  - command: broken_demo
steps:
  - id: hello
    say: welcome:greeting
  - goto: nowhere
`;

describe.skipIf(!browserAvailable())("console in a browser", () => {
  let t: ConsoleTestApp;
  let browser: Browser;
  let page: Page;
  const a11y: Record<string, AxeViolation[]> = {};
  const sent: string[] = []; // what the test channel delivered to the customer
  const visit = async (name: string) => {
    await screenshot(page, `console-${name}`);
    a11y[name] = await axeViolations(page);
  };

  beforeAll(async () => {
    [t, browser] = await Promise.all([startConsoleApp({ extraFlows: { "zz-broken.yaml": BROKEN } }), launchBrowser()]);
    page = await (await browser.newContext({ acceptDownloads: true })).newPage();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it("asks for a sign-in, refuses a wrong password, then signs in", async () => {
    await page.goto(`${t.base}/console/contacts`);
    expect(new URL(page.url()).pathname).toBe("/console/sign-in");
    await visit("sign-in");
    const { name, password } = CONSOLE_USERS.admin;
    await page.getByLabel("User name").fill(name);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    expect(await page.locator("#sign-in-problem").textContent()).toBe("Wrong user name or password.");
    await page.getByLabel("User name").fill(name);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/console\/contacts$/);
    const cookie = (await page.context().cookies()).find((c) => c.name === "rapport_console")!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/console" });
    const audit = await t.app.db.prisma.auditEntry.findMany({ where: { action: { startsWith: "console.sign_in" } }, orderBy: { at: "asc" } });
    expect(audit.map((a) => [a.actor, a.action])).toEqual([["anonymous", "console.sign_in_failed"], ["console:ada", "console.sign_in"]]);
  });

  it("draws a flow with a node per step and an edge per goto and branch; a click shows the step's YAML and texts", async () => {
    await page.goto(`${t.base}/console/flows?flow=welcome`);
    const flow = t.app.catalog.current("welcome")!;
    expect(await page.locator("svg .node[data-step]").count()).toBe(flow.steps.length); // greet, register, branch, gift
    // The branch: one arm to the gift step, `else` to flow:menu; the gift step's `next: flow:menu`.
    expect(await page.locator('svg .edge[data-kind="branch"]').count()).toBe(1);
    expect(await page.locator('svg .edge[data-kind="flow"][data-to="flow:menu"]').count()).toBe(2);
    expect(await page.locator("svg .node-trigger").count()).toBe(flow.triggers.length);
    // By keyboard: steps are focusable (tabindex 0); Enter on one shows it.
    await page.locator('svg .node[data-step="gift"]').focus();
    await page.keyboard.press("Enter");
    await page.locator('[data-step-detail="gift"]').waitFor({ state: "visible" });
    await page.locator('svg .node[data-step="greet"]').click();
    const detail = page.locator('[data-step-detail="greet"]');
    await detail.waitFor({ state: "visible" });
    expect(await page.locator('[data-step-detail="gift"]').isHidden()).toBe(true);
    expect(await detail.locator("pre.yaml").textContent()).toContain("say: welcome:greeting");
    const ru = JSON.parse(readFileSync("locales/ru/welcome.json", "utf8")) as { greeting: string };
    expect(await detail.locator('td[lang="ru"]').first().textContent()).toBe(ru.greeting);
    await visit("flows");
  });

  it("shows a lint problem at its file:line:col", async () => {
    await page.goto(`${t.base}/console/flows?flow=zz-broken`);
    const problems = await page.locator("ul.problems li").allTextContents();
    expect(problems.some((p) => /zz-broken\.yaml:7:\d+ .*unknown step "nowhere"/.test(p))).toBe(true);
    expect(await page.locator("a", { hasText: "zz-broken" }).locator("xpath=..").textContent()).toContain("problem");
  });

  it("redraws the flows page when a flow file is saved (hot reload)", async () => {
    await page.goto(`${t.base}/console/flows?flow=welcome`);
    writeFileSync(join(t.flowsDir, "zz-new.yaml"), "description: Added while the page was open.\ntriggers:\n  - command: zz_new\nsteps:\n  - say: welcome:greeting\n");
    await page.locator(".file-list a", { hasText: "zz-new" }).waitFor({ timeout: 10_000 });
  });

  it("plays a conversation in the playground: the welcome, then a button", async () => {
    await page.goto(`${t.base}/console/playground`);
    await page.locator("[data-rapport-chat][data-ready=true]").waitFor();
    await page.getByLabel("Your message").fill("/start");
    await page.getByRole("button", { name: "Send" }).click();
    const choices = page.locator(".rapport-choice");
    await choices.first().waitFor();
    const en = JSON.parse(readFileSync("locales/en/welcome.json", "utf8")) as { greeting: string };
    expect(await page.locator(".rapport-bot p").first().textContent()).toBe(en.greeting);
    const count = await page.locator(".rapport-bot").count();
    const label = await choices.first().textContent();
    await choices.first().click();
    await page.waitForFunction((n) => document.querySelectorAll(".rapport-bot").length > n, count);
    expect(await page.locator(".rapport-me p").last().textContent()).toBe(label);
    await page.waitForFunction((l) => document.querySelector("#pg-history tbody")?.textContent?.includes(`in choice${l}`), label);
    expect(await page.locator("#pg-position").textContent()).toMatch(/^In flow faq@1/);
    await visit("playground");
  });

  it("finds a contact, shows the timeline and exports the data", async () => {
    const channel = { name: "test", async start() {}, async stop() {}, async send(_to: unknown, m: { text: string }) { sent.push(m.text); return {}; } };
    t.app.engine.attach(channel);
    await t.app.engine.deliver({ channel: "test", sender: { externalUserId: "4242", displayName: "Alice Tester" }, externalChatId: "4242", receivedAt: new Date(), body: { kind: "command", command: "start" } });
    await page.goto(`${t.base}/console/contacts`);
    await page.getByLabel(/Name, username/).fill("Alice");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByRole("link", { name: "Alice Tester" }).click();
    const rows = page.locator("#timeline tbody tr");
    expect(await rows.count()).toBeGreaterThan(1);
    expect(await page.locator("#timeline").textContent()).toContain("/start");
    await visit("contact");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export (JSON)" }).click()]);
    const doc = JSON.parse(readFileSync(await download.path(), "utf8")) as { contact: { displayName: string }; history: unknown[] };
    expect(doc.contact.displayName).toBe("Alice Tester");
    expect(doc.history.length).toBe(await rows.count());
    const audit = await t.app.db.prisma.auditEntry.findFirst({ where: { action: "contact.export" } });
    expect(audit?.actor).toBe("console:ada");
  });

  it("shows campaigns: a campaign file's diagram, a contact's consent and deliveries, the results chart", async () => {
    await page.goto(`${t.base}/console/flows?campaign=winback`);
    expect(await page.locator('.diagram[data-campaign="winback"] svg .node').count()).toBe(4); // when, audience, message, flow rewards
    expect(await page.locator('svg .edge[data-kind="flow"][data-to="flow:rewards"]').count()).toBe(1);
    await visit("campaign-file");
    const alice = await t.app.db.prisma.contact.findFirstOrThrow({ where: { displayName: "Alice Tester" } });
    await setConsent(t.app.db, alice.id, "granted", "chat");
    const yaml = `audience: { contacts: [${alice.id}] }\nmessage: { text: campaigns:winback.text, count: contact.points, buttons: [{ label: campaigns:winback.button, flow: rewards }] }\n`;
    await t.app.campaigns.store.send(loadCampaignFile("flows/campaigns/spring.yaml", yaml).campaign!, "operator:test");
    expect(await t.app.campaigns.runner.round()).toBe(1);
    await t.app.engine.outbox.drain();
    expect(sent.at(-1)).toContain("miss you");
    await page.goto(`${t.base}/console/contacts/${alice.id}`);
    expect(await page.locator("#c-consent").textContent()).toBe("agreed (yes)");
    expect(await page.locator("#consent-changes tbody tr").first().textContent()).toContain("the customer, in chat");
    expect(await page.locator('#campaign-deliveries tr[data-campaign="spring"] td').nth(2).textContent()).toBe("sent");
    await visit("contact-campaigns");
    await page.goto(`${t.base}/console/reports`);
    expect(await page.locator('rect.part[data-bar="spring"][data-part="Sent"]').getAttribute("data-value")).toBe("1");
    expect(await page.locator('#campaign-results tr[data-campaign="spring"] [data-m="sent"]').textContent()).toBe("1");
    await visit("reports-campaigns");
  });

  it("charts the report for the chosen period", async () => {
    const contact = await t.app.db.prisma.contact.findFirstOrThrow({ where: { displayName: "Alice Tester" } }); // not the playground's test customer: reports leave those out
    const at = new Date("2026-03-10T12:00:00Z");
    for (const score of [10, 9, 9, 7, 3]) {
      await t.app.db.prisma.surveyResponse.create({ data: { id: newId(), contactId: contact.id, survey: "nps", score, idempotencyKey: newId(), createdAt: at } });
    }
    await page.goto(`${t.base}/console/reports?from=2026-03-01&to=2026-03-31`);
    expect(await page.locator('rect.bar[data-label="Promoters (9-10)"]').getAttribute("data-value")).toBe("3");
    expect(await page.locator('rect.bar[data-label="Detractors (0-6)"]').getAttribute("data-value")).toBe("1");
    expect(await page.locator("#nps-score").textContent()).toBe("40");
    await visit("reports");
    const csv = await page.evaluate(async () => (await fetch(document.querySelector<HTMLAnchorElement>('a[href^="/console/reports.csv"]')!.href)).text());
    expect(csv).toContain("nps,promoters,,3");
  });

  it("works the support queue: claim and reply reach the customer like a Slack reply", async () => {
    const contact = await t.app.db.prisma.contact.findFirstOrThrow({ where: { displayName: "Alice Tester" } });
    const { ticketId } = await t.app.support.open({ contactId: contact.id, question: "Where is my order 5?", reason: "command", key: "console-test-ticket" });
    await page.goto(`${t.base}/console/tickets`);
    const card = page.locator(`#t-${ticketId}`);
    expect(await card.textContent()).toContain("Where is my order 5?");
    await card.getByRole("button", { name: "Claim" }).click();
    await page.waitForURL(/done=claim/);
    await visit("tickets");
    await page.locator(`#t-${ticketId}`).getByLabel("Reply to the customer").fill("It ships tomorrow.");
    await page.locator(`#t-${ticketId}`).getByRole("button", { name: "Send reply" }).click();
    await page.waitForURL(/done=reply/);
    await expect.poll(() => sent.includes("It ships tomorrow."), { timeout: 10_000 }).toBe(true);
    const ticket = await t.app.db.prisma.ticket.findUniqueOrThrow({ where: { id: ticketId } });
    expect(ticket).toMatchObject({ status: "claimed", assignee: "operator:ada@console" });
    expect(await t.app.db.prisma.auditEntry.count({ where: { actor: "operator:ada@console", action: { in: ["ticket.claim", "ticket.reply"] } } })).toBe(2);
    await page.locator(`#t-${ticketId}`).getByRole("button", { name: "Resolve" }).click();
    await page.waitForURL(/done=resolve/);
    expect((await t.app.db.prisma.ticket.findUniqueOrThrow({ where: { id: ticketId } })).status).toBe("resolved");
  });

  it("passes the accessibility check on every page", () => {
    const serious = Object.entries(a11y).flatMap(([name, vs]) => vs.map((v) => `${name}: ${v.id} (${v.impact}) ${v.help} at ${v.nodes.slice(0, 3).join(", ")}`));
    expect(serious).toEqual([]);
  });
});
