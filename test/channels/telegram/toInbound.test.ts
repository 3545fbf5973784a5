/**
 * Telegram update → core InboundEvent (src/channels/telegram/toInbound.ts) and the media bodies of
 * non-text messages (src/channels/telegram/mediaOf.ts): recorded-shape updates in, events out.
 * Covers sender fields, ids, dedupe keys, commands, button presses with their labels, the updates
 * Rapport ignores (edits, channel posts, bots, service messages) and every media kind.
 */
import { describe, expect, it } from "vitest";
import type { Update } from "grammy/types";
import { toInbound } from "../../../src/channels/telegram/toInbound";

const BOT_ID = 7000000001;
const BOT = { id: BOT_ID, username: "rapport_bot" };
const NOW = new Date("2025-03-01T12:00:00.000Z");
/** A Telegram user id above 2^32: Telegram's ids need up to 52 bits. */
const BIG_ID = 7123456789012;

const ann = { id: 123456789, is_bot: false, first_name: "Ann", last_name: "Lee", username: "annlee", language_code: "zh-hant" };
const chat = { id: 123456789, type: "private", first_name: "Ann" };

/** An update with a customer's message; `fields` adds the content (text, photo, …). */
function messageUpdate(fields: Record<string, unknown>, from: Record<string, unknown> = ann, updateId = 812): Update {
  return { update_id: updateId, message: { message_id: 42, date: 1740830400, chat, from, ...fields } } as unknown as Update;
}

/** The body of a message update carrying `fields`. */
const bodyOf = (fields: Record<string, unknown>) => toInbound(messageUpdate(fields), BOT, NOW)?.body;

/** An update with a button press on a message that shows `keyboard`. */
function pressUpdate(data: string | undefined, keyboard = [[{ text: "News", callback_data: "news" }, { text: "Special offers", callback_data: "offers" }]]): Update {
  return {
    update_id: 813,
    callback_query: {
      id: "4382bfdwdsb323b2d9",
      from: ann,
      chat_instance: "-8412",
      ...(data !== undefined ? { data } : {}),
      message: { message_id: 41, date: 1740830300, chat, from: { id: BOT_ID, is_bot: true, first_name: "Rapport" }, text: "Pick one", reply_markup: { inline_keyboard: keyboard } },
    },
  } as unknown as Update;
}

