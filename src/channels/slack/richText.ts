/** A run of text in a rich_text block, shown exactly as given; the style is ours, never the customer's. */
export interface RichRun {
  text: string;
  style?: { bold?: boolean; italic?: boolean };
}

/** Slack documents no length limit for a rich text element; a section's 3,000 characters is the cautious one. */
const RUN_LIMIT = 3000;

/**
 * A Block Kit `rich_text` block (a paragraph, or a quote) of literal runs. Customers' words go to
 * Slack this way (issue #13): a `text` element is not parsed as mrkdwn, so `*bold*`, `_x_`, `~x~`,
 * `` `x` ``, a leading `>`, `<!channel>`, `<@U…>` and `<https://…|label>` all show as typed, and a
 * customer cannot bold a line to pass it off as another speaker. Mentions and links would need
 * elements of their own (`user`, `link`), which only Rapport writes.
 */
export function richTextBlock(runs: RichRun[], kind: "section" | "quote" = "section"): unknown {
  const elements = runs.flatMap((r) => chunks(r.text).map((text) => (r.style ? { type: "text", text, style: r.style } : { type: "text", text })));
  return { type: "rich_text", elements: [{ type: kind === "quote" ? "rich_text_quote" : "rich_text_section", elements }] };
}

function chunks(text: string): string[] {
  const out: string[] = [];
  const chars = [...text]; // never split a surrogate pair
  for (let i = 0; i < chars.length; i += RUN_LIMIT) out.push(chars.slice(i, i + RUN_LIMIT).join(""));
  return out.length > 0 ? out : [""];
}
