import { ContactNotFoundError } from "../core/errors";
import { newId } from "../core/ids";
import type { Prisma } from "../db/Database";
import { recordAudit } from "../audit/record";
import type { StaffRef } from "../support/StaffDesk";
import { CONTACT_TABLES, delegateName, whereContact, type ContactTable } from "./contactData";
import { AlreadyErasedError } from "./errors";

/** Staff-side copies of a ticket found before erasing: the card and the thread messages known to the database. */
export interface TicketCopies {
  ticketId: string;
  card: StaffRef;
  /** Thread messages the bot posted (customers' words). */
  posted: StaffRef[];
  /** Staff members' own replies in the thread (not the bot's to remove). */
  staffReplies: StaffRef[];
}

/** What an erase will do (the dry run) or did: rows per export section, and the Slack copies. */
export interface ErasePlan {
  contactId: string;
  /** Rows per section, and whether they go (`delete`) or stay without personal data (`keep`). */
  tables: { section: string; rows: number; action: "delete" | "keep" }[];
  copies: TicketCopies[];
}

type Delegate = {
  count(args: unknown): Promise<number>;
  deleteMany(args: unknown): Promise<{ count: number }>;
  updateMany(args: unknown): Promise<{ count: number }>;
};

/** Erasing rewrites every row of one person; on SQLite other writers wait, so allow it time. */
const ERASE_TX = { maxWait: 30_000, timeout: 120_000 } as const;

/** Counts what erasing the contact would touch, without changing anything (`rapport contacts erase` without --yes). */
export async function planErase(prisma: Prisma, contactId: string): Promise<ErasePlan> {
  const contact = await prisma.contact.findUnique({ where: { id: contactId }, select: { erasedAt: true } });
  if (!contact) throw new ContactNotFoundError(contactId);
  if (contact.erasedAt) throw new AlreadyErasedError(contactId, contact.erasedAt);
  const tables = [];
  for (const table of CONTACT_TABLES) {
    tables.push({ section: table.section, rows: await delegate(prisma, table).count({ where: whereContact(table, contactId) }), action: table.erase.kind });
  }
  return { contactId, tables, copies: await ticketCopies(prisma, contactId) };
}

/**
 * Erases a person in one transaction: their accounting rows (ledger, purchases, referrals, tickets,
 * survey scores, votes) move to a new pseudonymous contact with every text they wrote and every
 * identifier removed; identities, conversation state and scheduled work are deleted; the original
 * contact row goes. So `rapport loyalty verify` still passes, report totals do not change, nothing
 * more is sent to them, and a later message from the same account starts a new, empty contact.
 * Copies of their ideas' text in other customers' history go too. The erase is recorded in the audit
 * log (when, by whom, the pseudonym), not what was erased. Slack copies are the caller's next step
 * (the returned plan lists them), since no external call belongs inside a database transaction.
 */
export async function eraseContact(prisma: Prisma, contactId: string, actor: string, now = new Date()): Promise<{ pseudonym: string; plan: ErasePlan }> {
  const plan = await planErase(prisma, contactId);
  const pseudonym = newId();
  await prisma.$transaction(async (tx) => {
    const c = await tx.contact.findUnique({ where: { id: contactId } });
    if (!c) throw new ContactNotFoundError(contactId); // erased meanwhile by someone else
    if (c.erasedAt) throw new AlreadyErasedError(contactId, c.erasedAt);
    await tx.contact.create({ data: {
      id: pseudonym, points: c.points, lifetimePoints: c.lifetimePoints, tier: c.tier, segment: c.segment, rfmRecency: c.rfmRecency,
      rfmFrequency: c.rfmFrequency, rfmMonetary: c.rfmMonetary, segmentAt: c.segmentAt, createdAt: c.createdAt, updatedAt: now,
      unreachable: true, erasedAt: now,
    } });
    const ideas = (await tx.idea.findMany({ where: { contactId }, select: { id: true } })).map((i) => i.id);
    // Before the rows move: what must not be delivered any more, and states that would keep a ticket going.
    await tx.ticketMessage.updateMany({ where: { ticket: { contactId }, status: { in: ["pending", "queued"] } }, data: { status: "failed" } });
    await tx.ticket.updateMany({ where: { contactId, status: { in: ["open", "claimed"] } }, data: { status: "cancelled", closedAt: now, closedBy: "system" } });
    await tx.idea.updateMany({ where: { contactId }, data: { status: "erased", reviewReason: null, updatedAt: now } });
    for (const table of CONTACT_TABLES) await eraseTable(tx as unknown as Prisma, table, contactId, pseudonym);
    // Idea texts copied into other customers' history (votes, status news) and their pending news.
    for (const ideaId of ideas) {
      const mentions = { contains: `"ideaId":"${ideaId}"` };
      await tx.interaction.updateMany({ where: { kind: { startsWith: "idea." }, data: mentions }, data: { text: null } });
      await tx.scheduledJob.deleteMany({ where: { name: { startsWith: "idea." }, data: mentions } });
    }
    // Keys and references that embed the old contact id (registration:<id>, …) would link the pseudonym
    // back to it: logs carry contact ids. Every text column of every kept row is rewritten.
    for (const table of CONTACT_TABLES) if (table.erase.kind === "keep") await replaceOldId(tx as unknown as Prisma, table, stringColumns(prisma, table.model), contactId, pseudonym);
    await tx.contact.delete({ where: { id: contactId } });
    await recordAudit(tx, { actor, action: "contact.erase", target: { type: "contact", id: pseudonym }, at: now });
  }, ERASE_TX);
  return { pseudonym, plan };
}

