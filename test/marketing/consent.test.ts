import { describe, expect, it } from "vitest";
import { consentBlock, setConsent } from "../../src/marketing/consent";
import { consentHistory } from "../../src/marketing/consentHistory";
import { useTestApps, type TestApp } from "../helpers/testApp";

// Issue 15, part 2: consent and preference. /stop and "stop"/"unsubscribe" in the customer's language
// opt out of marketing at any point, also at an open question; /subscribe opts back in; every change
// is in the history; the consent mode decides who never said anything.

const start = useTestApps();
const tr = (t: TestApp, lng: string, key: string) => t.app.translator().t(lng, key);

async function contactOf(t: TestApp, user: string) {
  const id = await t.app.db.prisma.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "test", externalId: user } } });
  return t.app.db.prisma.contact.findUniqueOrThrow({ where: { id: id.contactId } });
}

describe("consent modes", () => {
  it("opt_in reaches only those who said yes; opt_out everyone but those who said no", () => {
    expect(consentBlock("opt_in", null)).toBe("no_consent");
    expect(consentBlock("opt_in", "granted")).toBeUndefined();
    expect(consentBlock("opt_in", "denied")).toBe("opted_out");
    expect(consentBlock("opt_out", null)).toBeUndefined();
    expect(consentBlock("opt_out", "granted")).toBeUndefined();
    expect(consentBlock("opt_out", "denied")).toBe("opted_out");
  });
});

describe("/stop and /subscribe", { timeout: 90_000 }, () => {
  it.each([
    // [locale, what the customer types at the language question]
    ["en", "unsubscribe"],
    ["ru", "отписаться"],
    ["zh-CN", "退订"],
  ])("in %s, \"%s\" at an open question opts out, ends the question and says so", async (locale, word) => {
    const t = await start({ locale });
    await t.say("ann", "/language");
    const replies = await t.say("ann", word);
    expect(replies.map((r) => r.text)).toEqual([tr(t, locale, "marketing:stop.done")]);
    const contact = await contactOf(t, "ann");
    expect(contact.marketingConsent).toBe("denied");
    const rows = await t.history("ann");
    expect(rows.find((r) => r.kind === "flow.end")).toMatchObject({ flow: expect.stringMatching(/^language@/), data: { reason: "interrupted", by: "stop" } });
    expect(rows.filter((r) => r.kind === "consent.denied")).toEqual([expect.objectContaining({ data: { from: null, to: "denied", source: "chat" } })]);
    // the language question is over: a press of its button now belongs to a finished conversation
    expect((await t.say("ann", { kind: "choice", value: "en" })).map((r) => r.text)).toEqual([tr(t, locale, "common:stale_button")]);
  });

  it("\"stop\" gets out of a question where keywords are answers (interruptions: false), with no ticket saying \"stop\"", async () => {
    const t = await start();
    await t.say("bo", "operator");
    expect((await t.say("bo", "STOP!")).map((r) => r.text)).toEqual([tr(t, "en", "marketing:stop.done")]);
    expect(await t.app.db.prisma.ticket.count()).toBe(0);
    expect((await contactOf(t, "bo")).marketingConsent).toBe("denied");
  });

  it("/stop mid-flow in Polish, then /subscribe; each change once in the history", async () => {
    const t = await start({ locale: "pl" });
    await t.say("ola", "/language");
    expect((await t.say("ola", "/stop")).map((r) => r.text)).toEqual([tr(t, "pl", "marketing:stop.done")]);
    await t.say("ola", "/stop"); // again: nothing changes, no second row
    expect((await t.say("ola", "/subscribe")).map((r) => r.text)).toEqual([tr(t, "pl", "marketing:subscribe.done")]);
    const contact = await contactOf(t, "ola");
    expect(contact.marketingConsent).toBe("granted");
    expect(contact.marketingConsentAt).toBeInstanceOf(Date);
    const changes = (await t.history("ola")).filter((r) => r.kind.startsWith("consent."));
    expect(changes.map((r) => [r.kind, r.data])).toEqual([
      ["consent.denied", { from: null, to: "denied", source: "chat" }],
      ["consent.granted", { from: "denied", to: "granted", source: "chat" }],
    ]);
  });

  it("the consent question (opt-in mode) records yes and no", async () => {
    const t = await start({ locale: "vi" });
    for (const who of ["an", "binh"]) {
      await t.say(who, "/start");
      await t.say(who, "huỷ"); // out of the menu: an event waits for no conversation in progress
    }
    const [an, binh] = [await contactOf(t, "an"), await contactOf(t, "binh")];
    await t.app.engine.emit(an.id, "marketing.consent_ask");
    await t.app.engine.emit(binh.id, "marketing.consent_ask");
    expect(t.channel.sent.at(-1)!.message.text).toBe(tr(t, "vi", "marketing:consent.ask"));
    expect((await t.say("an", { kind: "choice", value: "agree" })).map((r) => r.text)).toEqual([tr(t, "vi", "marketing:subscribe.done")]);
    expect((await t.say("binh", { kind: "choice", value: "decline" })).map((r) => r.text)).toEqual([tr(t, "vi", "marketing:consent.declined")]);
    expect((await contactOf(t, "an")).marketingConsent).toBe("granted");
    expect((await contactOf(t, "binh")).marketingConsent).toBe("denied");
  });

  it("setConsent from an operator is recorded as the system's, and a repeat changes nothing", async () => {
    const t = await start();
    await t.say("cy", "hello");
    const c = await contactOf(t, "cy");
    expect(await setConsent(t.app.db, c.id, "granted", "operator")).toBe(true);
    expect(await setConsent(t.app.db, c.id, "granted", "operator")).toBe(false);
    const rows = (await t.history("cy")).filter((r) => r.kind === "consent.granted");
    expect(rows).toEqual([expect.objectContaining({ actor: "system", data: { from: null, to: "granted", source: "operator" } })]);
  });

  it("consentHistory lists each change newest first, with where it came from (the console's contact page)", async () => {
    const t = await start();
    await t.say("dee", "hello");
    const c = await contactOf(t, "dee");
    const at = (m: number) => new Date(Date.UTC(2026, 10, 1, 10, m));
    await setConsent(t.app.db, c.id, "granted", "operator", at(1));
    await setConsent(t.app.db, c.id, "denied", "chat", at(2));
    await setConsent(t.app.db, c.id, "granted", "api", at(3));
    expect(await consentHistory(t.app.db, c.id)).toEqual([
      { at: at(3), from: "denied", to: "granted", source: "api" },
      { at: at(2), from: "granted", to: "denied", source: "chat" },
      { at: at(1), from: null, to: "granted", source: "operator" },
    ]);
    expect(await consentHistory(t.app.db, c.id, 1)).toHaveLength(1);
  });
});
