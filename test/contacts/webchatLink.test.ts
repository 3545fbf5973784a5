import { afterEach, describe, expect, it } from "vitest";
import { WebchatChannel } from "../../src/channels/webchat/WebchatChannel";
import { createLinkCode } from "../../src/contacts/webchatLink";
import { useTestApps } from "../helpers/testApp";

// Joining a web chat visitor to a Telegram contact (here the test channel) with a one-time code:
// flows/link-web.yaml, /start web-<code>.

const start = useTestApps();
const channels: WebchatChannel[] = [];
afterEach(async () => { for (const c of channels.splice(0)) await c.stop(); });

describe("webchat link codes", () => {
  it("moves the visitor's identity and history to the contact that sends /start web-<code>, once", async () => {
    const t = await start();
    const web = new WebchatChannel();
    channels.push(web);
    t.app.engine.attach(web);
    await web.start(t.app.engine.deliver);
    await web.receive("v-visitor1", { kind: "text", text: "hello from the shop's site" }, "en");
    const webIdentity = await t.app.db.prisma.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "webchat", externalId: "v-visitor1" } } });
    expect(await createLinkCode(t.app.db, "v-unknown")).toBeUndefined();
    const { code } = (await createLinkCode(t.app.db, "v-visitor1"))!;
    expect(code).toMatch(/^[A-Z2-9]{8}$/);
    await t.say("tg1", "/start");
    const replies = await t.say("tg1", `/start web-${code}`);
    expect(replies.map((r) => r.text)).toEqual([t.app.translator().t("en", "webchat:linked")]);
    const tgContact = (await t.app.db.prisma.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "test", externalId: "tg1" } } })).contactId;
    const moved = await t.app.db.prisma.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "webchat", externalId: "v-visitor1" } } });
    expect(moved.contactId).toBe(tgContact);
    expect((await t.history("tg1")).some((e) => e.text === "hello from the shop's site")).toBe(true);
    expect(await t.app.db.prisma.interaction.count({ where: { contactId: webIdentity.contactId } })).toBe(0);
    // Used: a second try fails, and so does an unknown code.
    expect((await t.say("tg2", `/start web-${code}`)).map((r) => r.text)).toEqual([t.app.translator().t("en", "webchat:link_failed")]);
    expect((await t.say("tg2", "/start web-ZZZZZZZZ")).map((r) => r.text)).toEqual([t.app.translator().t("en", "webchat:link_failed")]);
  });
});
