import type { OutboundMessage } from "../../core/message";

/**
 * Renders a reply for a terminal: the text, then buttons as a numbered list ("  1) Ask a question"),
 * typed by number. Buttons that stand for values (a 0-10 score) are shown as the values themselves
 * ("  [0] [1] … [10]"): the customer types the value, so a position must not be on screen.
 */
export function renderForTerminal(message: OutboundMessage): string {
  const lines = [message.text];
  if (message.choicesAreValues && message.choices?.length) lines.push(`  ${message.choices.map((c) => `[${c.label}]`).join(" ")}`);
  else message.choices?.forEach((c, i) => lines.push(`  ${i + 1}) ${c.label}`));
  return lines.join("\n");
}
