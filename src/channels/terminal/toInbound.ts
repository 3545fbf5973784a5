import { parseCommand, type Choice, type InboundBody } from "../../core/message";

/** The buttons of the newest message, as the terminal showed them. */
export interface ShownButtons {
  choices: Choice[];
  /** Shown as their values (`choicesAreValues`): a typed number is that value, never a position. */
  values?: boolean;
}

/**
 * Maps a typed line to a core body: `/cmd payload` is a command; a number that picks one of the
 * numbered buttons last shown is a button press; anything else (also a number typed where the
 * buttons are values, such as a 0-10 score) is text, which the question reads as typed.
 */
export function terminalBody(line: string, shown: ShownButtons | undefined): InboundBody {
  const text = line.replace(/\r?\n$/, "");
  const command = parseCommand(text);
  if (command) return command;
  const n = Number(text.trim());
  if (shown && !shown.values && Number.isInteger(n) && n >= 1 && n <= shown.choices.length) {
    const choice = shown.choices[n - 1]!;
    return { kind: "choice", value: choice.value, label: choice.label };
  }
  return { kind: "text", text };
}
