import { describe, expect, it } from "vitest";
import { ask, retryKey, typeOf, typedChoice } from "../../../src/flows/steps/ask";
import type { Answer, ContactView, Flow, Step, StepContext } from "../../../src/flows/types";

const LABELS: Record<string, string> = { "t:q": "Pick one", "t:news": "News", "t:offers": "Special Offers" };

const contact: ContactView = { id: "c1", displayName: "Ann", username: null, locale: "en", points: 0, tier: "novice", segment: null, attributes: {} };
const flow = { id: "f", file: "flows/f.yaml", hash: "", source: "", triggers: [], steps: [], version: 1 } satisfies Flow;
const step: Step = { id: "q", kind: "ask", spec: {}, disabled: false, at: { line: 1, col: 1 } };
const ctx: StepContext = { flow, vars: {}, contact, t: (key) => LABELS[key] ?? `[${key}]` };

/** Parses a YAML-shaped spec through the step's schema, as the loader does. */
const spec = (raw: Record<string, unknown>) => ask.schema.parse(raw);
const text = (t: string): Answer => ({ kind: "text", text: t });
const press = (value: string): Answer => ({ kind: "choice", value });
const accept = (raw: Record<string, unknown>, answer: Answer) => ask.accept!(spec(raw), answer, ctx);

const choice = { ask: "t:q", save_as: "interest", choices: [{ value: "news", label: "t:news" }, { value: "offers", label: "t:offers" }] };

