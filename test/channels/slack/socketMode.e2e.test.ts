import { describe, expect, it } from "vitest";
import { CARD_ACTIONS } from "../../../src/channels/slack/cardBlocks";
import { blockAction, messageEvent } from "../../helpers/fakeSlack";
import { SUPPORT_CHANNEL, useSupportApps } from "../../helpers/supportApp";

const start = useSupportApps();

describe("support handoff over Socket Mode (SLACK_APP_TOKEN)", () => {
  it("connects with the app token, takes a reply and a button press over the socket, and disconnects on stop", async () => {
    const t = await start({ mode: "socket" });
    const slack = t.slack!;
    const opened = slack.callsTo("apps.connections.open");
    expect(opened.length).toBeGreaterThanOrEqual(1);
    expect(opened.every((args) => args.__auth === undefined)).toBe(true); // the app token, not the bot token
    await slack.waitFor(() => slack.socketMode.connections === 1);
    const customer = t.telegram.customer(601, { first_name: "Pia", language_code: "pl" });
    await customer.send("operator");
    await customer.waitForMessages(1);
    await customer.send("Paczka nie dotarła");
    expect((await customer.waitForMessages(2))[1]).toMatch(/\/cancel/);
    const card = await slack.waitFor(() => slack.calls.find((c) => c.method === "chat.postMessage" && c.result?.ok && !c.args.thread_ts));
    const ts = card.result!.ts as string;
    const ticket = await t.app.db.prisma.ticket.findFirstOrThrow();

    await slack.socketMode.send("interactive", JSON.parse(blockAction({ user: "UANNA", actionId: CARD_ACTIONS.claim, value: ticket.id, channel: SUPPORT_CHANNEL, messageTs: ts }).form.payload));
    await slack.waitFor(() => slack.callsTo("chat.update").some((u) => JSON.stringify(u.blocks).includes("Claimed by <@UANNA>")));
    const ack = await slack.socketMode.send("events_api", messageEvent({ channel: SUPPORT_CHANNEL, user: "UANNA", text: "Dzień dobry, sprawdzam", ts: "1800000000.000001", threadTs: ts }));
    expect(ack.envelope_id).toBeTruthy();
    expect((await customer.waitForMessages(3))[2]).toBe("Dzień dobry, sprawdzam");
    await slack.waitFor(() => slack.callsTo("reactions.add").some((r) => r.name === "white_check_mark"));

    await t.staff!.stop();
    await slack.waitFor(() => slack.socketMode.connections === 0);
  });
});
