import { z } from "zod";
import { DURATION, parseDuration } from "../../core/duration";
import { SCHEDULER } from "../../core/scheduling";
import { registerAction } from "../../flows/actions/registry";

/**
 * `schedule.event`: starts the flow of a named event for this customer later ("remind in 3 days"),
 * stored so it survives restarts and runs once. Unlike a `wait` step, the current conversation goes
 * on or ends as usual; if the customer is in another conversation when it comes due, it is tried
 * again a little later.
 */
export const scheduleEvent = registerAction({
  name: "schedule.event",
  description: "Schedules the named `event` for this customer after `in` (30s, 10m, 2h, 3d, 1w), with optional `data` (vars.event.* in the flow it starts).",
  returns: ["event", "at"],
  params: z.object({
    event: z.string().regex(/^[a-z][a-z0-9_.-]*$/i, "an event name such as csat.ask"),
    in: z.string().regex(DURATION, "a duration such as 30m, 2h or 3d"),
    data: z.record(z.string(), z.unknown()).default({}),
  }),
  effect: true, // the answer is stored with the job: a re-run of the turn says the same `at` (issue 13)
  async run(p, ctx) {
    const dueAt = new Date(Date.now() + parseDuration(p.in)!);
    const answer = { event: p.event, at: dueAt.toISOString() };
    await ctx.services.get(SCHEDULER).schedule({ kind: "event", contactId: ctx.contact.id, name: p.event, data: p.data, dueAt, key: `schedule:${ctx.stepKey}`, within: (tx) => ctx.effect.store(tx, answer) });
    return answer;
  },
});
