import { createHmac } from "node:crypto";
import { ErrorCode, LogLevel, WebClient, type WebAPIPlatformError } from "@slack/web-api";
import { afterEach, describe, expect, it } from "vitest";
import { FakeSlack, slackSignature } from "./fakeSlack.ts";

// The emulator must behave like Slack for the real WebClient, or the Slack channel tests prove nothing.
describe("FakeSlack with the real WebClient", () => {
  let fake: FakeSlack | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  const client = (f: FakeSlack, token = f.token) => new WebClient(token, { slackApiUrl: f.apiUrl, retryConfig: { retries: 0 } });

  it("answers auth.test, postMessage then update, and decodes blocks back to arrays", async () => {
    fake = await FakeSlack.start({ botUserId: "UB1", botId: "BB1" });
    const web = client(fake);
    expect(await web.auth.test()).toMatchObject({ ok: true, user_id: "UB1", bot_id: "BB1", team_id: "T1" });
    const blocks = [{ type: "section", text: { type: "mrkdwn", text: "*hi*" } }];
    const first = await web.chat.postMessage({ channel: "C1", text: "hello", blocks });
    const second = await web.chat.postMessage({ channel: "C1", text: "again", thread_ts: first.ts! });
    expect(first).toMatchObject({ ok: true, channel: "C1", ts: "1700000000.000100", message: { text: "hello", user: "UB1", bot_id: "BB1", blocks } });
    expect(second.ts).toBe("1700000000.000200");
    expect(second.message).toMatchObject({ thread_ts: first.ts });
    expect(fake.posted("C1")[0]!.blocks).toEqual(blocks);
    expect(await web.chat.update({ channel: "C1", ts: first.ts!, text: "edited" })).toMatchObject({ ok: true, channel: "C1", ts: first.ts, text: "edited" });
    await expect(web.chat.update({ channel: "C2", ts: first.ts!, text: "x" })).rejects.toMatchObject({ code: ErrorCode.PlatformError, data: { error: "message_not_found" } });
    await web.reactions.add({ channel: "C1", timestamp: first.ts!, name: "eyes" });
    await expect(web.reactions.add({ channel: "C1", timestamp: first.ts!, name: "eyes" })).rejects.toMatchObject({ data: { error: "already_reacted" } });
    expect(fake.calls.map((c) => c.method)).toEqual(["auth.test", "chat.postMessage", "chat.postMessage", "chat.update", "chat.update", "reactions.add", "reactions.add"]);
  });

  it("paginates conversations.members and answers users.info", async () => {
    const all = Array.from({ length: 250 }, (_, i) => `U${i}`);
    fake = await FakeSlack.start({ members: { C1: all }, users: { U7: { name: "ann", realName: "Ann Lee" } } });
    const web = client(fake);
    const collected: string[] = [];
    for await (const page of web.paginate("conversations.members", { channel: "C1", limit: 100 })) collected.push(...((page as { members?: string[] }).members ?? []));
    expect(collected).toEqual(all);
    expect(fake.callsTo("conversations.members").map((a) => a.cursor)).toEqual([undefined, "100", "200"]);
    await expect(web.conversations.members({ channel: "C404" })).rejects.toMatchObject({ data: { error: "channel_not_found" } });
    expect((await web.users.info({ user: "U7" })).user).toMatchObject({ id: "U7", name: "ann", real_name: "Ann Lee", profile: { real_name: "Ann Lee" } });
    await expect(web.users.info({ user: "U8" })).rejects.toMatchObject({ data: { error: "user_not_found" } });
  });

  it("answers 429 with Retry-After, which WebClient waits out and retries", async () => {
    fake = await FakeSlack.start();
    fake.failNext("chat.postMessage", { status: 429, retryAfter: 1 });
    const web = new WebClient(fake.token, { slackApiUrl: fake.apiUrl, logLevel: LogLevel.ERROR, rejectRateLimitedCalls: false, retryConfig: { retries: 2, minTimeout: 0, maxTimeout: 0 } });
    const started = Date.now();
    const result = await web.chat.postMessage({ channel: "C1", text: "hi" });
    expect(result.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(fake.calls.map((c) => c.failed ?? false)).toEqual([true, false]);
  });

  it("fails calls with platform errors and 500 on demand", async () => {
    fake = await FakeSlack.start();
    const web = client(fake);
    fake.failNext("chat.postMessage", { error: "not_in_channel" });
    fake.failNext("auth.test", { status: 500 });
    await expect(web.chat.postMessage({ channel: "C1", text: "x" })).rejects.toMatchObject({ code: ErrorCode.PlatformError, data: { error: "not_in_channel" } });
    await expect(web.auth.test()).rejects.toMatchObject({ code: ErrorCode.HTTPError, statusCode: 500 });
    await expect(web.chat.postMessage({ channel: "C1", text: "x" })).resolves.toMatchObject({ ok: true });
  });

  it("rejects a wrong token with invalid_auth and still records the call", async () => {
    fake = await FakeSlack.start();
    const error = (await client(fake, "xoxb-wrong").chat.postMessage({ channel: "C1", text: "x" }).catch((e: unknown) => e)) as WebAPIPlatformError;
    expect(error.code).toBe(ErrorCode.PlatformError);
    expect(error.data.error).toBe("invalid_auth");
    expect(fake.posted()).toEqual([expect.objectContaining({ channel: "C1", __auth: "invalid" })]);
  });

  it("waitFor resolves with the value, or fails listing the calls", async () => {
    fake = await FakeSlack.start();
    const web = client(fake);
    setTimeout(() => void web.chat.postMessage({ channel: "C9", text: "late" }), 30);
    expect(await fake.waitFor(() => fake!.posted("C9")[0])).toMatchObject({ text: "late" });
    await expect(fake.waitFor(() => false, 50)).rejects.toThrow(/chat\.postMessage/);
  });
});

describe("slackSignature", () => {
  it("is Slack's v0 HMAC-SHA256 of v0:timestamp:body", () => {
    const body = "token=x&team_id=T1";
    const expected = "v0=" + createHmac("sha256", "8f742231b10e8888abcd99yyyzzz85a5").update("v0:1531420618:" + body).digest("hex");
    expect(slackSignature("8f742231b10e8888abcd99yyyzzz85a5", 1531420618, body)).toBe(expected);
  });
});
