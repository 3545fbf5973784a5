import { z } from "zod";
import { readPath } from "../template";
import { defineStep } from "./defineStep";

const text = z.union([
  z.string().min(1),
  z.object({ key: z.string().min(1), count: z.string().optional() }).strict(),
]);

/** A text to show: an i18n key, optionally with `count` (a `vars.`/`contact.` path) for plurals. */
export type TextRef = z.infer<typeof text>;
/** Schema of a text reference, shared with ask prompts. */
export const textRefSchema = text;

/** The i18n key of a text reference. */
export function keyOf(ref: TextRef): string {
  return typeof ref === "string" ? ref : ref.key;
}

/** Translates a text reference in the conversation's scope (variables and contact are interpolatable). */
export function render(ref: TextRef, ctx: { t: (k: string, o?: Record<string, unknown>) => string; vars: Record<string, unknown>; contact: unknown }): string {
  if (typeof ref === "string") return ctx.t(ref);
  const options: Record<string, unknown> = {};
  if (ref.count) options.count = Number(readPath(ctx as never, ref.count) ?? 0);
  return ctx.t(ref.key, options);
}

/** Sends a message and moves on. */
export const say = defineStep({
  kind: "say",
  schema: z.object({ say: text }).strict(),
  targets: () => [],
  keys: (s) => [keyOf(s.say)],
  run: (s, ctx) => ({ say: [{ text: render(s.say, ctx) }] }),
});
