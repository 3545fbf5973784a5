import { describe, expect, it } from "vitest";
import { readAtQuestion, type AtQuestionInput, type QuestionSpec } from "../../src/flows/interruptions";
import type { Flow } from "../../src/flows/types";

const balance: Flow = { id: "balance", file: "flows/balance.yaml", hash: "", source: "", triggers: [], steps: [], version: 1 };
const keyword = { flow: balance, vars: {} };
const menu: QuestionSpec = { choices: [{ value: "points", label: "welcome:menu.points" }] };

function read(question: QuestionSpec, over: Partial<AtQuestionInput> = {}) {
  return readAtQuestion({ question, answer: { kind: "text", text: "points" }, check: { ok: false }, canDigress: true, ...over }).kind;
}

describe("readAtQuestion (issue 12: what a message at an open question is)", () => {
  it("a press of one of the question's buttons is the answer", () => {
    expect(readAtQuestion({ question: menu, answer: { kind: "choice", value: "points" }, check: { ok: true, value: "points" }, canDigress: true })).toEqual({ kind: "answer", value: "points" });
  });

  it("a typed button label is the answer even when it is also a keyword", () => {
    expect(read(menu, { check: { ok: true, value: "points" }, keyword })).toBe("answer");
    expect(read({ type: "rating", min: 0 } as QuestionSpec, { check: { ok: true, value: 9 }, keyword })).toBe("answer");
  });

  it("a keyword starts its flow at every question type, even where the text would be a valid answer", () => {
    expect(readAtQuestion({ question: { type: "text" }, answer: { kind: "text", text: "operator" }, check: { ok: true, value: "operator" }, keyword, canDigress: true })).toEqual({ kind: "interrupt", match: keyword });
    for (const type of ["choice", "number", "rating", "email", "date"]) {
      expect(read({ type, choices: type === "choice" ? menu.choices : undefined }, { keyword }), type).toBe("interrupt");
    }
  });

  it("free text that matches no choice is a digression to the FAQ, only at a choice question", () => {
    expect(read(menu)).toBe("digress");
    expect(read({ type: "rating" })).toBe("invalid"); // still "please pick a score"
    expect(read({ type: "number" })).toBe("invalid");
    expect(read({ type: "email" })).toBe("invalid");
    expect(read({ type: "date" })).toBe("invalid"); // a type added later follows the same rules
  });

  it("text without a word in it (\"???\", \"2\", an emoji) is not a question for the FAQ: asked again", () => {
    for (const text of ["???", "2", "👍"]) expect(read(menu, { answer: { kind: "text", text } }), text).toBe("invalid");
    expect(read(menu, { answer: { kind: "text", text: "快递多久能到？" } })).toBe("digress");
  });

  it("without a fallback flow, or with unmatched: pass, free text is not a digression", () => {
    expect(read(menu, { canDigress: false })).toBe("invalid");
    expect(read({ ...menu, unmatched: "pass" })).toBe("invalid"); // the runtime passes it on
  });

  it("a stale button press is invalid, not a digression or a keyword", () => {
    expect(read(menu, { answer: { kind: "choice", value: "old" }, keyword })).toBe("invalid");
  });

  it("interruptions: false makes typed text an answer or invalid: no keywords, no digressions", () => {
    const text: QuestionSpec = { type: "text", interruptions: false };
    expect(read(text, { check: { ok: true, value: "points" }, keyword })).toBe("answer");
    expect(read({ ...menu, interruptions: false }, { keyword })).toBe("invalid");
    expect(read({ ...menu, interruptions: false })).toBe("invalid");
  });

  it("…except the words for cancel, so a customer can always get out", () => {
    const text: QuestionSpec = { type: "text", interruptions: false };
    expect(read(text, { answer: { kind: "text", text: "cancel" }, check: { ok: true, value: "cancel" }, keyword, keywordCancels: true })).toBe("interrupt");
    expect(read({ ...menu, interruptions: false }, { keyword, keywordCancels: true })).toBe("interrupt");
    expect(read(menu, { check: { ok: true, value: "points" }, keyword, keywordCancels: true })).toBe("answer"); // a button labelled "Cancel" is still that button
  });
});
