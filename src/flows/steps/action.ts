import { z } from "zod";
import { fillTemplate } from "../template";
import { defineStep } from "./defineStep";

/** Runs a registered TypeScript action (loyalty, referrals, support plug in this way); the result goes into `save_as`. */
export const action = defineStep({
  kind: "action",
  schema: z.object({
    action: z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/, "action names look like faq.answer or loyalty.balance"),
    with: z.record(z.string(), z.unknown()).optional(),
    save_as: z.string().regex(/^[a-z_][a-z0-9_]*$/i).optional(),
  }).strict(),
  targets: () => [],
  keys: () => [],
  actions: (s) => [s.action],
  run: (s, ctx) => ({ call: { action: s.action, params: fillTemplate(s.with ?? {}, ctx) as Record<string, unknown>, saveAs: s.save_as } }),
});
