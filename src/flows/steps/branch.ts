import { z } from "zod";
import { conditionSchema, evaluate } from "../conditions";
import { defineStep } from "./defineStep";

const arm = z.union([
  z.object({ if: conditionSchema, goto: z.string().min(1) }).strict(),
  z.object({ else: z.string().min(1) }).strict(),
]);

/** Goes to the first arm whose condition holds; `else` catches the rest; no match falls through. */
export const branch = defineStep({
  kind: "branch",
  schema: z.object({ branch: z.array(arm).min(1) }).strict(),
  targets: (s) => s.branch.map((a) => ("goto" in a ? a.goto : a.else)),
  keys: () => [],
  fallsThrough: (s) => !s.branch.some((a) => "else" in a),
  run(s, ctx) {
    for (const a of s.branch) {
      if ("else" in a) return { goto: a.else };
      if (evaluate(a.if, ctx)) return { goto: a.goto };
    }
    return {};
  },
});
