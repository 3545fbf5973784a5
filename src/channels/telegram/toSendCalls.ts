import type { InlineKeyboardMarkup } from "grammy/types";
import { splitText } from "../../core/splitText";
import type { OutboundMessage } from "../../core/message";
import { inlineKeyboard } from "./keyboards";

/** Telegram's limit on one message's text (https://core.telegram.org/bots/api#sendmessage). */
export const TEXT_MAX_LENGTH = 4096;

/** One `sendMessage` call: text plus the optional parameters Rapport uses. */
export interface SendMessageCall {
  text: string;
  reply_markup?: InlineKeyboardMarkup;
  reply_parameters?: { message_id: number; allow_sending_without_reply: true };
}

/**
 * Turns one outbound message into the `sendMessage` calls that carry it: text over 4,096 characters
 * is split at paragraph, line or word boundaries; the keyboard goes on the last part (where the
 * question is); a reply-to is kept only in groups, where it says whom the bot answers (in a private
 * chat it would quote every message back). Plain text, no parse mode: flow texts are not markup,
 * and a stray "<" or "_" must never make Telegram refuse a message.
 */
export function toSendCalls(chatId: string, message: OutboundMessage): SendMessageCall[] {
  // Telegram counts UTF-16 units; splitText counts characters. A part with many emoji can exceed
  // 4,096 units at 4,096 characters, so it is split again at half the size (at most 2 units each).
  const parts = splitText(message.text, TEXT_MAX_LENGTH).flatMap((p) => (p.length > TEXT_MAX_LENGTH ? splitText(p, TEXT_MAX_LENGTH / 2) : [p]));
  const replyTo = message.replyTo && /^\d+$/.test(message.replyTo) ? Number(message.replyTo) : NaN;
  const inGroup = chatId.startsWith("-");
  return parts.map((text, i) => ({
    text,
    ...(i === parts.length - 1 && message.choices?.length ? { reply_markup: inlineKeyboard(message.choices) } : {}),
    ...(i === 0 && inGroup && Number.isSafeInteger(replyTo) ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true as const } } : {}),
  }));
}
