import { DATA_RIGHTS } from "../../privacy/DataRights";
import { InvalidFieldError } from "./errors";
import type { Endpoint } from "./loyaltyEndpoints";

/**
 * `GET /api/v1/contacts/<customer>/export` (scope `export`): the JSON document `rapport contacts
 * export` writes, everything held about the person. Recorded in the audit log with the key's name.
 */
export const getExport: Endpoint = async (app, _req, [customer], caller) => {
  if (!customer) throw new InvalidFieldError("customer", "is required in the path: /api/v1/contacts/<customer>/export", "missing");
  return { status: 200, body: await app.services.get(DATA_RIGHTS).export(customer, caller.actor) };
};

/** `GET /api/v1/contacts/<customer>/erase` (scope `erase`): what erasing would do; changes nothing. */
export const getErasePlan: Endpoint = async (app, _req, [customer]) => {
  if (!customer) throw new InvalidFieldError("customer", "is required in the path: /api/v1/contacts/<customer>/erase", "missing");
  const plan = await app.services.get(DATA_RIGHTS).plan(customer);
  return { status: 200, body: { contactId: plan.contactId, tables: plan.tables, slackMessages: plan.copies.reduce((n, c) => n + 1 + c.posted.length, 0) } };
};

/**
 * `POST /api/v1/contacts/<customer>/erase` (scope `erase`): erases the person (as `rapport contacts
 * erase --yes`). Answers the pseudonymous id of the accounting rows and the Slack messages still to
 * remove by hand (`staff.left`). A second call finds no such customer (404).
 */
export const postErase: Endpoint = async (app, _req, [customer], caller) => {
  if (!customer) throw new InvalidFieldError("customer", "is required in the path: /api/v1/contacts/<customer>/erase", "missing");
  return { status: 200, body: await app.services.get(DATA_RIGHTS).erase(customer, caller.actor) };
};
