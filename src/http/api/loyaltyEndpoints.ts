import type { IncomingMessage } from "node:http";
import type { App } from "../../app/createApp";
import { ContactNotFoundError } from "../../core/errors";
import { resolveContactId } from "../../history/timeline";
import { accountSummary } from "../../loyalty/LoyaltyAccount";
import { PURCHASES } from "../../loyalty/Purchases";
import { LOYALTY_RULES } from "../../loyalty/rulesService";
import { InvalidFieldError } from "./errors";
import { parsePurchase, parseRefund } from "./purchaseInput";
import { readJsonBody } from "./readJsonBody";

/** What an endpoint answers with; errors are thrown and mapped by toApiError. */
export interface ApiReply {
  status: number;
  body: unknown;
  /** A change of data to record in the audit log (the route adds the key's name as the actor). */
  audit?: { action: string; target: { type: string; id?: string | null }; detail?: Record<string, string | number | boolean | null> };
}

/** Who is calling: the API key's name, as the audit log's actor (`api:<name>`). */
export interface ApiCaller {
  keyName: string;
  actor: string;
}

/** An endpoint: the app, the request, the URL-decoded path parameters, and the caller. */
export type Endpoint = (app: App, req: IncomingMessage, params: string[], caller: ApiCaller) => Promise<ApiReply>;

/**
 * `POST /api/v1/purchases`: points once per order id whatever the retries (issue #6). 201 for a
 * new order, 200 with `duplicate: true` for a repeat, which changes nothing. Everything is
 * validated and the customer resolved before the first write.
 */
export const postPurchase: Endpoint = async (app, req) => {
  const input = parsePurchase(await readJsonBody(req));
  const contactId = await resolveContactId(app.db, input.customer);
  const r = await app.services.get(PURCHASES).record({ contactId, orderId: input.orderId, amountMinor: input.amountMinor, currency: input.currency, occurredAt: input.occurredAt, items: input.items });
  return {
    status: r.duplicate ? 200 : 201,
    body: { purchase: { orderId: r.orderId, points: r.points, duplicate: r.duplicate }, entry: r.entryId ? { id: r.entryId } : null, balance: r.balance, tier: r.tier },
    audit: r.duplicate ? undefined : { action: "api.purchase", target: { type: "purchase", id: r.orderId }, detail: { points: r.points } },
  };
};

/** `POST /api/v1/refunds`: reverses an order's points in proportion to the amount refunded; a retry is a no-op. */
export const postRefund: Endpoint = async (app, req) => {
  const input = parseRefund(await readJsonBody(req));
  const r = await app.services.get(PURCHASES).refund(input.orderId, input.amountMinor, input.refundId);
  return {
    status: 200, body: { orderId: input.orderId, reversedPoints: r.reversed, balance: r.balance, refundedAmount: r.refundedMinor / 100, duplicate: r.duplicate },
    audit: r.duplicate ? undefined : { action: "api.refund", target: { type: "purchase", id: input.orderId }, detail: { reversedPoints: r.reversed } },
  };
};

/** `GET /api/v1/contacts/<customer>/points`: balance, tier, progress and the last entries, read-only. */
export const getPoints: Endpoint = async (app, _req, [customer]) => {
  if (!customer) throw new InvalidFieldError("customer", "is required in the path: /api/v1/contacts/<customer>/points", "missing");
  const contactId = await resolveContactId(app.db, customer);
  const summary = await accountSummary(app.db, app.services.get(LOYALTY_RULES)(), contactId);
  if (!summary) throw new ContactNotFoundError(customer); // erased since it was resolved
  return { status: 200, body: summary };
};