/** Applies a table's erase policy to one contact's rows; `keep` rows move to the pseudonym, scrubbed. */
async function eraseTable(tx: Prisma, table: ContactTable, contactId: string, pseudonym: string): Promise<void> {
  const rows = delegate(tx, table);
  if (table.erase.kind === "delete") {
    await rows.deleteMany({ where: whereContact(table, contactId) });
    return;
  }
  for (const link of table.links) {
    if ("field" in link) {
      await rows.updateMany({ where: { [link.field]: contactId, ...(link.when ?? {}) }, data: { [link.field]: pseudonym, ...table.erase.scrub, ...(link.scrub ?? {}) } });
    } else if (Object.keys(table.erase.scrub).length > 0) {
      // Reached through a parent that moved already (CONTACT_TABLES lists parents first).
      await rows.updateMany({ where: { [link.via]: { [link.parentField]: pseudonym } }, data: table.erase.scrub });
    }
  }
}

/** Replaces `oldId` inside the kept rows' text columns (idempotency keys, JSON) with the pseudonym. */
async function replaceOldId(tx: Prisma, table: ContactTable, columns: string[], oldId: string, pseudonym: string): Promise<void> {
  const rows = delegate(tx, table) as Delegate & { findMany(args: unknown): Promise<Record<string, string | null>[]> };
  const mine = whereContact(table, pseudonym);
  for (const column of columns) {
    const hits = await rows.findMany({ where: { AND: [mine, { [column]: { contains: oldId } }] }, select: { [column]: true }, distinct: [column] });
    for (const hit of hits) {
      const value = hit[column]!;
      await rows.updateMany({ where: { AND: [mine, { [column]: value }] }, data: { [column]: value.split(oldId).join(pseudonym) } });
    }
  }
}

/** The String columns of a model, from the generated client's data model (so new columns are covered). */
function stringColumns(prisma: Prisma, model: string): string[] {
  const dataModel = (prisma as unknown as { _runtimeDataModel?: { models: Record<string, { fields: { name: string; kind: string; type: string }[] }> } })._runtimeDataModel;
  const fields = dataModel?.models[model]?.fields;
  if (!fields) throw new Error(`erase: the database client does not describe model ${model}; regenerate it (node scripts/prisma-generate.mjs)`);
  return fields.filter((f) => f.kind === "scalar" && f.type === "String").map((f) => f.name);
}

/** The Slack cards and thread messages of the contact's tickets, as the database knows them. */
async function ticketCopies(prisma: Prisma, contactId: string): Promise<TicketCopies[]> {
  const tickets = await prisma.ticket.findMany({
    where: { contactId, cardRef: { not: null }, staffChannel: { not: null }, NOT: { cardRef: { startsWith: "posting:" } } },
    select: { id: true, cardRef: true, staffChannel: true, messages: { where: { staffRef: { not: null } }, select: { direction: true, staffRef: true } } },
    orderBy: { createdAt: "asc" },
  });
  return tickets.map((t) => {
    const ref = (ts: string) => ({ channel: t.staffChannel!, ts });
    return {
      ticketId: t.id, card: ref(t.cardRef!),
      posted: t.messages.filter((m) => m.direction === "to_staff").map((m) => ref(m.staffRef!)),
      staffReplies: t.messages.filter((m) => m.direction === "to_customer").map((m) => ref(m.staffRef!)),
    };
  });
}

function delegate(prisma: Prisma, table: ContactTable): Delegate {
  const d = (prisma as unknown as Record<string, Delegate>)[delegateName(table.model)];
  if (!d) throw new Error(`erase: the database client has no model ${table.model}; regenerate it (node scripts/prisma-generate.mjs)`);
  return d;
}
