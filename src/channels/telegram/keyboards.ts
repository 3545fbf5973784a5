import type { InlineKeyboardButton, InlineKeyboardMarkup } from "grammy/types";
import { choiceToken } from "../../core/choiceToken";
import type { Choice } from "../../core/message";

/** Telegram refuses callback data over 64 bytes (https://core.telegram.org/bots/api#inlinekeyboardbutton). */
export const CALLBACK_DATA_MAX_BYTES = 64;

/**
 * Choices as an inline keyboard: one button per row so long labels stay readable, except short
 * labels such as a 1–5 rating, which share rows of up to five. Each button carries the choice's
 * value, or a digest of it when the value is over 64 bytes (a 48-character value in Chinese is 144
 * bytes); the flow runtime resolves either (core/choiceToken.ts).
 */
export function inlineKeyboard(choices: readonly Choice[]): InlineKeyboardMarkup {
  const buttons: InlineKeyboardButton[] = choices.map((c) => ({ text: c.label, callback_data: choiceToken(c.value, CALLBACK_DATA_MAX_BYTES) }));
  const short = choices.every((c) => Array.from(c.label).length <= 4);
  const perRow = short ? 5 : 1;
  const rows: InlineKeyboardButton[][] = [];
  for (let i = 0; i < buttons.length; i += perRow) rows.push(buttons.slice(i, i + perRow));
  return { inline_keyboard: rows };
}

/** A markup that removes the keyboard from a message (after its question was answered). */
export const NO_KEYBOARD: InlineKeyboardMarkup = { inline_keyboard: [] };
