/**
 * `/forget_me` through the shipped flow (flows/forget-me.yaml) and the real engine: the customer is
 * asked to confirm in their language (English and Russian here); "keep" changes nothing; "erase"
 * answers, then the running bot's job queue erases them half a minute later, with the customer as the
 * audit log's actor; their next message starts a new contact.
 */
import { describe, expect, it } from "vitest";
import type { OutboundMessage } from "../../src/core/message";
import { ERASE_DELAY_MS, ERASE_REQUESTED } from "../../src/privacy/actions/forgetMe";
import { testDialect } from "../helpers/database";
import { useTestApps } from "../helpers/testApp";

const startApp = useTestApps();
const show = (ms: OutboundMessage[]) => ms.map((m) => (m.choices?.length ? `${m.text} [${m.choices.map((c) => c.label).join(" | ")}]` : m.text));
const press = (value: string) => ({ kind: "choice" as const, value });

describe(`/forget_me (${testDialect})`, () => {
  it("asks first, keeps on no, and erases shortly after yes", async () => {
    const t = await startApp();
    const p = t.app.db.prisma;
    await t.say("ann", "/start");
    expect(show(await t.say("ann", "/forget_me"))).toEqual([
      "Do you want us to erase everything we hold about you: your messages, points, purchases, tickets and ideas? This cannot be undone, and your points will be lost. [Yes, erase my data | No, keep it]",
    ]);
    expect(show(await t.say("ann", press("keep")))).toEqual(["All right, nothing has been erased."]);
    expect(await p.scheduledJob.count({ where: { name: ERASE_REQUESTED } })).toBe(0);
    await t.say("ann", "/forget_me");
    expect(show(await t.say("ann", press("erase")))).toEqual(["Done. Your data will be erased within a minute. If you write to us again, we will start from scratch."]);
    const job = await p.scheduledJob.findFirstOrThrow({ where: { name: ERASE_REQUESTED } });
    const contactId = job.contactId;
    expect(job.dueAt.getTime()).toBeGreaterThan(Date.now() + ERASE_DELAY_MS - 5_000);
    expect(await t.app.jobs.runDue(new Date())).toBe(0); // not yet: the confirmation goes out first
    expect(await t.app.jobs.runDue(new Date(Date.now() + ERASE_DELAY_MS + 1_000))).toBe(1);
    expect(await p.contact.findUnique({ where: { id: contactId } })).toBeNull();
    expect(await p.channelIdentity.count({ where: { externalId: "ann" } })).toBe(0);
    expect(await p.auditEntry.findMany({ where: { action: "contact.erase" }, select: { actor: true } })).toEqual([{ actor: "customer" }]);
    await t.say("ann", "hello");
    expect((await p.channelIdentity.findFirstOrThrow({ where: { externalId: "ann" } })).contactId).not.toBe(contactId);
  });

  it("asks in the customer's language", async () => {
    const t = await startApp({ locale: "ru" });
    expect(show(await t.say("ivan", "/forget_me"))).toEqual([
      "Вы хотите, чтобы мы удалили всё, что о вас храним: сообщения, баллы, покупки, обращения и идеи? Это нельзя отменить, и ваши баллы пропадут. [Да, удалить мои данные | Нет, оставить]",
    ]);
    expect(show(await t.say("ivan", press("erase")))).toEqual(["Готово. Ваши данные будут удалены в течение минуты. Если вы напишете нам снова, мы начнём с чистого листа."]);
  });
});
