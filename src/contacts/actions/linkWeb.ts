import { z } from "zod";
import { registerAction } from "../../flows/actions/registry";
import { redeemLinkCode } from "../webchatLink";

/**
 * `contact.link_web`: joins the web chat visitor who showed this code (the widget's "Continue in
 * Telegram") to the contact running the flow, so both chats share one contact and one history.
 */
export const linkWeb = registerAction({
  name: "contact.link_web",
  description: "Joins the web chat visitor with this one-time code to this contact (their history moves here); answers linked (true or false).",
  returns: ["linked"],
  effect: true,
  params: z.object({ code: z.string().min(1).max(20) }),
  async run({ code }, ctx) {
    const linked = await redeemLinkCode(ctx.db, code, ctx.contact.id, new Date(), (tx) => ctx.effect.store(tx, { linked: true }));
    return { linked };
  },
});
