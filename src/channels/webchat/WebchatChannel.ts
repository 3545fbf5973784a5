import type { Channel, Deliver } from "../../core/Channel";
import type { Address, InboundBody, OutboundMessage } from "../../core/message";

/** What the widget receives for one bot (or staff) message. */
export interface WebchatMessage {
  /** Grows per visitor (milliseconds, or one more): the widget asks for what came after the last one it has. */
  seq: number;
  text: string;
  choices?: { value: string; label: string }[];
  /** The buttons stand for values (a 0-10 score): typing the value works too. */
  choicesAreValues?: boolean;
  at: string;
}

/** A browser connection waiting for messages (a server-sent events stream). */
export type WebchatListener = (message: WebchatMessage) => void;

interface VisitorLine {
  seq: number;
  recent: WebchatMessage[];
  listeners: Set<WebchatListener>;
  touched: number;
}

/** Messages kept per visitor for a browser that reconnects (a page reload, a dropped stream). */
const KEEP = 50;
/** Visitors kept in memory at most (least recently active forgotten first). */
const MAX_VISITORS = 20_000;

/**
 * The web chat: customers talk to the bot from a widget on any website (src/console/assets/widget.js)
 * over HTTP, messages in by POST and replies out by server-sent events (webchatRoutes.ts). Like the
 * other adapters it only translates: the engine, flows, history and support handoff are the same as
 * for Telegram. A visitor is `webchat:<id>`, the id a digest of a token the browser keeps.
 *
 * Replies wait in memory per visitor (the last 50) until the browser collects them, so with several
 * instances the web chat's requests must reach the instance holding the stream (sticky sessions by
 * address); the contact history has every message whatever happens here.
 */
export class WebchatChannel implements Channel {
  readonly name = "webchat";
  private deliver: Deliver | undefined;
  private readonly lines = new Map<string, VisitorLine>();
  private seqIn = 0;

  async start(deliver: Deliver): Promise<void> {
    this.deliver = deliver;
  }

  /** Stops taking messages and closes every open stream (browsers reconnect to another instance). */
  async stop(): Promise<void> {
    this.deliver = undefined;
    for (const line of this.lines.values()) line.listeners.clear();
    for (const close of this.closers) close();
    this.closers.clear();
  }

  private readonly closers = new Set<() => void>();

  async send(to: Address, message: OutboundMessage): Promise<{ externalMessageId?: string }> {
    const line = this.line(to.externalUserId);
    // Time-based, so numbers keep growing across restarts and a reconnecting browser misses nothing.
    line.seq = Math.max(line.seq + 1, Date.now());
    const m: WebchatMessage = { seq: line.seq, text: message.text, at: new Date().toISOString(),
      ...(message.choices?.length ? { choices: message.choices.map((c) => ({ value: c.value, label: c.label })) } : {}),
      ...(message.choicesAreValues ? { choicesAreValues: true } : {}) };
    line.recent.push(m);
    if (line.recent.length > KEEP) line.recent.shift();
    for (const l of line.listeners) l(m);
    return { externalMessageId: `web-${to.externalUserId.slice(0, 12)}-${m.seq}` };
  }

  /** A visitor's message: delivered to the engine; resolves once it is stored and answered. */
  async receive(visitorId: string, body: InboundBody, languageHint: string | undefined, displayName?: string): Promise<void> {
    if (!this.deliver) throw new Error("the webchat channel is not started");
    this.line(visitorId);
    await this.deliver({
      channel: this.name,
      sender: { externalUserId: visitorId, displayName, languageHint },
      externalChatId: visitorId,
      externalMessageId: `in-${Date.now().toString(36)}-${++this.seqIn}`,
      receivedAt: new Date(),
      body,
    });
  }

  /** Messages after `since` still in memory, then every new one, until `close` is called. */
  subscribe(visitorId: string, since: number, listener: WebchatListener, onStop: () => void): { backlog: WebchatMessage[]; close: () => void } {
    const line = this.line(visitorId);
    line.listeners.add(listener);
    this.closers.add(onStop);
    return {
      backlog: line.recent.filter((m) => m.seq > since),
      close: () => { line.listeners.delete(listener); this.closers.delete(onStop); },
    };
  }

  /** The newest sequence number sent to a visitor (0 when none in memory). */
  lastSeq(visitorId: string): number {
    return this.lines.get(visitorId)?.seq ?? 0;
  }

  private line(visitorId: string): VisitorLine {
    let line = this.lines.get(visitorId);
    if (line) {
      line.touched = Date.now();
      this.lines.delete(visitorId); // re-insert: the map's order is least recently active first
      this.lines.set(visitorId, line);
      return line;
    }
    if (this.lines.size >= MAX_VISITORS) {
      for (const [id, l] of this.lines) if (l.listeners.size === 0) { this.lines.delete(id); break; }
    }
    line = { seq: 0, recent: [], listeners: new Set(), touched: Date.now() };
    this.lines.set(visitorId, line);
    return line;
  }
}
