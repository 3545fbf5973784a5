import { z } from "zod";
import { registerAction } from "../../flows/actions/registry";

import { ATTRIBUTE_NAME } from "../../flows/attributes";

const value = z.preprocess((v) => v ?? null, z.union([z.string().max(500), z.number().finite(), z.boolean(), z.null()]));

/**
 * `contact.set`: keeps answers on the contact (a booking date, a size, a city) instead of only in
 * the conversation, so later flows, texts (`{{contact.attributes.city}}`), conditions and campaign
 * audiences can use them. Stored with the turn (no extra statement) and recorded in the contact
 * history as a `contact.set` entry; `null` or an empty text removes an attribute.
 */
export const setAttributes = registerAction({
  name: "contact.set",
  description: "Stores the given attributes on the contact (name: value; null or empty removes one) and records the change in the history.",
  returns: ["attributes"],
  params: z.record(z.string().regex(ATTRIBUTE_NAME, "attribute names are lowercase letters, digits and _, starting with a letter (at most 40)"), value)
    .refine((r) => Object.keys(r).length > 0, "name at least one attribute, e.g. with: { city: \"{{vars.city}}\" }")
    .refine((r) => Object.keys(r).length <= 20, "at most 20 attributes at once"),
  run(params, ctx) {
    // A template whose variable is unset fills in undefined or "": that removes the attribute rather than storing "".
    const attributes = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v === "" || v === undefined ? null : v]));
    ctx.updateContact({ attributes });
    return { attributes };
  },
});
