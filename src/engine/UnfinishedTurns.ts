import { idFloor } from "../core/ids";
import type { Logger } from "../core/log";
import type { Deliver } from "../core/Channel";
import type { InboundBody, InboundEvent, MediaKind } from "../core/message";
import type { Database } from "../db/Database";
import { listPlaceholders, sqlWith } from "../db/plan";

/** Settings for the recovery of unanswered messages; the defaults suit production. */
export interface UnfinishedTurnsOptions {
  /** How far back the first pass (at start) looks for stored messages that were never answered. */
  lookbackMs?: number;
  /** A message younger than this may still be in its turn (retrying through a short outage): left alone. */
  settleMs?: number;
  /** Messages handed to the engine per pass at most. */
  batch?: number;
}

/** An inbound history row whose turn never committed, with the address its channel knows the sender by. */
interface UnfinishedRow {
  id: string;
  occurred_at: Date | string | number;
  kind: string;
  channel: string;
  external_id: string | null;
  dedupe_key: string;
  text: string | null;
  data: string | null;
  user_id: string;
}

const DAY_MS = 24 * 3_600_000;

/**
 * Stored but never answered: a customer's message whose row committed while its turn did not (the
 * process was killed mid-turn, or the database went away for longer than DB_RETRY_SECONDS after the
 * message was stored). Polling confirms an update once it is stored, so Telegram will not send it
 * again; without this the customer would wait for an answer for ever while the history shows their
 * message. Each pass (the sweeper's, every minute, the first one at start) finds such rows — inbound,
 * with a dedupe key, no handled_messages row, old enough not to be in a turn right now — and hands
 * them to the engine again as the redelivery they would have been: the engine recognises the stored
 * row, sees it unhandled and runs its turn once (the per-customer queue, the version check and the
 * handled row keep a second instance or a late original from answering twice). Rows are walked by
 * their time-ordered primary key from where the last pass stopped, so no index on time is needed.
 */
export class UnfinishedTurns {
  private scannedTo: string | undefined;

  constructor(
    private readonly db: Database,
    private readonly deliver: Deliver,
    private readonly channels: () => string[],
    private readonly log: Logger,
    private readonly options: UnfinishedTurnsOptions = {},
  ) {}

  /** One pass: hands unanswered messages on attached channels to the engine; returns how many. */
  async recover(now = new Date()): Promise<number> {
    const channels = this.channels();
    if (channels.length === 0) return 0;
    const settle = this.options.settleMs ?? 120_000;
    const upTo = idFloor(new Date(now.getTime() - settle));
    // The first pass (at start) looks back a day; later ones continue where the last one stopped.
    const from = this.scannedTo ?? idFloor(new Date(now.getTime() - (this.options.lookbackMs ?? DAY_MS)));
    // A plain statement, not Prisma: this runs from the sweeper in every process (Database.prisma, issue 17).
    const rows = await this.db.query(sqlWith(
      `SELECT i.id, i.occurred_at, i.kind, i.channel, i.external_id, i.dedupe_key, i.text, i.data, ci.external_id AS user_id
         FROM interactions i
         JOIN channel_identities ci ON ci.contact_id = i.contact_id AND ci.channel = i.channel
         LEFT JOIN handled_messages h ON h.interaction_id = i.id
        WHERE i.id > ? AND i.id < ? AND i.direction = 'in' AND i.dedupe_key IS NOT NULL AND h.interaction_id IS NULL
          AND i.channel IN (${listPlaceholders(channels.length)})
        ORDER BY i.id LIMIT ${Math.trunc(this.options.batch ?? 100)}`,
      [from, upTo, ...channels],
    )) as unknown as UnfinishedRow[];
    let handed = 0;
    for (const row of rows) {
      const body = bodyOf(row);
      if (!body) continue; // its text was removed by retention: nothing left to answer
      this.log.warn("answering a message whose turn never finished (crash or outage after it was stored)", { interactionId: row.id, channel: row.channel });
      try {
        await this.deliver(eventOf(row, body));
        handed++;
      } catch (error) {
        // The database is still away, most likely: the next pass starts from the same place.
        this.log.error("could not answer a message whose turn never finished; will try again", { interactionId: row.id, error: error as Error });
        return handed;
      }
    }
    // A full batch: the next pass continues after its last row. Otherwise all up to `upTo` was seen; the
    // next pass still looks a minute further back (an id is taken a moment before its row commits).
    const batch = this.options.batch ?? 100;
    this.scannedTo = rows.length === batch ? rows.at(-1)!.id : idFloor(new Date(now.getTime() - settle - 60_000));
    return handed;
  }
}

/** The inbound body a stored row was made from (Engine's inboundRow, read backwards). */
function bodyOf(row: UnfinishedRow): InboundBody | undefined {
  const data = row.data ? (JSON.parse(row.data) as Record<string, unknown>) : {};
  if (row.kind === "text") return row.text === null ? undefined : { kind: "text", text: row.text };
  if (row.kind === "choice") return typeof data.value === "string" ? { kind: "choice", value: data.value, label: row.text ?? undefined } : undefined;
  if (row.kind === "command") return typeof data.command === "string" ? { kind: "command", command: data.command, payload: typeof data.payload === "string" ? data.payload : undefined } : undefined;
  if (row.kind.startsWith("media.")) {
    const { media, fileId, ...details } = data;
    const caption = row.text !== null && row.text !== `[${String(media)}]` ? row.text : undefined;
    return { kind: "media", media: String(media ?? row.kind.slice(6)) as MediaKind, fileId: typeof fileId === "string" ? fileId : undefined, caption, details };
  }
  return undefined;
}

function eventOf(row: UnfinishedRow, body: InboundBody): InboundEvent {
  return {
    channel: row.channel, sender: { externalUserId: row.user_id }, externalChatId: row.user_id,
    externalMessageId: row.external_id ?? undefined, dedupeKey: row.dedupe_key, receivedAt: new Date(row.occurred_at), body,
  };
}
