import { z } from "zod";
import { registerAction } from "../../flows/actions/registry";
import { npsGroup, SURVEYS } from "../Surveys";

/**
 * `feedback.record`: stores a survey answer (CSAT 1-5 or NPS 0-10) with its optional comment, and
 * for CSAT the ticket and agent rated, once per step run. Returns the NPS group so a flow can route
 * detractors to support.
 */
export const recordSurvey = registerAction({
  name: "feedback.record",
  description: "Stores a `survey` answer (csat 1-5, nps 0-10) with `score`, optional `comment`, and for csat `ticket_id` and `agent`; returns { stored, group }.",
  returns: ["stored", "group"],
  params: z.object({
    survey: z.enum(["csat", "nps"]),
    score: z.coerce.number().int(),
    comment: z.string().nullish(),
    ticket_id: z.string().nullish(),
    agent: z.string().nullish(),
  }),
  effect: true, // a re-run of the turn answers stored: true as the first run did (issue 13)
  async run(p, ctx) {
    const group = p.survey === "nps" ? npsGroup(p.score) : null;
    const stored = await ctx.services.get(SURVEYS).record(ctx.contact.id, {
      survey: p.survey, score: p.score, comment: p.comment, ticketId: p.ticket_id, agent: p.agent, key: `survey:${ctx.stepKey}`,
      within: (tx) => ctx.effect.store(tx, { stored: true, group }),
    });
    return { stored, group };
  },
});
