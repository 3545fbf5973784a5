/**
 * Erasing a customer who talked to staff, end to end (issue 16): Telegram and Slack on their fakes,
 * the real Slack adapter posting the card and the customer's messages into its thread, a staff reply;
 * then the erase deletes the card and every thread message the bot posted through the Web API, lists
 * the staff member's reply, and the customer's next message starts a new contact.
 */
import { describe, expect, it } from "vitest";
import { SlackRedactor } from "../../src/channels/slack/SlackRedactor";
import { silentLogger } from "../../src/core/log";
import { messageEvent } from "../helpers/fakeSlack";
import { SUPPORT_CHANNEL, useSupportApps } from "../helpers/supportApp";

const start = useSupportApps();

describe("erase with Slack", () => {
  it("deletes the card and the bot's thread messages in Slack, and lists a staff reply to remove by hand", async () => {
    const t = await start();
    const slack = t.slack!;
    const p = t.app.db.prisma;
    const customer = t.telegram.customer(777, { first_name: "Zofia", username: "zofia_k", language_code: "en" });
    await customer.send("operator");
    await customer.waitForMessages(1);
    await customer.send("My parcel 5531 never arrived");
    await customer.waitForMessages(2);
    const ticket = await slack.waitFor(async () => {
      const found = await p.ticket.findFirst({ where: { cardRef: { not: null } } });
      return found && !found.cardRef!.startsWith("posting:") ? found : undefined;
    });
    const card = ticket.cardRef!;
    await customer.send("It was sent on Monday");
    await slack.waitFor(() => slack.posted(SUPPORT_CHANNEL).some((a) => a.thread_ts === card && String(a.text).includes("sent on Monday")));
    // A staff reply in the thread (a person's message in Slack; the bot cannot delete it).
    const staffTs = slack.addMessage(SUPPORT_CHANNEL, { user: "UANNA", text: "Hi Zofia, checking", threadTs: card });
    expect((await t.post({ json: messageEvent({ channel: SUPPORT_CHANNEL, user: "UANNA", text: "Hi Zofia, checking", ts: staffTs, threadTs: card }) })).status).toBe(200);
    await customer.waitForMessages(3);
    await slack.waitFor(async () => (await p.ticketMessage.count({ where: { status: "delivered" } })) >= 2);
    const botThread = slack.posted(SUPPORT_CHANNEL).filter((a) => a.thread_ts === card);
    expect(botThread.length).toBeGreaterThan(0);

    t.app.rights.useStaffRedactor(new SlackRedactor({ token: slack.token, apiUrl: slack.apiUrl, log: silentLogger, retryConfig: { retries: 0 } }));
    const outcome = await t.app.rights.erase("telegram:777", "operator:dpo");

    expect(slack.message(SUPPORT_CHANNEL, card)).toBeUndefined();
    const deleted = slack.callsTo("chat.delete").map((a) => a.ts);
    expect(deleted).toContain(card);
    for (const call of slack.calls.filter((c) => c.method === "chat.postMessage" && c.args.thread_ts === card && c.result?.ts)) {
      expect(slack.message(SUPPORT_CHANNEL, call.result!.ts as string), `thread message ${call.result!.ts}`).toBeUndefined();
    }
    expect(outcome.staff.left).toEqual([{ ref: { channel: SUPPORT_CHANNEL, ts: staffTs }, reason: expect.stringContaining("<@UANNA>") }]);
    expect(slack.message(SUPPORT_CHANNEL, staffTs)?.text).toBe("Hi Zofia, checking");
    expect(await p.ticket.findUniqueOrThrow({ where: { id: ticket.id } })).toMatchObject({ contactId: outcome.pseudonym, question: null, status: "cancelled" });

    // Zofia writes again: a new, empty contact, and the bot (not staff) answers.
    await customer.send("/start");
    await customer.waitForMessages(4);
    const identity = await p.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "telegram", externalId: "777" } } });
    expect(identity.contactId).not.toBe(outcome.pseudonym);
    expect(await p.ticket.count({ where: { contactId: identity.contactId } })).toBe(0);
  });
});
