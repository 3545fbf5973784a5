import { describe, expect, it } from "vitest";
import { INTERACTION_COLUMNS, interactionValues, pushInteractionValues, type InteractionRow } from "../../src/history/InteractionRow";

const row = (id: string, text: string | null): InteractionRow => ({
  id, contactId: "c1", occurredAt: new Date("2026-12-07T14:00:00Z"), direction: "out", kind: "text", channel: "telegram",
  externalId: null, dedupeKey: null, actor: "bot", flowId: "signup", flowVersion: 2, stepId: "ask_email", text, data: null,
});

describe("pushInteractionValues", () => {
  it("appends each row's values in column order, as interactionValues gives them one row at a time", () => {
    const rows = [row("a", "Your email?"), row("b", null)];
    const out = pushInteractionValues(["before"], rows);
    expect(out).toEqual(["before", ...interactionValues(rows[0]!), ...interactionValues(rows[1]!)]);
    expect(out.length).toBe(1 + 2 * INTERACTION_COLUMNS.length);
    expect(out[1 + INTERACTION_COLUMNS.indexOf("text")]).toBe("Your email?");
  });
});
