import { z } from "zod";
import { DURATION } from "../../core/duration";
import { defineStep } from "./defineStep";

/**
 * Pauses the flow for a while (`wait: 2h`), then goes on with the next step: "send this in 2 hours".
 * The timer is stored, so it survives restarts. A message from the customer during the wait ends it
 * (the message is handled as usual); for a reminder that must come whatever the customer does
 * meanwhile, use the `schedule.event` action instead.
 */
export const wait = defineStep({
  kind: "wait",
  schema: z.object({ wait: z.string().regex(DURATION, "wait takes a duration such as 30s, 10m, 2h, 3d or 1w") }).strict(),
  targets: () => [],
  keys: () => [],
  run: (s) => ({ sleep: s.wait }),
});
