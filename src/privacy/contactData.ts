/**
 * Every table that holds data about a contact, and how export and erase treat it (issue 16). Export
 * and erase are driven by this list, and test/privacy/contactData.test.ts reads prisma/schema.prisma
 * and fails when a model that references a contact (a relation to Contact, a contactId-like column,
 * or a column naming a row of a listed model) is neither here nor in NOT_CONTACT_DATA. A new table
 * holding personal data therefore cannot ship without a decision about export and erasure.
 */

/** How a table's rows are tied to a contact. */
export type ContactLink =
  /** A column holding the contact's id (optionally only where other columns have given values). */
  | { field: string; when?: Record<string, string>; scrub?: Record<string, string | null> }
  /** Through a parent row (a ticket's messages): the parent's relation field and its contact column. */
  | { via: string; parentField: string };

/**
 * What erasing does to a table's rows:
 * - `delete`: gone (identities, conversation state, pending work);
 * - `keep`: kept for accounting and reports, moved to the pseudonymous contact, with `scrub`
 *   (column → replacement) removing every text a person wrote or that identifies them.
 */
export type ErasePolicy = { kind: "delete" } | { kind: "keep"; scrub: Record<string, string | boolean | null> };

/** One table holding contact data. */
export interface ContactTable {
  /** The Prisma model name (schema.prisma). */
  model: string;
  /** The key of this table's rows in the export document. */
  section: string;
  links: ContactLink[];
  erase: ErasePolicy;
  /** Why this policy: read by people deciding a new table's, and by auditors. */
  why: string;
}

/** Tables in the order erase processes them: a parent before the tables reached through it. */
export const CONTACT_TABLES: readonly ContactTable[] = [
  { model: "ChannelIdentity", section: "identities", links: [{ field: "contactId" }], erase: { kind: "delete" },
    why: "who the person is on each channel; gone, a later message from them starts a new, empty contact" },
  { model: "ConversationState", section: "conversation", links: [{ field: "contactId" }], erase: { kind: "delete" },
    why: "answers captured in a flow" },
  { model: "Interaction", section: "history", links: [{ field: "contactId" }],
    erase: { kind: "keep", scrub: { text: null, data: null, externalId: null, dedupeKey: null } },
    why: "the timeline keeps its shape (kinds and times, so counts stay right) without any text, payload, message id or update key" },
  { model: "LedgerEntry", section: "ledger", links: [{ field: "contactId" }], erase: { kind: "keep", scrub: {} },
    why: "accounting: balances must still equal their entries (rapport loyalty verify) and report totals stay" },
  { model: "Purchase", section: "purchases", links: [{ field: "contactId" }], erase: { kind: "keep", scrub: {} },
    why: "accounting: the shop's orders, refunds by order id and RFM figures" },
  { model: "PurchaseItem", section: "purchaseItems", links: [{ via: "purchase", parentField: "contactId" }], erase: { kind: "keep", scrub: {} },
    why: "the order's lines as the shop sent them (products and prices, nothing the person wrote): accounting and product ratings per sku" },
  { model: "Referral", section: "referrals", links: [{ field: "referrerId", scrub: { code: "erased" } }, { field: "friendId" }],
    erase: { kind: "keep", scrub: {} },
    why: "referral conversion in reports and the referrer's paid rewards; the erased referrer's code no longer works" },
  { model: "Ticket", section: "tickets", links: [{ field: "contactId" }], erase: { kind: "keep", scrub: { question: null, cardStale: false } },
    why: "support times and tickets per agent in reports; the question is removed (Slack copies are deleted through the Web API)" },
  { model: "TicketMessage", section: "ticketMessages", links: [{ via: "ticket", parentField: "contactId" }],
    erase: { kind: "keep", scrub: { text: "", lastError: null } },
    why: "the relay's rows keep delivery counts; every text is removed and undelivered ones are never sent" },
  { model: "OutboxMessage", section: "outbox", links: [{ field: "contactId" }], erase: { kind: "delete" },
    why: "messages owed to the person and recently sent (their texts are in the history too); nothing more may be sent to an erased person" },
  { model: "ScheduledJob", section: "scheduledJobs", links: [{ field: "contactId" }], erase: { kind: "delete" },
    why: "nothing more may be sent to an erased person" },
  { model: "ActionResult", section: "actionResults", links: [{ field: "contactId" }], erase: { kind: "delete" },
    why: "what a flow action answered, kept a week so a re-run turn answers alike (issue 13); answers can hold a referral code or ticket id, nothing accounting needs" },
  { model: "SurveyResponse", section: "surveyAnswers", links: [{ field: "contactId" }], erase: { kind: "keep", scrub: { comment: null } },
    why: "NPS and CSAT scores in reports; the comment is removed" },
  { model: "ProductReview", section: "productReviews", links: [{ field: "contactId" }], erase: { kind: "keep", scrub: { comment: null } },
    why: "product ratings per sku and the response rate in reports; the comment is removed" },
  { model: "Idea", section: "ideas", links: [{ field: "contactId" }], erase: { kind: "keep", scrub: { text: "" } },
    why: "others' votes stay counted; the text is removed and the idea is no longer shown (status erased)" },
  { model: "IdeaVote", section: "ideaVotes", links: [{ field: "contactId" }], erase: { kind: "keep", scrub: {} },
    why: "vote counts of other people's ideas stay right" },
  { model: "WebchatLinkCode", section: "webchatLinkCodes", links: [{ field: "contactId" }], erase: { kind: "delete" },
    why: "one-time codes joining a web chat visitor to a Telegram contact (hashes, times); nothing to keep once the person is gone" },
  { model: "CampaignDelivery", section: "campaignDeliveries", links: [{ field: "contactId" }], erase: { kind: "keep", scrub: { lastError: null } },
    why: "campaign reports keep their counts (sent, skipped, converted); the rows hold ids, statuses and times only, and nothing more is sent to an erased person" },
  { model: "AuditEntry", section: "audit", links: [{ field: "targetId", when: { targetType: "contact" } }], erase: { kind: "keep", scrub: {} },
    why: "who exported or changed this person's data; the rows hold ids and codes only, and point at the pseudonym afterwards" },
];

/**
 * Models that reference contact data but need no entry of their own, with the reason. The schema test
 * accepts these; anything else that references a contact must be in CONTACT_TABLES.
 */
export const NOT_CONTACT_DATA: Readonly<Record<string, string>> = {
  HandledMessage: "only interaction ids (no text, no contact id); the interactions they name are scrubbed, not deleted, so they stay valid",
};

/** The Prisma delegate name of a model (`TicketMessage` → `ticketMessage`). */
export function delegateName(model: string): string {
  return model.charAt(0).toLowerCase() + model.slice(1);
}

/** The Prisma `where` that selects a table's rows of one contact (any of its links). */
export function whereContact(table: ContactTable, contactId: string): Record<string, unknown> {
  const ors = table.links.map((l) => ("field" in l ? { [l.field]: contactId, ...(l.when ?? {}) } : { [l.via]: { [l.parentField]: contactId } }));
  return ors.length === 1 ? ors[0]! : { OR: ors };
}
