/**
 * Erasing a customer removes Rapport's Slack copies through the Web API (issue 16), against the fake
 * Web API: the card and the bot's thread messages are deleted (also those only the thread knows of),
 * a message Slack refuses to delete is blanked with chat.update, a person's reply is left and listed,
 * and a call that fails both ways is listed with Slack's error codes.
 */
import { afterEach, describe, expect, it } from "vitest";
import { webApi } from "@slack/bolt";
import { REDACTED_TEXT, SlackRedactor } from "../../../src/channels/slack/SlackRedactor";
import { silentLogger } from "../../../src/core/log";
import { FakeSlack } from "../../helpers/fakeSlack";

const fakes: FakeSlack[] = [];
afterEach(async () => { for (const f of fakes.splice(0)) await f.close(); });

async function setup() {
  const slack = await FakeSlack.start();
  fakes.push(slack);
  const client = new webApi.WebClient(slack.token, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
  const post = async (text: string, threadTs?: string) => (await client.chat.postMessage({ channel: "CSUPPORT", text, thread_ts: threadTs })).ts!;
  const card = await post("Ticket: Annabelle Quist");
  const known = await post("Annabelle: my parcel is lost", card);
  const unrecorded = await post("Annabelle: the whole long question", card);
  const staffReply = slack.addMessage("CSUPPORT", { user: "UANNA", text: "Hi Annabelle, looking", threadTs: card });
  const redactor = new SlackRedactor({ token: slack.token, apiUrl: slack.apiUrl, log: silentLogger, retryConfig: { retries: 0 } });
  return { slack, redactor, card, known, unrecorded, staffReply };
}

describe("SlackRedactor", () => {
  it("deletes the card and every bot message of its thread, and lists a staff member's reply", async () => {
    const { slack, redactor, card, known, unrecorded, staffReply } = await setup();
    const removal = await redactor.removeTicket({ channel: "CSUPPORT", ts: card }, [{ channel: "CSUPPORT", ts: known }]);
    expect(removal.deleted.map((r) => r.ts).sort()).toEqual([card, known, unrecorded].sort());
    expect(removal.redacted).toEqual([]);
    expect(removal.left).toEqual([{ ref: { channel: "CSUPPORT", ts: staffReply }, reason: expect.stringContaining("<@UANNA>") }]);
    for (const ts of [card, known, unrecorded]) expect(slack.message("CSUPPORT", ts)).toBeUndefined();
    expect(slack.message("CSUPPORT", staffReply)?.text).toBe("Hi Annabelle, looking");
    expect(slack.callsTo("chat.delete").map((a) => a.ts).sort()).toEqual([card, known, unrecorded].sort());
  });

  it("blanks what Slack refuses to delete, and lists what it can neither delete nor change", async () => {
    const { slack, redactor, card, known } = await setup();
    slack.failNext("chat.delete", { error: "cant_delete_message" }, 2);
    slack.failNext("chat.update", { error: "edit_window_closed" }, 1);
    const removal = await redactor.removeTicket({ channel: "CSUPPORT", ts: card }, [{ channel: "CSUPPORT", ts: known }]);
    // The first two deletes fail: the first message's update fails too (left), the second's works (blanked).
    expect(removal.left.filter((l) => l.reason.includes("cant_delete_message"))).toHaveLength(1);
    expect(removal.left.find((l) => l.reason.includes("cant_delete_message"))!.reason).toContain("edit_window_closed");
    expect(removal.redacted).toHaveLength(1);
    expect(slack.message("CSUPPORT", removal.redacted[0]!.ts)?.text).toBe(REDACTED_TEXT);
    expect(removal.deleted.map((r) => r.ts)).toContain(card);
  });

  it("counts a message that is already gone as deleted, and still removes known messages when the thread cannot be read", async () => {
    const { slack, redactor, card, known } = await setup();
    slack.failNext("conversations.replies", { error: "ratelimited" });
    await webApiDelete(slack, known);
    const removal = await redactor.removeTicket({ channel: "CSUPPORT", ts: card }, [{ channel: "CSUPPORT", ts: known }]);
    expect(removal.deleted.map((r) => r.ts).sort()).toEqual([card, known].sort());
    expect(removal.left).toEqual([]);
  });
});

async function webApiDelete(slack: FakeSlack, ts: string) {
  await new webApi.WebClient(slack.token, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } }).chat.delete({ channel: "CSUPPORT", ts });
}
