// The events Rapport itself raises, with the data flows find in `vars.event`. The linter checks
// `{{vars.event.…}}` against these (plus what flows schedule with `schedule.event`).
import { declareEvent } from "../flows/events";

for (const status of ["resolved", "handed_back", "cancelled"]) {
  declareEvent({ name: `ticket.${status}`, description: `staff or the customer closed a support ticket (${status}); SupportDesk.close`, data: ["ticketId", "agent", "reason"] });
}
declareEvent({ name: "loyalty.tier_changed", description: "the customer reached another tier; createApp's ledger hook", data: ["tier", "from", "multiplier"] });
declareEvent({ name: "loyalty.points_expiring", description: "points expire soon; the sweeper's points.remind", data: ["asOf"] });
declareEvent({ name: "idea.status_changed", description: "staff marked an idea planned, done or declined; Ideas.mark", data: ["ideaId", "text", "status", "author"] });
declareEvent({ name: "purchase.recorded", description: "the shop reported a new order (API or CSV import), recent enough to tell the customer; PurchaseBook.record (src/loyalty/purchaseEvents.ts)",
  data: ["orderId", "amount", "currency", "points", "balance", "tier", "nextTier", "pointsToNextTier", "firstPurchase", "occurredAt", "items"] });
declareEvent({ name: "purchase.refunded", description: "the shop reported a refund of an order; PurchaseBook.refund", data: ["orderId", "amount", "currency", "refundedTotal", "full", "pointsReversed", "balance", "refundId"] });
