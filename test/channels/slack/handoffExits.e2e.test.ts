import { describe, expect, it } from "vitest";
import { CARD_ACTIONS } from "../../../src/channels/slack/cardBlocks";
import { blockAction } from "../../helpers/fakeSlack";
import { SUPPORT_CHANNEL, useSupportApps, type SupportTestApp } from "../../helpers/supportApp";

// Issue 12: the handoff works when "operator" is typed right after /start (the menu is an open
// question), and /cancel, /menu and /support do something sensible while a person has the chat.

const start = useSupportApps();

async function cardTs(t: SupportTestApp): Promise<string> {
  for (let i = 0; i < 500; i++) {
    const ticket = await t.app.db.prisma.ticket.findFirst({ orderBy: { createdAt: "desc" } });
    if (ticket?.cardRef && !ticket.cardRef.startsWith("posting:")) return ticket.cardRef;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("no card posted");
}

describe("exits and the handoff with Slack online", () => {
  it("\"operator\" typed right after /start hands the chat to a person", async () => {
    const t = await start();
    const tr = (key: string) => t.app.translator().t("ru", key);
    const customer = t.telegram.customer(701, { first_name: "Ivan", language_code: "ru" });
    await customer.send("/start");
    expect((await customer.waitForMessages(3))[2]).toBe(tr("welcome:menu.prompt"));
    await customer.send("оператор");
    expect((await customer.waitForMessages(4))[3]).toBe(tr("support:ask_question"));
    await customer.send("Посылка пришла повреждённой");
    expect((await customer.waitForMessages(5))[4]).toBe(tr("support:queued"));
    const ts = await cardTs(t);
    const ticket = await t.app.db.prisma.ticket.findFirstOrThrow();
    expect(ticket).toMatchObject({ status: "open", question: "Посылка пришла повреждённой", reason: "asked_for_person" });
    expect((await t.contactOf(701))!.openTicketId).toBe(ticket.id);
    await customer.send("Заказ 7781");
    await t.slack!.waitFor(() => t.slack!.posted(SUPPORT_CHANNEL).some((a) => a.thread_ts === ts && String(a.text).includes("Заказ 7781")));
    const ends = (await t.history(701)).filter((r) => r.kind === "flow.end");
    expect(ends.some((r) => r.flow?.startsWith("menu@") && (r.data as { reason: string }).reason === "interrupted")).toBe(true);
  });

  it("while a person has the chat: /menu and /support are answered, not relayed; /cancel ends even a claimed ticket", async () => {
    const t = await start();
    const slack = t.slack!;
    const tr = (key: string) => t.app.translator().t("zh-TW", key);
    const customer = t.telegram.customer(702, { first_name: "Mei", language_code: "zh-TW" });
    await customer.send("/support");
    await customer.waitForMessages(1);
    await customer.send("我的包裹壞了");
    await customer.waitForMessages(2);
    const ts = await cardTs(t);
    const ticket = await t.app.db.prisma.ticket.findFirstOrThrow();
    await t.post(blockAction({ user: "UANNA", actionId: CARD_ACTIONS.claim, value: ticket.id, channel: SUPPORT_CHANNEL, messageTs: ts }));
    await slack.waitFor(async () => (await t.app.db.prisma.ticket.findFirstOrThrow()).status === "claimed");

    await customer.send("/menu");
    expect((await customer.waitForMessages(3))[2]).toBe(tr("support:with_person.menu"));
    await customer.send("/support");
    expect((await customer.waitForMessages(4))[3]).toBe(tr("support:with_person.support"));
    await customer.send("/menu");
    expect((await customer.waitForMessages(5))[4]).toBe(tr("support:with_person.menu")); // told again, not deduplicated away
    const toStaff = await t.app.db.prisma.ticketMessage.findMany({ where: { ticketId: ticket.id, direction: "to_staff" } });
    expect(toStaff.map((m) => m.text)).toEqual([]); // the commands went to nobody but the customer's own answer
    expect(JSON.stringify(slack.posted(SUPPORT_CHANNEL).filter((a) => a.thread_ts === ts))).not.toMatch(/\/(menu|support)/);
    expect((await t.app.db.prisma.ticket.findFirstOrThrow()).status).toBe("claimed");

    await customer.send("/cancel");
    expect((await customer.waitForMessages(6))[5]).toBe(tr("support:cancelled"));
    expect(await t.app.db.prisma.ticket.findFirstOrThrow()).toMatchObject({ status: "cancelled", closedBy: "customer" });
    expect((await t.contactOf(702))!.openTicketId).toBeNull();
    await customer.send("/menu");
    expect((await customer.waitForMessages(7))[6]).toBe(tr("welcome:menu.prompt")); // the bot has the chat again
  });
});
