import { z } from "zod";
import { defineStep } from "./defineStep";
import { keyOf, render, textRefSchema } from "./say";

/** Ends the conversation, optionally with a last message (`end: common:bye`, or `end: true`). */
export const end = defineStep({
  kind: "end",
  schema: z.object({ end: z.union([z.literal(true), textRefSchema]) }).strict(),
  targets: () => [],
  keys: (s) => (s.end === true ? [] : [keyOf(s.end)]),
  fallsThrough: () => false,
  run: (s, ctx) => ({ say: s.end === true ? [] : [{ text: render(s.end, ctx) }], end: true }),
});
