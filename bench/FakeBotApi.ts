import type { Transformer } from "grammy";
import type { InlineKeyboardMarkup, Message, UserFromGetMe } from "grammy/types";

/** The bot the fake API serves; given to the channel as `botInfo`, so it never calls getMe. */
export const BENCH_BOT: UserFromGetMe = {
  id: 123456, is_bot: true, first_name: "Rapport Bench", username: "rapport_bench_bot",
  can_join_groups: false, can_read_all_group_messages: false, supports_inline_queries: false,
  can_connect_to_business: false, has_main_web_app: false, has_topics_enabled: false,
  allows_users_to_create_topics: false, can_manage_bots: false, supports_join_request_queries: false,
};

/** Calls the fake answers with `true`, as Telegram does on success. */
const ANSWERED_TRUE = new Set(["answerCallbackQuery", "editMessageReplyMarkup", "setWebhook", "deleteWebhook", "setMyCommands"]);

/**
 * Stands in for the Bot API server as the channel's innermost grammY transformer: it never calls
 * `prev` (no HTTP), answers at once as Telegram does on success, and records what the adapter sent.
 * Per chat it counts sendMessage calls not yet checked and keeps the last message that carried a
 * keyboard, as the customer's app would show it; customers take both, so the maps only hold chats
 * with something unread, whatever the number of contacts. Any other method is refused and counted.
 */
export class FakeBotApi {
  /** sendMessage calls answered since the fake was created. */
  total = 0;
  /** Calls per method, sendMessage included. */
  readonly calls = new Map<string, number>();
  private lastMessageId = 0;
  private readonly unchecked = new Map<string, number>();
  private readonly keyboards = new Map<string, Message.TextMessage>();

  readonly transport: Transformer = async (_prev, method, payload) => {
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
    if (method === "sendMessage") return { ok: true, result: this.sendMessage(payload as SendMessagePayload) } as never;
    if (ANSWERED_TRUE.has(method)) return { ok: true, result: true } as never;
    return { ok: false, error_code: 400, description: `Bad Request: the bench's fake Bot API does not answer ${method}` };
  };

  /** A message id unused in every chat (Telegram numbers a private chat's messages, both sides, in one sequence). */
  nextMessageId(): number {
    return ++this.lastMessageId;
  }

  /** sendMessage calls to `chatId` since the last call for that chat. */
  take(chatId: string): number {
    const n = this.unchecked.get(chatId) ?? 0;
    this.unchecked.delete(chatId);
    return n;
  }

  /** The last message with a keyboard sent to `chatId`, once: pressing a button uses it up. */
  takeKeyboard(chatId: string): Message.TextMessage | undefined {
    const message = this.keyboards.get(chatId);
    this.keyboards.delete(chatId);
    return message;
  }

  private sendMessage(payload: SendMessagePayload): Message.TextMessage {
    this.total++;
    const chat = String(payload.chat_id);
    this.unchecked.set(chat, (this.unchecked.get(chat) ?? 0) + 1);
    const message: Message.TextMessage = {
      message_id: this.nextMessageId(), date: Math.floor(Date.now() / 1000), from: BENCH_BOT,
      chat: { id: Number(payload.chat_id), type: "private", first_name: "Bench" }, text: payload.text,
      ...(payload.reply_markup ? { reply_markup: payload.reply_markup } : {}),
    };
    if (payload.reply_markup?.inline_keyboard.length) this.keyboards.set(chat, message);
    return message;
  }
}

/** The sendMessage parameters the adapter uses (toSendCalls). */
interface SendMessagePayload {
  chat_id: number | string;
  text: string;
  reply_markup?: InlineKeyboardMarkup;
}
