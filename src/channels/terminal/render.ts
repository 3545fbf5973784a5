import type { OutboundMessage } from "../../core/message";

/** Renders a reply for a terminal: the text, then buttons as a numbered list ("  1) Ask a question"). */
export function renderForTerminal(message: OutboundMessage): string {
  const lines = [message.text];
  message.choices?.forEach((c, i) => lines.push(`  ${i + 1}) ${c.label}`));
  return lines.join("\n");
}
