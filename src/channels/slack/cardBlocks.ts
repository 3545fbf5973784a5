import type { TicketCard } from "../../support/TicketCard";
import type { ThreadNote } from "../../support/StaffDesk";

/** Action ids of the card's buttons; the button's value is the ticket id. */
export const CARD_ACTIONS = { claim: "rapport.ticket.claim", resolve: "rapport.ticket.resolve", handBack: "rapport.ticket.hand_back" } as const;

/** Escapes text for Slack mrkdwn, so a customer's `<!channel>` or `<https://…|x>` is shown, not run. */
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

/** Slack refuses a section text over 3,000 characters (the whole card then fails): cut before that. */
const SECTION_LIMIT = 3000;

function withinSectionLimit(text: string): string {
  if (text.length <= SECTION_LIMIT) return text;
  const cut = text.slice(0, SECTION_LIMIT - 2).replace(/&[a-z]*$/, ""); // not in the middle of an &lt;
  const nl = cut.lastIndexOf("\n");
  return `${nl > SECTION_LIMIT / 2 ? cut.slice(0, nl) : cut}\n…`;
}

const ARROW: Record<string, string> = { in: "→", out: "←", event: "•" };

/** Renders a ticket card as Block Kit, with a plain-text fallback for notifications. */
export function cardMessage(card: TicketCard): { text: string; blocks: unknown[] } {
  const c = card.customer;
  const who = `${c.name}${c.username ? ` (@${c.username})` : ""}`;
  const opened = Math.floor(card.openedAt.getTime() / 1000);
  const blocks: unknown[] = [
    { type: "header", text: { type: "plain_text", text: header(`Support: ${who}`), emoji: true } },
    { type: "section", fields: [
      { type: "mrkdwn", text: `*Customer*\n${escapeMrkdwn(who)}` },
      { type: "mrkdwn", text: `*Language · channel*\n${c.locale} · ${c.channel ?? "unknown"}` },
      { type: "mrkdwn", text: `*Tier · points*\n${c.tier} · ${c.points}${c.segment ? ` · ${c.segment}` : ""}` },
      { type: "mrkdwn", text: `*Opened*\n<!date^${opened}^{date_short_pretty} {time}|${card.openedAt.toISOString()}>` },
    ] },
    { type: "section", text: { type: "mrkdwn", text: withinSectionLimit(`*Question*\n>${escapeMrkdwn(card.question || "(none given)").replace(/\n/g, "\n>")}${card.questionTruncated ? "\n_(shortened; the full text is in the thread)_" : ""}`) } },
  ];
  if (card.history.length > 0) {
    const lines = card.history.map((h) => `${ARROW[h.direction] ?? "•"} _${escapeMrkdwn(h.actor)}_ ${escapeMrkdwn(h.text)}`);
    blocks.push({ type: "section", text: { type: "mrkdwn", text: withinSectionLimit(`*Recent history*\n${lines.join("\n")}`) } });
  }
  blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: `${statusLine(card)} · ticket ${card.ticketId} · reply in the thread to answer; \`note: …\` stays internal; \`resolve\` closes` }] });
  const buttons: unknown[] = [];
  if (card.status === "open") buttons.push({ type: "button", action_id: CARD_ACTIONS.claim, text: { type: "plain_text", text: "Claim" }, style: "primary", value: card.ticketId });
  if (card.status === "open" || card.status === "claimed") buttons.push({ type: "button", action_id: CARD_ACTIONS.resolve, text: { type: "plain_text", text: "Resolve" }, value: card.ticketId });
  if (card.status === "claimed") buttons.push({ type: "button", action_id: CARD_ACTIONS.handBack, text: { type: "plain_text", text: "Hand back" }, value: card.ticketId });
  if (buttons.length > 0) blocks.push({ type: "actions", block_id: "ticket", elements: buttons });
  return { text: `Support ticket from ${escapeMrkdwn(who)}: ${statusLine(card)}`, blocks };
}

/** Renders something for a ticket's thread: the customer's words (escaped) or a notice for staff. */
export function threadText(note: ThreadNote): string {
  return note.kind === "customer" ? `*${escapeMrkdwn(note.name)}:* ${escapeMrkdwn(note.text)}` : `_${note.text}_`;
}
