import { z } from "zod";
import { registerAction } from "../../flows/actions/registry";
import { SUPPORT_DESK } from "../SupportDesk";

/**
 * `support.cancel`: withdraws the customer's request for a person. The flows see /cancel only while
 * no person has the chat, which includes a ticket queued while support was offline (it does not take
 * the chat, so the desk's own /cancel never sees it); without this, "/cancel" left that ticket
 * waiting although the README promises it stops waiting (issue 12). The flow tells the customer.
 */
export const cancelTicket = registerAction({
  name: "support.cancel",
  description: "Cancels the customer's active support ticket, if any (also one queued while support was offline); returns { cancelled, ticketId }.",
  returns: ["cancelled", "ticketId"],
  params: z.object({}),
  effect: true, // a re-run of the turn still says "cancelled", not "nothing to cancel" (issue 13)
  run(_params, ctx) {
    return ctx.services.get(SUPPORT_DESK).cancelFor(ctx.contact.id, (tx, answer) => ctx.effect.store(tx, answer));
  },
});
