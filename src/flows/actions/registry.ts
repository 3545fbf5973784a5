import type { z } from "zod";
import type { Database } from "../../db/Database";
import type { Tx } from "../../db/lockContact";
import type { Services } from "../../core/services";
import type { ContactChanges, ContactView, Translate, Variables } from "../types";

/** What an action may use. It returns a value for `save_as`; it never sends messages itself. */
export interface ActionContext {
  contact: ContactView;
  vars: Variables;
  locale: string;
  t: Translate;
  /** i18next's object lookup in the conversation's locale (e.g. the FAQ topics). */
  lookup(key: string): unknown;
  db: Database;
  /** Domain services (the loyalty ledger, referrals) by their keys. */
  services: Services;
  /** Stable per (conversation run, step): use as the idempotency key of side effects. */
  stepKey: string;
  /** Changes contact fields (locale, attributes) in the same transaction that stores the turn. */
  updateContact(changes: ContactChanges): void;
  /** For actions with `effect: true`: stores the action's answer in the transaction of its effect. */
  effect: ActionEffect;
}

/**
 * How an action that commits on its own (`effect: true`) keeps its answer with its effect (issue 13,
 * "side effects once"). A turn runs its actions, then commits its replies and state with a version
 * check; when another turn for the contact committed first, the turn is run again on fresh state.
 * Points redeemed or a ticket opened by the first run stay, so the re-run must not act again, and
 * must answer what the first run answered or it takes another path ("not enough points" after the
 * redeem went through). The action passes `store` to its domain call, which runs it in the
 * transaction that makes the change, with the answer the action will return; the runtime looks the
 * answer up before a re-run calls the action. An outcome without a transaction of its own (nothing
 * to change: "not enough points") is stored by the runtime after the action returns.
 */
export interface ActionEffect {
  /** The key the answer is stored under: the turn (message or job id), flow and step. */
  readonly key: string;
  /** Stores `result` as this step's answer inside `tx`; call it from the domain's transaction, before commit. */
  store(tx: Tx, result: unknown): Promise<void>;
}

/** A side effect a flow can trigger by name, with validated parameters. */
export interface ActionDefinition<P extends z.ZodType = z.ZodType> {
  name: string;
  /** Why the action exists, shown by `rapport flows actions` and in lint hints. */
  description: string;
  params: P;
  /** The fields of its result (`save_as: x` → vars.x.<field>); lint checks texts against them. */
  returns?: readonly string[];
  /**
   * The action changes domain state in a transaction of its own (points, tickets, scheduled work):
   * its answer is stored with that change (see ActionEffect) and a re-run of the turn gets it back
   * instead of acting again. Leave unset for reads and for changes stored with the turn (`contact.set`).
   */
  effect?: boolean;
  run(params: z.infer<P>, ctx: ActionContext): Promise<unknown> | unknown;
}

const actions = new Map<string, ActionDefinition>();

/** Registers an action under its name; domains call this from their own folder. Names are unique. */
export function registerAction<P extends z.ZodType>(definition: ActionDefinition<P>): ActionDefinition<P> {
  const existing = actions.get(definition.name);
  if (existing && existing !== (definition as unknown as ActionDefinition)) throw new Error(`action "${definition.name}" is registered twice`);
  actions.set(definition.name, definition as unknown as ActionDefinition);
  return definition;
}

/** The action registered under `name`, if any. */
export function findAction(name: string): ActionDefinition | undefined {
  return actions.get(name);
}

/** Names of all registered actions, sorted, for lint messages and docs. */
export function actionNames(): string[] {
  return [...actions.keys()].sort();
}
