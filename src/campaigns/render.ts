import type { OutboundMessage } from "../core/message";
import type { Flow, ContactView } from "../flows/types";
import type { Translator } from "../i18n/Translator";
import type { Campaign, CampaignVariant } from "./Campaign";
import { buttonCommand } from "./lintCampaigns";

/**
 * A campaign message in the contact's language: the text key with `{{contact.*}}`, `{{bonus}}` and,
 * when the message says `count:`, its plural form; each button carries its flow's command
 * (`/rewards`), which the runtime runs when pressed, as if typed.
 */
export function renderMessage(translator: Translator, campaign: Campaign, variant: CampaignVariant, contact: ContactView, flows: readonly Flow[]): OutboundMessage | undefined {
  const m = variant.message;
  if (!m) return undefined;
  const bonus = campaign.bonus?.points ?? 0;
  const count = m.count === "contact.points" ? contact.points : m.count === "bonus.points" ? bonus : undefined;
  const text = translator.t(contact.locale, m.text, { contact, bonus, ...(count !== undefined ? { count } : {}) });
  const choices = (m.buttons ?? []).flatMap((b) => {
    const flow = flows.find((f) => f.id === b.flow);
    const command = flow && buttonCommand(flow);
    return command ? [{ label: translator.t(contact.locale, b.label, { contact, bonus }), value: `/${command}` }] : [];
  });
  return choices.length > 0 ? { text, choices } : { text };
}

/**
 * The variant a contact gets: a stable draw from the campaign's name and the contact's id (the same
 * contact always gets the same variant, in the preview and after a restart), spread by the splits.
 */
export function variantFor(campaignName: string, contactId: string, variants: readonly CampaignVariant[]): CampaignVariant {
  if (variants.length === 1) return variants[0]!;
  const point = (fnv1a(`${campaignName}\u0000${contactId}`) / 0x1_0000_0000) * 100;
  let edge = 0;
  for (const v of variants) {
    edge += v.split;
    if (point < edge) return v;
  }
  return variants[variants.length - 1]!;
}

/** 32-bit FNV-1a with murmur3's final mix, so keys differing in their last characters spread evenly. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
