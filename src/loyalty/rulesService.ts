import { ServiceKey } from "../core/services";
import type { LoyaltyRules } from "./rules";

/** The current loyalty rules (reloaded with the flows), for actions and routes. */
export const LOYALTY_RULES = new ServiceKey<() => LoyaltyRules>("loyalty rules");