describe("ask", () => {
  describe("choice", () => {
    it("accepts a button press by value", () => {
      expect(accept(choice, press("offers"))).toEqual({ ok: true, value: "offers" });
    });

    it("accepts the value typed as text, trimmed", () => {
      expect(accept(choice, text("  news "))).toEqual({ ok: true, value: "news" });
    });

    it("accepts the translated label typed in any case", () => {
      expect(accept(choice, text("special OFFERS"))).toEqual({ ok: true, value: "offers" });
    });

    it("accepts the first words of exactly one label, as people type a short form of a button (issue 12)", () => {
      expect(accept(choice, text("special"))).toEqual({ ok: true, value: "offers" });
      expect(accept(choice, text("NEWS!"))).toEqual({ ok: true, value: "news" });
      expect(accept(choice, text("spec"))).toEqual({ ok: false }); // not a whole word
      expect(accept(choice, text("special offers please"))).toEqual({ ok: false }); // longer than the label: free text
    });

    it("rejects an unknown value, whether pressed or typed", () => {
      expect(accept(choice, press("events"))).toEqual({ ok: false });
      expect(accept(choice, text("events"))).toEqual({ ok: false });
    });

    it("does not match a pressed button by its label", () => {
      expect(accept(choice, press("News"))).toEqual({ ok: false });
    });

    it("shows the question with translated buttons and waits", () => {
      expect(ask.run(spec(choice), ctx, step)).toEqual({
        say: [{ text: "Pick one", choices: [{ value: "news", label: "News" }, { value: "offers", label: "Special Offers" }] }],
        wait: true,
      });
    });
  });

  describe("typedChoice", () => {
    const yesNo = [{ value: "yes", label: "Yes, please" }, { value: "no", label: "No, thanks" }];
    it("reads a typed label, or the start of one, ignoring case and punctuation", () => {
      expect(typedChoice("yes please", yesNo)).toBe("yes");
      expect(typedChoice("No", yesNo)).toBe("no");
      expect(typedChoice("да", [{ value: "yes", label: "Да, пожалуйста" }, { value: "no", label: "Нет, спасибо" }])).toBe("yes");
      expect(typedChoice("不用了", [{ value: "yes", label: "好，麻煩了" }, { value: "no", label: "不用了，謝謝" }])).toBe("no"); // Chinese: no spaces between words
    });

    it("picks nothing when two labels start alike, or for empty text", () => {
      expect(typedChoice("my", [{ value: "a", label: "My points" }, { value: "b", label: "My orders" }])).toBeUndefined();
      expect(typedChoice("  !! ", yesNo)).toBeUndefined();
    });

    it("reads whole words from inside exactly one label (\"thanks\" at a yes/no offer is the no)", () => {
      expect(typedChoice("Thanks!", yesNo)).toBe("no");
      expect(typedChoice("спасибо", [{ value: "yes", label: "Да, пожалуйста" }, { value: "no", label: "Нет, спасибо" }])).toBe("no");
      expect(typedChoice("謝謝", [{ value: "yes", label: "好，麻煩了" }, { value: "no", label: "不用了，謝謝" }])).toBe("no");
      expect(typedChoice("points", [{ value: "a", label: "Ask a question" }, { value: "b", label: "My points" }])).toBe("b");
    });

    it("never picks a button for a fragment of a word, a short word, or a word in two labels", () => {
      expect(typedChoice("thank", yesNo)).toBeUndefined();
      expect(typedChoice("a", [{ value: "a", label: "Ask a question" }])).toBeUndefined();
      expect(typedChoice("points", [{ value: "a", label: "My points" }, { value: "b", label: "Spend points" }])).toBeUndefined();
      expect(typedChoice("how do I earn points", [{ value: "a", label: "Ask a question" }, { value: "b", label: "My points" }])).toBeUndefined();
    });
  });

  describe("rating", () => {
    const rating = { ask: "t:q", type: "rating", save_as: "score" };

    it("offers buttons 1..5 by default", () => {
      expect(ask.run(spec(rating), ctx, step).say?.[0]?.choices).toEqual(
        ["1", "2", "3", "4", "5"].map((v) => ({ value: v, label: v })),
      );
    });

    it("marks its buttons as values, so a channel that numbers buttons keeps a typed 9 as 9", () => {
      expect(ask.run(spec(rating), ctx, step).say?.[0]?.choicesAreValues).toBe(true);
      expect(ask.run(spec(choice), ctx, step).say?.[0]?.choicesAreValues).toBeUndefined();
    });

    it("accepts 1..5 as numbers, pressed or typed", () => {
      expect(accept(rating, press("1"))).toEqual({ ok: true, value: 1 });
      expect(accept(rating, text("5"))).toEqual({ ok: true, value: 5 });
    });

    it("rejects 6, 0 and words", () => {
      expect(accept(rating, text("6"))).toEqual({ ok: false });
      expect(accept(rating, press("0"))).toEqual({ ok: false });
      expect(accept(rating, text("five"))).toEqual({ ok: false });
    });

    it("follows a custom scale", () => {
      const ten = { ...rating, scale: 10 };
      expect(ask.run(spec(ten), ctx, step).say?.[0]?.choices).toHaveLength(10);
      expect(accept(ten, text("10"))).toEqual({ ok: true, value: 10 });
      expect(accept(ten, text("11"))).toEqual({ ok: false });
      expect(accept({ ...rating, scale: 3 }, text("4"))).toEqual({ ok: false });
    });

    it("refuses scales outside 2..10", () => {
      expect(ask.schema.safeParse({ ...rating, scale: 1 }).success).toBe(false);
      expect(ask.schema.safeParse({ ...rating, scale: 11 }).success).toBe(false);
    });
  });

  describe("number", () => {
    const number = { ask: "t:q", type: "number", save_as: "n", min: 1, max: 10 };

    it("accepts numbers within min..max, inclusive", () => {
      expect(accept(number, text("1"))).toEqual({ ok: true, value: 1 });
      expect(accept(number, text(" 10 "))).toEqual({ ok: true, value: 10 });
      expect(accept(number, text("7.25"))).toEqual({ ok: true, value: 7.25 });
    });

    it("accepts a decimal comma", () => {
      expect(accept(number, text("3,5"))).toEqual({ ok: true, value: 3.5 });
    });

    it("rejects numbers outside the range and non-numbers", () => {
      expect(accept(number, text("0.99"))).toEqual({ ok: false });
      expect(accept(number, text("10.5"))).toEqual({ ok: false });
      expect(accept(number, text("ten"))).toEqual({ ok: false });
      expect(accept(number, text("Infinity"))).toEqual({ ok: false });
    });

    it("has no range without min/max", () => {
      expect(accept({ ask: "t:q", type: "number", save_as: "n" }, text("-12345"))).toEqual({ ok: true, value: -12345 });
    });

    it("shows no buttons and rejects a button press", () => {
      expect(ask.run(spec(number), ctx, step).say?.[0]?.choices).toBeUndefined();
      expect(accept(number, press("5"))).toEqual({ ok: false });
    });
  });

  describe("email", () => {
    const email = { ask: "t:q", type: "email", save_as: "email" };

    it("accepts an address and stores it lowercased and trimmed", () => {
      expect(accept(email, text("  Ann.Lee+news@Example.COM "))).toEqual({ ok: true, value: "ann.lee+news@example.com" });
    });

    it.each(["ann", "ann@", "ann@example", "ann@example.c", "ann lee@example.com", "@example.com", "ann@@example.com"])("rejects %j", (input) => {
      expect(accept(email, text(input))).toEqual({ ok: false });
    });
  });

  describe("text", () => {
    const free = { ask: "t:q", save_as: "note" };

    it("accepts any words, trimmed", () => {
      expect(accept(free, text("  my parcel is late \n"))).toEqual({ ok: true, value: "my parcel is late" });
    });

    it("rejects empty and whitespace-only answers", () => {
      expect(accept(free, text(""))).toEqual({ ok: false });
      expect(accept(free, text(" \n\t "))).toEqual({ ok: false });
    });

    it("rejects a button press (from an older message)", () => {
      expect(accept(free, press("news"))).toEqual({ ok: false });
    });
  });

  describe("schema", () => {
    it("needs choices on a choice question and refuses them elsewhere", () => {
      expect(ask.schema.safeParse({ ask: "t:q", type: "choice", save_as: "x" }).error?.issues[0]?.message).toBe("a choice question needs `choices`");
      expect(ask.schema.safeParse({ ...choice, type: "email" }).error?.issues[0]?.message).toBe("`choices` only go with type: choice (this question is type: email)");
    });

    it("knows interruptions: true|false, and nothing else there", () => {
      expect(spec({ ask: "t:q", save_as: "x", interruptions: false }).interruptions).toBe(false);
      expect(ask.schema.safeParse({ ask: "t:q", save_as: "x", interruptions: "no" }).success).toBe(false);
    });

    it("accepts a counted prompt", () => {
      expect(spec({ ask: { key: "t:q", count: "vars.n" }, save_as: "x" }).ask).toEqual({ key: "t:q", count: "vars.n" });
    });

    it("limits choice values to 48 characters (Telegram's callback data is 64 bytes)", () => {
      expect(ask.schema.safeParse({ ...choice, choices: [{ value: "v".repeat(48), label: "t:a" }] }).success).toBe(true);
      expect(ask.schema.safeParse({ ...choice, choices: [{ value: "v".repeat(49), label: "t:a" }] }).success).toBe(false);
    });
  });

  describe("typeOf and retryKey", () => {
    it("infers choice from choices, else text", () => {
      expect(typeOf({ choices: [{ value: "a", label: "b" }] })).toBe("choice");
      expect(typeOf({})).toBe("text");
      expect(typeOf({ type: "rating" })).toBe("rating");
    });

    it("defaults the retry text to common:retry.<type>", () => {
      expect(retryKey(spec(choice))).toBe("common:retry.choice");
      expect(retryKey(spec({ ask: "t:q", save_as: "x" }))).toBe("common:retry.text");
      expect(retryKey(spec({ ask: "t:q", type: "email", save_as: "x" }))).toBe("common:retry.email");
      expect(retryKey(spec({ ask: "t:q", type: "number", save_as: "x", retry: "t:again" }))).toBe("t:again");
    });
  });

  it("lists its texts and its give-up target for the linter", () => {
    const s = spec({ ...choice, on_give_up: "menu" });
    expect(ask.keys(s)).toEqual(["t:q", "common:retry.choice", "t:news", "t:offers"]);
    expect(ask.targets(s)).toEqual(["menu"]);
    expect(ask.targets(spec(choice))).toEqual([]);
  });
});
