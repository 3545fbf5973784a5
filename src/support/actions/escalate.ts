import { z } from "zod";
import { registerAction } from "../../flows/actions/registry";
import { SUPPORT_DESK } from "../SupportDesk";

/**
 * `support.escalate`: hands the conversation to a person. Opens a ticket (once per step run, and at
 * most one active ticket per customer); when staff are online the chat goes to them and the bot
 * stays silent until the ticket is closed. The flow tells the customer, branching on `online`.
 * The answer is stored with the ticket (issue 13): a re-run of the turn answers as the first run did.
 * `order_id` ties the ticket to an order (a low product rating), so staff and the report see which.
 */
export const escalate = registerAction({
  name: "support.escalate",
  description: "Opens a support ticket with `question` (and `reason`, optional `order_id`) and hands the chat to a person; returns { ticketId, online, existing }.",
  returns: ["ticketId", "online", "existing"],
  params: z.object({
    question: z.string().default(""),
    reason: z.enum(["flow", "asked_for_person", "faq_miss", "command", "nps_detractor", "low_rating"]).default("flow"),
    order_id: z.string().max(200).nullish(),
  }),
  effect: true,
  async run({ question, reason, order_id }, ctx) {
    return ctx.services.get(SUPPORT_DESK).open({ contactId: ctx.contact.id, question, reason, key: `ticket:${ctx.stepKey}`, orderId: order_id, within: (tx, opened) => ctx.effect.store(tx, opened) });
  },
});
