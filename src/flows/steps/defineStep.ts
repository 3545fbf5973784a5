import type { z } from "zod";
import type { Answer, AnswerCheck, Step, StepContext, StepOutcome } from "../types";

/**
 * One kind of flow step: the YAML key that names it, the schema of its fields, and what it does.
 * `run` describes the work instead of doing I/O (Typebot's execute<Kind>), so steps are pure and the
 * runtime alone writes history and calls actions.
 */
export interface StepKind<S extends z.ZodType = z.ZodType> {
  kind: string;
  schema: S;
  /** Step ids and `flow:<id>` targets this step can jump to; the linter checks each one. */
  targets(spec: z.infer<S>): string[];
  /** i18n keys the step shows; the linter checks every locale has them. */
  keys(spec: z.infer<S>): string[];
  /** Actions the step calls; the linter checks they are registered. */
  actions?(spec: z.infer<S>): string[];
  /** False when control never falls through to the next step (goto, end). */
  fallsThrough?(spec: z.infer<S>): boolean;
  run(spec: z.infer<S>, ctx: StepContext, step: Step): StepOutcome;
  /** For steps that wait: validates the customer's answer. */
  accept?(spec: z.infer<S>, answer: Answer, ctx: StepContext): AnswerCheck;
}

/** Declares a step kind; the type parameter keeps `run` and the schema in agreement. */
export function defineStep<S extends z.ZodType>(kind: StepKind<S>): StepKind<S> {
  return kind;
}
