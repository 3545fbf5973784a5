import { z } from "zod";
import { defineStep } from "./defineStep";

/** Jumps to a step of this flow, or to another flow with `flow:<id>`. */
export const goto = defineStep({
  kind: "goto",
  schema: z.object({ goto: z.string().min(1) }).strict(),
  targets: (s) => [s.goto],
  keys: () => [],
  fallsThrough: () => false,
  run: (s) => ({ goto: s.goto }),
});
