import { z } from "zod";
import type { Choice } from "../../core/message";
import type { Answer, AnswerCheck, StepContext } from "../types";
import { defineStep } from "./defineStep";
import { valueForToken } from "../../core/choiceToken";
import { keyOf, render, textRefSchema } from "./say";
import { normaliseKeyword } from "../keywords";
import { DATE_BOUND, TIME_BOUND } from "./dates";
import { acceptDateOrTime } from "./dateAnswer";

const choice = z.object({ value: z.string().min(1).max(48), label: z.string().min(1) }).strict();

const spec = z.object({
  ask: textRefSchema,
  type: z.enum(["choice", "text", "number", "rating", "email", "date", "time"]).optional(),
  choices: z.array(choice).min(1).max(20).optional(),
  save_as: z.string().regex(/^[a-z_][a-z0-9_]*$/i, "save_as must be a simple name such as email or menu_choice"),
  /** Message shown before asking again; defaults to common:retry.<type>. */
  retry: z.string().optional(),
  max_attempts: z.number().int().min(1).max(10).optional(),
  /** Where to go after the last failed attempt; by default the flow ends with common:gave_up. */
  on_give_up: z.string().optional(),
  /**
   * `pass`: an answer that does not fit ends the flow and is handled as if no question were open
   * (for questions the customer did not ask for, such as a survey: a later support question is not
   * swallowed as a wrong answer).
   */
  unmatched: z.enum(["pass"]).optional(),
  /**
   * `false`: everything typed is an answer to this question, even a flow's keyword ("points",
   * "operator", "cancel") or free text at a choice question; only slash commands still interrupt.
   * For questions where such a word is a legitimate answer (issue 12; see src/flows/interruptions.ts).
   */
  interruptions: z.boolean().optional(),
  /**
   * `true`: a question the customer need not answer (the main menu is an offer, not a task). An event
   * whose flow comes while it waits ends it and starts that flow (a review request days later), where
   * it would otherwise wait for an answer that may never come (issue 19).
   */
  yields_to_events: z.boolean().optional(),
  /** number/rating: a number. date: 2026-01-31, today, tomorrow, +30d, -1y (d, w, m, y). time: 09:00. */
  min: z.union([z.number(), z.string()]).optional(),
  max: z.union([z.number(), z.string()]).optional(),
  /** For rating: the highest score (buttons from `min`, default 1, to scale; NPS is min 0, scale 10). */
  scale: z.number().int().min(2).max(10).optional(),
}).strict().superRefine((s, ctx) => {
  const type = typeOf(s);
  if (type === "choice" && !s.choices) ctx.addIssue({ code: "custom", message: "a choice question needs `choices`", path: ["ask"] });
  if (type !== "choice" && s.choices) ctx.addIssue({ code: "custom", message: `\`choices\` only go with type: choice (this question is type: ${type})`, path: ["choices"] });
  for (const bound of ["min", "max"] as const) {
    const v = s[bound];
    if (v === undefined) continue;
    const problem = boundProblem(type, v);
    if (problem) ctx.addIssue({ code: "custom", message: problem, path: [bound] });
  }
});

/** Why a min/max does not fit the question's type, or undefined. */
function boundProblem(type: string, v: number | string): string | undefined {
  if (type === "date") return typeof v === "string" && DATE_BOUND.test(v) ? undefined : "a date question's bound is a date (2026-01-31), today, tomorrow, or relative like +30d or -1y (d, w, m, y)";
  if (type === "time") return typeof v === "string" && TIME_BOUND.test(v) ? undefined : "a time question's bound is a time of day such as 09:00 or 18:30";
  if (type === "number" || type === "rating") return typeof v === "number" ? undefined : `a ${type} question's bound is a number`;
  return `min and max go with number, rating, date and time questions (this question is type: ${type})`;
}

type AskSpec = z.infer<typeof spec>;

