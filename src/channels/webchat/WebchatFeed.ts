import { idFloor } from "../../core/ids";
import type { Logger } from "../../core/log";
import type { OutboundMessage } from "../../core/message";
import type { Database } from "../../db/Database";
import { outboundSince, type StoredOutbound } from "../../outbox/outboundSince";

/** What the widget receives for one bot (or staff) message. */
export interface WebchatMessage {
  /** The outbox row's id: grows with time across instances; the widget asks for what came after the last one it has. */
  id: string;
  text: string;
  choices?: { value: string; label: string }[];
  /** The buttons stand for values (a 0-10 score): typing the value works too. */
  choicesAreValues?: boolean;
  at: string;
}

/** A browser connection waiting for messages (a server-sent events stream). */
export type WebchatListener = (message: WebchatMessage) => void;

/** Feed settings; the defaults suit production, tests shorten them. */
export interface WebchatFeedOptions {
  /** How often the feed looks for messages another instance wrote (a local send looks at once). */
  pollMs?: number;
  /**
   * How far back each look reaches again: a transaction that took an id earlier but committed later
   * than the last look is still found (ids are taken before commit). Ids already delivered are skipped.
   */
  overlapMs?: number;
}

interface Stream {
  visitor: string;
  since: string;
  seen: Set<string>;
  listener: WebchatListener;
  onStop: () => void;
}

/** Streams filtered by visitor in one query, at most; with more, one query reads every web chat row. */
const CHAT_IDS_PER_QUERY = 200;
const PAGE = 500;
/** Ids remembered per stream to skip repeats from the overlap (far more than one visitor gets in `overlapMs`). */
const SEEN_MAX = 200;
/** Messages sent at most to a browser that comes back after a while (the rest is in the history). */
const BACKLOG = 50;

/**
 * The web chat's outgoing side, served from the stored outbox (issue 18): a web chat message is the
 * outbox row itself, so the browser's stream can be held by any instance and survives a restart. The
 * instance whose dispatcher "sends" a row only wakes its feed (WebchatChannel.send); every instance
 * with open streams also looks every `pollMs` for rows other instances wrote (a Slack agent's reply
 * handled elsewhere, a campaign, the console's ticket reply), in one query for all its streams. A
 * reconnecting browser names the last id it has and gets what came after it from the database.
 */
export class WebchatFeed {
  private readonly streams = new Set<Stream>();
  private lastLook: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private warnedAt = 0;

  constructor(private readonly db: Database, private readonly log: Logger, private readonly options: WebchatFeedOptions = {}) {}

  /**
   * Opens a visitor's stream: first what is stored after `since` (the newest BACKLOG), then every new
   * message until `close`. An empty `since` means everything (a new visitor; the widget could not
   * read the history), a malformed one "from now" (a page from before an upgrade, which numbered
   * messages otherwise). `onStop` runs when the feed stops (the process is shutting down).
   */
  async listen(visitor: string, since: string, listener: WebchatListener, onStop: () => void): Promise<{ close: () => void }> {
    const from = since === "" || /^[0-9a-z]{13,}$/.test(since) ? since : idFloor(new Date());
    const stream: Stream = { visitor, since: from, seen: new Set(), listener, onStop };
    // The backlog first, then the stream joins the looks: a row committed in between is inside the
    // next look's overlap, and `seen` keeps what the backlog sent from going out twice.
    const identity = await this.db.prisma.channelIdentity.findUnique({ where: { channel_externalId: { channel: "webchat", externalId: visitor } }, select: { contactId: true } });
    if (identity) {
      const rows = await outboundSince(this.db, { channel: "webchat", afterId: from, contactId: identity.contactId, limit: 1000 });
      for (const r of rows.filter((x) => x.chatId === visitor).slice(-BACKLOG)) this.deliver(stream, r);
    }
    if (this.stopped) { onStop(); return { close: () => undefined }; }
    this.streams.add(stream);
    this.schedule();
    return { close: () => { this.streams.delete(stream); } };
  }

  /** Looks at once (this instance just sent a web chat message; its row is committed). */
  kick(): void {
    if (this.streams.size > 0) void this.poll();
  }

  /** Ends every open stream (browsers reconnect, to this instance when it is back or to another). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const s of this.streams) s.onStop();
    this.streams.clear();
  }

  /** Open streams on this instance (the tests and /metrics-like checks read it). */
  get open(): number {
    return this.streams.size;
  }

  private schedule(): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.poll().finally(() => { if (this.streams.size > 0) this.schedule(); });
    }, this.options.pollMs ?? 1_000);
    this.timer.unref?.();
  }

  /** One look; a look asked for while one runs runs once more right after it. */
  private poll(): Promise<void> {
    if (this.running) { this.again = true; return this.running; }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.look();
        } catch (error) {
          // Once a minute at most: a database outage would otherwise log every second per instance.
          if (Date.now() - this.warnedAt > 60_000) {
            this.warnedAt = Date.now();
            this.log.warn("web chat: could not read messages to stream; trying again every second", { error: error as Error });
          }
        }
      } while (this.again && !this.stopped);
    })().finally(() => { this.running = undefined; });
    return this.running;
  }

  private async look(): Promise<void> {
    if (this.streams.size === 0) return;
    const now = Date.now();
    // Back to `overlapMs` before the previous look began (a late commit, a delayed look), at most a minute.
    const after = idFloor(new Date(Math.max((this.lastLook ?? now) - (this.options.overlapMs ?? 5_000), now - 60_000)));
    this.lastLook = now;
    const visitors = [...new Set([...this.streams].map((s) => s.visitor))];
    const groups = visitors.length <= CHAT_IDS_PER_QUERY ? [visitors] : [undefined];
    for (const chatIds of groups) {
      let from = after;
      for (;;) {
        const rows = await outboundSince(this.db, { channel: "webchat", afterId: from, chatIds, limit: PAGE });
        for (const r of rows) for (const s of this.streams) if (s.visitor === r.chatId) this.deliver(s, r);
        if (rows.length > 0) from = rows.at(-1)!.id;
        if (rows.length < PAGE) break;
      }
    }
  }

  private deliver(stream: Stream, row: StoredOutbound): void {
    if (row.id <= stream.since || stream.seen.has(row.id)) return;
    stream.seen.add(row.id);
    if (stream.seen.size > SEEN_MAX) stream.seen.delete(stream.seen.values().next().value!);
    stream.listener(toWebchatMessage(row.id, row.message, row.createdAt));
  }
}

/** An outbound message as the widget reads it. */
export function toWebchatMessage(id: string, message: OutboundMessage, at: Date): WebchatMessage {
  return {
    id, text: message.text, at: at.toISOString(),
    ...(message.choices?.length ? { choices: message.choices.map((c) => ({ value: c.value, label: c.label })) } : {}),
    ...(message.choicesAreValues ? { choicesAreValues: true } : {}),
  };
}
