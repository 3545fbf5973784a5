import type { Variables } from "../flows/types";

/**
 * Where a contact is in a flow, as stored in conversation_states. Between turns a conversation is
 * either idle (no flow) or waiting at an ask step; `version` increments on every write so two
 * processes handling the same contact cannot both win (optimistic concurrency).
 */
export interface ConversationState {
  flowId: string | null;
  flowVersion: number | null;
  stepId: string | null;
  variables: Variables;
  /**
   * Set while waiting: for an answer (how many were invalid so far), or for a timer (`wait` step;
   * `timer` is the key of the scheduled resume, so a stale one is recognised).
   */
  waiting: { attempts: number; timer?: string } | null;
  version: number;
}

/** The state of a contact that has never talked to a flow. */
export function idleState(version = 0): ConversationState {
  return { flowId: null, flowVersion: null, stepId: null, variables: {}, waiting: null, version };
}