/** The question's type: explicit, or choice when choices are given, else text. */
export function typeOf(s: Pick<AskSpec, "type" | "choices">): NonNullable<AskSpec["type"]> {
  return s.type ?? (s.choices ? "choice" : "text");
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;

function buttons(s: AskSpec, ctx: StepContext): Choice[] | undefined {
  const type = typeOf(s);
  if (type === "choice") return s.choices!.map((c) => ({ value: c.value, label: ctx.t(c.label) }));
  if (type === "rating") return ratingValues(s).map((v) => ({ value: v, label: v }));
  return undefined;
}

/** A rating's values as button values: `min` (0 or 1, default 1) to `scale` (default 5). */
function ratingValues(s: Pick<AskSpec, "min" | "scale">): string[] {
  const from = s.min === 0 ? 0 : 1;
  return Array.from({ length: (s.scale ?? 5) - from + 1 }, (_, i) => String(from + i));
}

/**
 * Which button a typed text stands for: a label typed out ("yes, please" for "Yes, please"), or the
 * first words of exactly one label ("yes" for "Yes, please", "invite" for "Invite friends"; in
 * Chinese, its first characters), else whole words found inside exactly one label ("thanks" for "No,
 * thanks"). People answer buttons by typing a short form; before issue 12 such an answer was refused
 * with "please tap a button". Two labels matching alike: neither is picked.
 */
export function typedChoice(typed: string, choices: Choice[]): string | undefined {
  const said = normaliseKeyword(typed);
  if (said === "") return undefined;
  const labels = choices.map((c) => ({ value: c.value, label: normaliseKeyword(c.label) }));
  const exact = labels.find((c) => c.label === said);
  if (exact) return exact.value;
  const cjk = /[\u3400-\u9fff\uf900-\ufaff]$/u.test(said);
  const starts = labels.filter((c) => c.label.startsWith(said) && (cjk || c.label.length === said.length || c.label[said.length] === " "));
  if (starts.length > 0) return starts.length === 1 ? starts[0]!.value : undefined;
  // Whole words from inside exactly one label ("thanks" for "No, thanks", "points" for "My points"):
  // at least 3 letters (2 characters in Chinese), so "a" or "do" never picks a button.
  if (said.length < (cjk ? 2 : 3)) return undefined;
  const inside = labels.filter((c) => (cjk ? c.label.includes(said) : ` ${c.label} `.includes(` ${said} `)));
  return inside.length === 1 ? inside[0]!.value : undefined;
}

/** The retry message key for a question (explicit, or the shared one for its type; dates and times own theirs). */
export function retryKey(s: AskSpec): string {
  const type = typeOf(s);
  return s.retry ?? (type === "date" || type === "time" ? `dates:retry.${type}` : `common:retry.${type}`);
}

/** Asks a question and waits; a valid answer is saved under `save_as`, an invalid one is re-asked. */
export const ask = defineStep({
  kind: "ask",
  schema: spec,
  targets: (s) => (s.on_give_up ? [s.on_give_up] : []),
  keys: (s) => [keyOf(s.ask), retryKey(s), ...(s.choices ?? []).map((c) => c.label)],
  run: (s, ctx) => ({ say: [{ text: render(s.ask, ctx), choices: buttons(s, ctx), ...(typeOf(s) === "rating" ? { choicesAreValues: true } : {}) }], wait: true }),
  accept(s, answer: Answer, ctx): AnswerCheck {
    const type = typeOf(s);
    if (type === "choice" || type === "rating") {
      const values = type === "choice" ? s.choices!.map((c) => c.value) : ratingValues(s);
      const raw = answer.kind === "choice" ? answer.value : answer.text.trim();
      // A press carries the value; typed text may be a value or a label. Labels are translated only
      // for typed text: presses are the common case and i18next is a measurable share of a turn.
      // A channel with small buttons may send a token for a long value (core/choiceToken).
      let hit = answer.kind === "choice" ? valueForToken(raw, values) : values.find((v) => v.toLowerCase() === raw.toLowerCase());
      if (!hit && answer.kind === "text" && type === "choice") hit = typedChoice(raw, s.choices!.map((c) => ({ value: c.value, label: ctx.t(c.label) })));
      if (!hit) return { ok: false };
      return { ok: true, value: type === "rating" ? Number(hit) : hit };
    }
    if (answer.kind !== "text") return { ok: false };
    const text = answer.text.trim();
    if (text === "") return { ok: false };
    if (type === "email") return EMAIL.test(text) ? { ok: true, value: text.toLowerCase() } : { ok: false };
    if (type === "date" || type === "time") return acceptDateOrTime(type, s.min as string | undefined, s.max as string | undefined, text, ctx);
    if (type === "number") {
      if (!/^[-+]?\d+([.,]\d+)?$/.test(text)) return { ok: false }; // no hex, exponents or thousands separators
      const n = Number(text.replace(",", "."));
      if (!Number.isFinite(n) || (typeof s.min === "number" && n < s.min) || (typeof s.max === "number" && n > s.max)) return { ok: false };
      return { ok: true, value: n };
    }
    return { ok: true, value: text };
  },
});
