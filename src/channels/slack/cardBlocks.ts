import type { TicketCard } from "../../support/TicketCard";
import type { ThreadNote } from "../../support/StaffDesk";
import { richTextBlock, type RichRun } from "./richText";

/** Action ids of the card's buttons; the button's value is the ticket id. */
export const CARD_ACTIONS = { claim: "rapport.ticket.claim", resolve: "rapport.ticket.resolve", handBack: "rapport.ticket.hand_back" } as const;

/**
 * Escapes Slack's control characters (`& < >`), so a customer's `<!channel>` or `<https://…|x>` is
 * shown, not run. Enough for the notification fallback `text` (sent with `mrkdwn: false`); it does
 * not stop `*bold*` or a leading `>`, so customer text on a card or in a thread goes in
 * plain_text or rich text blocks instead (richText.ts).
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Slack limits a plain-text header to 150 characters. */
function header(text: string): string {
  return [...text].length > 150 ? `${[...text].slice(0, 149).join("")}…` : text;
}

function mention(actor: string | null): string {
  return actor?.startsWith("agent:") ? `<@${actor.slice(6)}>` : actor === "customer" ? "the customer" : (actor ?? "someone");
}

/** The card's state line: waiting, claimed by whom, or how it was closed. */
export function statusLine(card: TicketCard): string {
  switch (card.status) {
    case "open":
      return card.unanswered ? "⏳ Waiting for a person (the customer was told nobody has answered yet)" : "⏳ Waiting for a person";
    case "claimed":
      return `🙋 Claimed by ${mention(card.assignee)}`;
    case "resolved":
      return `✅ Resolved by ${mention(card.closedBy)}`;
    case "handed_back":
      return `↩️ Handed back to the bot by ${mention(card.closedBy)}`;
    case "cancelled":
      return "🚫 The customer stopped waiting";
  }
}

const ARROW: Record<string, string> = { in: "→", out: "←", event: "•" };

/**
 * Renders a ticket card as Block Kit, with a plain-text fallback for notifications. Everything the
 * customer chose (name, username, question, history) is in plain_text or rich text, never mrkdwn:
 * it shows as typed, and cannot format, mention, link or look like one of our labels.
 */
export function cardMessage(card: TicketCard): { text: string; blocks: unknown[]; mrkdwn: false } {
  const c = card.customer;
  const who = `${c.name}${c.username ? ` (@${c.username})` : ""}`;
  const opened = Math.floor(card.openedAt.getTime() / 1000);
  const blocks: unknown[] = [
    { type: "header", text: { type: "plain_text", text: header(`Support: ${who}`), emoji: true } },
    { type: "section", fields: [
      { type: "plain_text", text: `Customer: ${who}`, emoji: true },
      { type: "mrkdwn", text: `*Language · channel*\n${c.locale} · ${c.channel ?? "unknown"}` },
      { type: "mrkdwn", text: `*Tier · points*\n${c.tier} · ${c.points}${c.segment ? ` · ${c.segment}` : ""}` },
      { type: "mrkdwn", text: `*Opened*\n<!date^${opened}^{date_short_pretty} {time}|${card.openedAt.toISOString()}>` },
    ] },
    { type: "section", text: { type: "mrkdwn", text: `*Question*${card.questionTruncated ? " _(shortened; the full text is in the thread)_" : ""}` } },
    richTextBlock([{ text: card.question || "(none given)" }], "quote"),
  ];
  if (card.history.length > 0) {
    const runs: RichRun[] = card.history.flatMap((h, i) => [
      { text: `${i > 0 ? "\n" : ""}${ARROW[h.direction] ?? "•"} ` },
      { text: h.actor, style: { italic: true } },
      { text: ` ${h.text}` },
    ]);
    blocks.push({ type: "section", text: { type: "mrkdwn", text: "*Recent history*" } }, richTextBlock(runs));
  }
  blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: `${statusLine(card)} · ticket ${card.ticketId} · reply in the thread to answer; \`note: …\` stays internal; \`resolve\` closes` }] });
  const buttons: unknown[] = [];
  if (card.status === "open") buttons.push({ type: "button", action_id: CARD_ACTIONS.claim, text: { type: "plain_text", text: "Claim" }, style: "primary", value: card.ticketId });
  if (card.status === "open" || card.status === "claimed") buttons.push({ type: "button", action_id: CARD_ACTIONS.resolve, text: { type: "plain_text", text: "Resolve" }, value: card.ticketId });
  if (card.status === "claimed") buttons.push({ type: "button", action_id: CARD_ACTIONS.handBack, text: { type: "plain_text", text: "Hand back" }, value: card.ticketId });
  if (buttons.length > 0) blocks.push({ type: "actions", block_id: "ticket", elements: buttons });
  return { text: `Support ticket from ${escapeMrkdwn(who)}: ${statusLine(card)}`, blocks, mrkdwn: false };
}

/** A thread message as Slack takes it: the notification fallback `text`, and blocks when there is customer text. */
export interface ThreadMessage {
  text: string;
  blocks?: unknown[];
  mrkdwn?: false;
}

/**
 * Renders something for a ticket's thread. The customer's words: their name in bold (ours) and
 * their text as literal rich text, so nothing they type can format, mention, link, or bold a line to
 * fake a speaker; the fallback text is escaped and sent with `mrkdwn: false`. A notice for staff is
 * our own mrkdwn (it may mention people), in italics.
 */
export function threadMessage(note: ThreadNote): ThreadMessage {
  if (note.kind === "notice") return { text: `_${note.text}_` };
  return {
    text: `${escapeMrkdwn(note.name)}: ${escapeMrkdwn(note.text)}`,
    blocks: [richTextBlock([{ text: `${note.name}:`, style: { bold: true } }, { text: ` ${note.text}` }])],
    mrkdwn: false,
  };
}
