import type { z } from "zod";
import type { Database } from "../../db/Database";
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
}

/** A side effect a flow can trigger by name, with validated parameters. */
export interface ActionDefinition<P extends z.ZodType = z.ZodType> {
  name: string;
  /** Why the action exists, shown by `rapport flows actions` and in lint hints. */
  description: string;
  params: P;
  /** The fields of its result (`save_as: x` → vars.x.<field>); lint checks texts against them. */
  returns?: readonly string[];
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
