import type { InlineKeyboardButton, Message, Update, User } from "grammy/types";
import type { App } from "../src/app/createApp";
import { TelegramChannel } from "../src/channels/telegram/TelegramChannel";
import { silentLogger } from "../src/core/log";
import type { InboundBody } from "../src/core/message";
import { BenchFailure } from "./BenchFailure";
import type { BenchPath, CustomerGroup } from "./BenchPath";
import { signupScript } from "./customer";
import { BENCH_BOT, FakeBotApi } from "./FakeBotApi";

/**
 * First user id of each group. Measured customers start at 10^9 (issue #4: "customer number + 1e9");
 * warm-up and calibration customers sit above 2^31, where a 32-bit integer would overflow.
 */
const ID_BASE: Record<CustomerGroup, number> = { customer: 1e9, warmup: 3e9, calibration: 5e9 };

/**
 * Customers through the grammY adapter: each message is a Telegram update fed to
 * `TelegramChannel.handleUpdate` (what grammY's webhook handler and runner call per update), and the
 * Bot API is FakeBotApi. Throttling is off (`limits: false`): Telegram's 30 msg/s would measure
 * Telegram, not the adapter. The channel is started in webhook mode, which wires `engine.deliver`
 * without a polling loop (the fake answers setWebhook). Not measured: the HTTP request around an
 * update (body parsing, secret check) and real network sends.
 */
export async function telegramPath(app: App): Promise<BenchPath> {
  const api = new FakeBotApi();
  const channel = new TelegramChannel({
    token: `${BENCH_BOT.id}:BENCH`, log: silentLogger, botInfo: BENCH_BOT, limits: false, transport: api.transport,
    webhook: { url: "https://bench.invalid/telegram", secret: "bench" },
  });
  app.engine.attach(channel);
  await channel.start(app.engine.deliver);
  let lastUpdateId = 0;
  const presses = signupScript(0).filter((body) => body.kind === "choice").length;
  return {
    name: "telegram",
    channel: channel.name,
    get total() { return api.total; },
    userId: (group, n) => String(ID_BASE[group] + n),
    message(user, n, k) {
      const body = signupScript(n)[k]!;
      const from: User = { id: Number(user), is_bot: false, first_name: "Bench", language_code: "en" };
      const update = body.kind === "choice"
        ? { update_id: ++lastUpdateId, callback_query: press(from, api.takeKeyboard(user), body.value, `customer ${user}, message ${k + 1}`) }
        : { update_id: ++lastUpdateId, message: typed(from, api.nextMessageId(), body) };
      return () => channel.handleUpdate(update);
    },
    take: (user) => api.take(user),
    async check(customers) {
      await channel.stop(); // waits for button answers and keyboard removals, which updates do not await
      const wanted: Record<string, number> = { sendMessage: api.total, setWebhook: 1, answerCallbackQuery: customers * presses, editMessageReplyMarkup: customers * presses };
      const methods = new Set([...Object.keys(wanted), ...api.calls.keys()]);
      return [...methods].filter((m) => api.calls.get(m) !== wanted[m]).map((m) => `Bot API ${m} calls: ${api.calls.get(m) ?? 0}, expected ${wanted[m] ?? 0}`);
    },
    close: () => channel.stop(),
  };
}

/** A message the customer typed: /start arrives as text with a bot_command entity, as Telegram sends it. */
function typed(from: User, messageId: number, body: InboundBody): NonNullable<Update["message"]> {
  const text = body.kind === "command" ? `/${body.command}` : body.kind === "text" ? body.text : "";
  return {
    message_id: messageId, date: Math.floor(Date.now() / 1000), from, chat: { id: from.id, type: "private", first_name: from.first_name }, text,
    ...(body.kind === "command" ? { entities: [{ type: "bot_command" as const, offset: 0, length: text.length }] } : {}),
  };
}

/** A press on the button carrying `value`, in the keyboard the bot last sent (so the adapter answers it and removes the keyboard). */
function press(from: User, keyboard: Message.TextMessage | undefined, value: string, who: string): NonNullable<Update["callback_query"]> {
  const button = keyboard?.reply_markup?.inline_keyboard.flat()
    .find((b): b is InlineKeyboardButton.CallbackButton => "callback_data" in b && b.callback_data === value);
  if (!keyboard || !button) throw new BenchFailure(`${who}: the bot showed no button "${value}" to press`);
  return { id: `${from.id}:${keyboard.message_id}`, from, message: keyboard, chat_instance: String(from.id), data: button.callback_data };
}