describe("toInbound: messages", () => {
  it("maps a text message with its sender, ids, time and dedupe key", () => {
    expect(toInbound(messageUpdate({ text: "hello there" }), BOT, NOW)).toEqual({
      channel: "telegram",
      sender: { externalUserId: "123456789", displayName: "Ann Lee", username: "annlee", languageHint: "zh-hant" },
      externalChatId: "123456789",
      externalMessageId: "42",
      dedupeKey: `telegram:${BOT_ID}:812:m123456789:42`,
      receivedAt: new Date(1740830400 * 1000),
      body: { kind: "text", text: "hello there" },
    });
  });

  it("uses the first name alone when there is no last name, and leaves out a missing username", () => {
    const event = toInbound(messageUpdate({ text: "hi" }, { id: 5, is_bot: false, first_name: "Bo" }), BOT, NOW);
    expect(event?.sender).toEqual({ externalUserId: "5", displayName: "Bo", username: undefined, languageHint: undefined });
  });

  it("keeps group chat ids (negative) and the dedupe key's chat part", () => {
    const update = { update_id: 900, message: { message_id: 7, date: 1740830400, chat: { id: -1001234567890, type: "supergroup", title: "Fans" }, from: ann, text: "hi all" } } as unknown as Update;
    const event = toInbound(update, BOT, NOW);
    expect(event?.externalChatId).toBe("-1001234567890");
    expect(event?.dedupeKey).toBe(`telegram:${BOT_ID}:900:m-1001234567890:7`);
  });

  it("keeps user ids above 2^31 as exact strings", () => {
    const event = toInbound(messageUpdate({ text: "hi", chat: { id: BIG_ID, type: "private", first_name: "X" } }, { ...ann, id: BIG_ID }), BOT, NOW);
    expect(event?.sender.externalUserId).toBe("7123456789012");
    expect(event?.externalChatId).toBe("7123456789012");
    expect(event?.dedupeKey).toBe(`telegram:${BOT_ID}:812:m7123456789012:42`);
  });

  it("reads /start with a deep-link payload as a command", () => {
    expect(bodyOf({ text: "/start ref-AB12" })).toEqual({ kind: "command", command: "start", payload: "ref-AB12" });
  });

  it("reads a command addressed to this bot by name (/start@rapport_bot), as groups send it, and leaves other bots' commands alone", () => {
    expect(bodyOf({ text: "/start@Rapport_Bot" })).toEqual({ kind: "command", command: "start", payload: undefined });
    expect(bodyOf({ text: "/start@rapport_bot ref-AB12" })).toEqual({ kind: "command", command: "start", payload: "ref-AB12" });
    expect(toInbound(messageUpdate({ text: "/start@SomeOtherBot" }), BOT, NOW)).toBeUndefined();
  });

  it("ignores messages from bots", () => {
    expect(toInbound(messageUpdate({ text: "beep" }, { id: 99, is_bot: true, first_name: "OtherBot" }), BOT, NOW)).toBeUndefined();
  });

  it("ignores a message without a sender", () => {
    const update = { update_id: 1, message: { message_id: 1, date: 1740830400, chat, text: "hi" } } as unknown as Update;
    expect(toInbound(update, BOT, NOW)).toBeUndefined();
  });

  it("ignores service messages (members joined, a message pinned)", () => {
    expect(toInbound(messageUpdate({ new_chat_members: [{ id: 8, is_bot: false, first_name: "Cy" }] }), BOT, NOW)).toBeUndefined();
    expect(toInbound(messageUpdate({ pinned_message: { message_id: 40, date: 1740830000, chat, text: "old" } }), BOT, NOW)).toBeUndefined();
  });

  it("ignores edited messages, channel posts and membership changes", () => {
    const message = { message_id: 42, date: 1740830400, chat, from: ann, text: "edited" };
    const updates = [
      { update_id: 1, edited_message: { ...message, edit_date: 1740830500 } },
      { update_id: 2, channel_post: { message_id: 3, date: 1740830400, chat: { id: -1009, type: "channel", title: "News" }, text: "post" } },
      { update_id: 3, my_chat_member: { chat, from: ann, date: 1740830400, old_chat_member: { status: "member", user: ann }, new_chat_member: { status: "kicked", user: ann, until_date: 0 } } },
    ] as unknown as Update[];
    for (const u of updates) expect(toInbound(u, BOT, NOW)).toBeUndefined();
  });
});

describe("toInbound: button presses", () => {
  it("maps a press to a choice with the value and the pressed button's label", () => {
    expect(toInbound(pressUpdate("offers"), BOT, NOW)).toEqual({
      channel: "telegram",
      sender: { externalUserId: "123456789", displayName: "Ann Lee", username: "annlee", languageHint: "zh-hant" },
      externalChatId: "123456789",
      dedupeKey: `telegram:${BOT_ID}:813:c4382bfdwdsb323b2d9`,
      receivedAt: NOW,
      body: { kind: "choice", value: "offers", label: "Special offers" },
    });
  });

  it("finds the label in any row of the keyboard", () => {
    const rows = [[{ text: "1", callback_data: "1" }, { text: "2", callback_data: "2" }], [{ text: "Skip", callback_data: "skip" }]];
    expect(toInbound(pressUpdate("skip", rows), BOT, NOW)?.body).toEqual({ kind: "choice", value: "skip", label: "Skip" });
  });

  it("leaves the label out when no button carries the data", () => {
    expect(toInbound(pressUpdate("gone"), BOT, NOW)?.body).toEqual({ kind: "choice", value: "gone", label: undefined });
  });

  it("ignores a callback without data (a game button)", () => {
    expect(toInbound(pressUpdate(undefined), BOT, NOW)).toBeUndefined();
  });
});

