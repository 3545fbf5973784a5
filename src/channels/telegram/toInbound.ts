import type { CallbackQuery, Message, Update, User } from "grammy/types";
import { parseCommand, type InboundBody, type InboundEvent, type Sender } from "../../core/message";
import { mediaOf } from "./mediaOf";

/**
 * Maps a Telegram update to a core event; undefined means "not ours to handle" (edits, channel
 * posts, joins, service messages, other bots). Pure, so every mapping is testable without a token.
 *
 * The dedupe key holds the bot id and the update id (issue #4: "the update id is recorded with the
 * interaction it produced") plus the message or callback id: Telegram picks update ids at random
 * again after a week without updates, and a reused id must not make a new message look like a
 * redelivery of an old one.
 */
export function toInbound(update: Update, bot: { id: number; username?: string }, now = new Date()): InboundEvent | undefined {
  const botId = bot.id;
  if (update.message) return addressedElsewhere(update.message, bot.username) ? undefined : fromMessage(update.update_id, update.message, botId);
  if (update.callback_query) return fromCallback(update.update_id, update.callback_query, botId, now);
  return undefined;
}

function fromMessage(updateId: number, m: Message, botId: number): InboundEvent | undefined {
  if (!m.from || m.from.is_bot) return undefined;
  const body = bodyOf(m);
  if (!body) return undefined;
  return {
    channel: "telegram",
    sender: senderOf(m.from),
    externalChatId: String(m.chat.id),
    externalMessageId: String(m.message_id),
    dedupeKey: `telegram:${botId}:${updateId}:m${m.chat.id}:${m.message_id}`,
    receivedAt: new Date(m.date * 1000),
    body,
  };
}

function fromCallback(updateId: number, q: CallbackQuery, botId: number, now: Date): InboundEvent | undefined {
  if (q.data === undefined || q.from.is_bot) return undefined; // game callbacks carry no data
  const chatId = q.message?.chat.id ?? q.from.id;
  return {
    channel: "telegram",
    sender: senderOf(q.from),
    externalChatId: String(chatId),
    dedupeKey: `telegram:${botId}:${updateId}:c${q.id}`,
    receivedAt: now, // a callback query carries no date
    body: { kind: "choice", value: q.data, label: pressedLabel(q) },
  };
}

/** The customer as Telegram reports them; the engine keeps name and username current from this. */
function senderOf(u: User): Sender {
  return {
    externalUserId: String(u.id),
    displayName: [u.first_name, u.last_name].filter(Boolean).join(" ") || undefined,
    username: u.username,
    languageHint: u.language_code,
  };
}

/** "/start@OtherBot" in a group is for another bot, not for us. */
function addressedElsewhere(m: Message, username: string | undefined): boolean {
  const mention = /^\/\w+@(\w+)/.exec(m.text ?? "")?.[1];
  return mention !== undefined && username !== undefined && mention.toLowerCase() !== username.toLowerCase();
}

/** Text (or a command), or a media body; undefined for service messages (joins, pins, titles). */
function bodyOf(m: Message): InboundBody | undefined {
  if (m.text !== undefined) return parseCommand(m.text) ?? { kind: "text", text: m.text };
  return mediaOf(m);
}

/** The text of the button that was pressed, read from the keyboard the press came from. */
function pressedLabel(q: CallbackQuery): string | undefined {
  const keyboard = q.message && "reply_markup" in q.message ? q.message.reply_markup?.inline_keyboard : undefined;
  for (const row of keyboard ?? []) {
    for (const button of row) if ("callback_data" in button && button.callback_data === q.data) return button.text;
  }
  return undefined;
}
