import { createInterface } from "node:readline";
import type { App } from "../app/createApp";
import { TerminalChannel } from "../channels/terminal/TerminalChannel";
import { isLocale, resolveLocale, SUPPORTED_LOCALES } from "../i18n/locales";
import { UsageError } from "./UsageError";
import { awaitPendingAnswers } from "./awaitPendingAnswers";
import { formatProblem, RapportError } from "../core/errors";

/** Longest wait at end of input for answers still queued: the outbox's lease (10 s) and a poll. */
const PENDING_ANSWERS_MS = 15_000;

/** Options of `rapport chat`. */
export interface ChatOptions {
  user: string;
  locale?: string;
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream & { isTTY?: boolean };
  /** Where logs go meanwhile, told to the person at the start of an interactive chat. */
  logFile?: string;
}

/**
 * Talks to the bot as customer `terminal:<user>`. On a TTY it is interactive (buttons as numbered
 * choices); otherwise it reads one customer message per line, prints the replies to each, and
 * returns at end of input, so a conversation can be scripted.
 */
export async function runChat(app: App, options: ChatOptions): Promise<void> {
  if (!/^[\w.@-]{1,64}$/.test(options.user)) throw new UsageError(`--user "${options.user}" must be 1-64 letters, digits, . _ @ or -`);
  let locale: string | undefined;
  if (options.locale !== undefined) {
    locale = resolveLocale(options.locale, "en");
    if (!isLocale(options.locale) && locale === "en" && !options.locale.toLowerCase().startsWith("en")) {
      throw new UsageError(`--locale "${options.locale}" is not supported; use one of ${SUPPORTED_LOCALES.join(", ")}`);
    }
    await setLocaleIfKnown(app, options.user, locale);
  }
  const channel = new TerminalChannel(options.user, options.output as never, locale);
  app.engine.attach(channel);
  await channel.start(app.engine.deliver);
  const interactive = Boolean(options.input.isTTY);
  const problems = app.flowProblems();
  if (problems.length > 0) {
    const files = [...new Set(problems.map((p) => p.file))];
    options.output.write(`! Not served, because of problems: ${files.join(", ")}. The other flows work.\n`);
    for (const p of problems.slice(0, 10)) options.output.write(`!   ${formatProblem(p)}\n`);
    if (problems.length > 10) options.output.write(`!   … and ${problems.length - 10} more: npx rapport flows lint\n`);
  }
  const rl = createInterface({ input: options.input, output: interactive ? options.output : undefined, terminal: interactive });
  if (interactive) {
    options.output.write(`Chatting as terminal:${options.user}. Type /start to begin, /help for help, Ctrl+D to quit.${options.logFile ? ` Logs: ${options.logFile}` : ""}\n`);
    rl.setPrompt("you> ");
    rl.prompt();
  }
  for await (const line of rl) {
    const empty = line.trim() === "";
    if (empty && channel.keptCount === 0) { if (interactive) rl.prompt(); continue; }
    if (!interactive && !empty) options.output.write(`> ${line}\n`);
    try {
      await (empty ? channel.retryKept() : channel.type(line)); // Enter alone sends kept messages again
    } catch (error) {
      options.output.write(`! ${(error as Error).message}\n`);
    }
    if (interactive) rl.prompt();
  }
  if (channel.keptCount > 0) await channel.retryKept().catch(() => undefined); // one more try before leaving
  // Answers still queued (behind a message a killed chat left leased) are printed before leaving.
  await awaitPendingAnswers(app, channel.name, options.user, PENDING_ANSWERS_MS).catch(() => undefined);
  const unsent = channel.keptCount;
  await channel.stop();
  if (unsent > 0) throw new MessagesNotStoredError(unsent);
}

/** The chat ended with typed messages the database never took: said, and the command fails. */
export class MessagesNotStoredError extends RapportError {
  readonly code = "rapport_messages_not_stored";
  constructor(readonly count: number) {
    super(`${count === 1 ? "1 message was" : `${count} messages were`} not stored and not answered: the database is unavailable. Type ${count === 1 ? "it" : "them"} again when it is back.`);
  }
}

async function setLocaleIfKnown(app: App, user: string, locale: string) {
  const identity = await app.db.prisma.channelIdentity.findUnique({ where: { channel_externalId: { channel: "terminal", externalId: user } } });
  if (identity) await app.db.prisma.contact.update({ where: { id: identity.contactId }, data: { locale, updatedAt: new Date() } });
}
