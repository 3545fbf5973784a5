import { parseCommand, type Choice, type InboundBody } from "../../core/message";

/**
 * Maps a typed line to a core body: `/cmd payload` is a command; a number that picks one of the
 * buttons last shown is a button press; anything else is text.
 */
export function terminalBody(line: string, lastChoices: Choice[] | undefined): InboundBody {
  const text = line.replace(/\r?\n$/, "");
  const command = parseCommand(text);
  if (command) return command;
  const n = Number(text.trim());
  if (lastChoices && Number.isInteger(n) && n >= 1 && n <= lastChoices.length) {
    const choice = lastChoices[n - 1]!;
    return { kind: "choice", value: choice.value, label: choice.label };
  }
  return { kind: "text", text };
}