describe("mediaOf (through toInbound)", () => {
  it("takes the largest photo size and keeps the caption", () => {
    const photo = [
      { file_id: "small", file_unique_id: "u-s", width: 90, height: 60 },
      { file_id: "medium", file_unique_id: "u-m", width: 320, height: 213 },
      { file_id: "large", file_unique_id: "u-l", width: 1280, height: 853 },
    ];
    expect(bodyOf({ photo, caption: "my receipt" })).toEqual({
      kind: "media", media: "photo", fileId: "large", caption: "my receipt", details: { fileUniqueId: "u-l", width: 1280, height: 853 },
    });
  });

  it("maps a sticker", () => {
    expect(bodyOf({ sticker: { file_id: "stk", file_unique_id: "u-stk", type: "regular", width: 512, height: 512, is_animated: false, is_video: false, emoji: "👍", set_name: "Thumbs" } })).toEqual({
      kind: "media", media: "sticker", fileId: "stk", details: { fileUniqueId: "u-stk", emoji: "👍", setName: "Thumbs" },
    });
  });

  it("maps a voice note", () => {
    expect(bodyOf({ voice: { file_id: "vc", file_unique_id: "u-vc", duration: 4, mime_type: "audio/ogg" } })).toEqual({
      kind: "media", media: "voice", fileId: "vc", details: { fileUniqueId: "u-vc", duration: 4, mimeType: "audio/ogg" },
    });
  });

  it("maps an audio file with its caption", () => {
    expect(bodyOf({ audio: { file_id: "au", file_unique_id: "u-au", duration: 180, title: "Jingle" }, caption: "our song" })).toEqual({
      kind: "media", media: "audio", fileId: "au", caption: "our song", details: { fileUniqueId: "u-au", duration: 180, title: "Jingle" },
    });
  });

  it("maps a video", () => {
    expect(bodyOf({ video: { file_id: "vd", file_unique_id: "u-vd", width: 640, height: 480, duration: 12 } })).toEqual({
      kind: "media", media: "video", fileId: "vd", details: { fileUniqueId: "u-vd", duration: 12 },
    });
  });

  it("maps an animation (which Telegram also sends as a document) to a video marked as animation", () => {
    const animation = { file_id: "gif", file_unique_id: "u-gif", width: 320, height: 240, duration: 3 };
    const document = { file_id: "gif", file_unique_id: "u-gif", file_name: "fun.mp4", mime_type: "video/mp4" };
    expect(bodyOf({ animation, document, caption: "lol" })).toEqual({
      kind: "media", media: "video", fileId: "gif", caption: "lol", details: { fileUniqueId: "u-gif", animation: true, duration: 3 },
    });
  });

  it("maps a round video note", () => {
    expect(bodyOf({ video_note: { file_id: "vn", file_unique_id: "u-vn", length: 240, duration: 9 } })).toEqual({
      kind: "media", media: "video", fileId: "vn", details: { fileUniqueId: "u-vn", videoNote: true, duration: 9 },
    });
  });

  it("maps a document with its file name", () => {
    expect(bodyOf({ document: { file_id: "doc", file_unique_id: "u-doc", file_name: "invoice.pdf", mime_type: "application/pdf" }, caption: "see attached" })).toEqual({
      kind: "media", media: "document", fileId: "doc", caption: "see attached", details: { fileUniqueId: "u-doc", fileName: "invoice.pdf", mimeType: "application/pdf" },
    });
  });

  it("maps a location, without a file id", () => {
    expect(bodyOf({ location: { latitude: 52.52, longitude: 13.405 } })).toEqual({
      kind: "media", media: "location", details: { latitude: 52.52, longitude: 13.405 },
    });
  });

  it("maps a venue (which also carries a location) to a location with title and address", () => {
    const location = { latitude: 48.8584, longitude: 2.2945 };
    expect(bodyOf({ venue: { location, title: "Eiffel Tower", address: "Champ de Mars, Paris" }, location })).toEqual({
      kind: "media", media: "location", details: { latitude: 48.8584, longitude: 2.2945, title: "Eiffel Tower", address: "Champ de Mars, Paris" },
    });
  });

  it("maps a shared contact with its phone number", () => {
    expect(bodyOf({ contact: { phone_number: "+49301234567", first_name: "Dee", user_id: BIG_ID } })).toEqual({
      kind: "media", media: "contact", details: { phoneNumber: "+49301234567", firstName: "Dee", userId: BIG_ID },
    });
  });

  it("maps a poll and a dice roll to 'other' with the type", () => {
    const poll = { id: "p1", question: "Tea?", options: [{ text: "yes", voter_count: 0 }, { text: "no", voter_count: 0 }], total_voter_count: 0, is_closed: false, is_anonymous: true, type: "regular", allows_multiple_answers: false };
    expect(bodyOf({ poll })).toEqual({ kind: "media", media: "other", details: { type: "poll" } });
    expect(bodyOf({ dice: { emoji: "🎲", value: 4 } })).toEqual({ kind: "media", media: "other", details: { type: "dice" } });
  });

  it("keeps the media message's own ids and dedupe key", () => {
    const event = toInbound(messageUpdate({ location: { latitude: 1, longitude: 2 } }, ann, 814), BOT, NOW);
    expect(event?.externalMessageId).toBe("42");
    expect(event?.dedupeKey).toBe(`telegram:${BOT_ID}:814:m123456789:42`);
  });
});
