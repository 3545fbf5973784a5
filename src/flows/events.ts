/**
 * Events Rapport raises and the data each carries (`vars.event.<key>` in the flow it starts). Domains
 * declare theirs so lint can check `{{vars.event.ticketId}}` in flows and texts (issue #14): a typo
 * there used to reach the customer as an empty space.
 */
export interface EventDefinition {
  name: string;
  /** Why and when it is raised. */
  description: string;
  /** The keys of its data. */
  data: readonly string[];
}

const events = new Map<string, EventDefinition>();

/** Declares an event; a second declaration with the same name adds its data keys. */
export function declareEvent(definition: EventDefinition): void {
  const prior = events.get(definition.name);
  events.set(definition.name, prior ? { ...prior, data: [...new Set([...prior.data, ...definition.data])] } : definition);
}

/** The declared event with this name, if any. */
export function findEvent(name: string): EventDefinition | undefined {
  return events.get(name);
}

/** Every declared event, by name. */
export function declaredEvents(): EventDefinition[] {
  return [...events.values()].sort((a, b) => a.name.localeCompare(b.name));
}
