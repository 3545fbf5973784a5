import { z } from "zod";
import { registerAction } from "../../flows/actions/registry";
import { SUPPORTED_LOCALES } from "../../i18n/locales";

/** `contact.set_locale`: stores the customer's language choice on the contact (used by /language). */
export const setLocale = registerAction({
  name: "contact.set_locale",
  description: "Changes the contact's language; takes effect for the rest of this turn and is stored with it.",
  returns: ["locale"],
  params: z.object({ locale: z.enum(SUPPORTED_LOCALES) }),
  run({ locale }, ctx) {
    ctx.updateContact({ locale });
    return { locale };
  },
});
