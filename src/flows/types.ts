import type { OutboundMessage } from "../core/message";

/** Values captured during a conversation (`save_as`) plus trigger captures; JSON-serialisable. */
export type Variables = Record<string, unknown>;

/** Contact fields flows may read in conditions and texts (`contact.tier`, `{{contact.points}}`). */
export interface ContactView {
  id: string;
  displayName: string | null;
  username: string | null;
  locale: string;
  points: number;
  tier: string;
  segment: string | null;
  /** Answers kept on the contact by `contact.set` (`contact.attributes.city` in texts and conditions). */
  attributes: ContactAttributes;
}

/** A contact's attributes: names to texts, numbers or true/false (JSON in contacts.attributes). */
export type ContactAttributes = Record<string, string | number | boolean>;

/** Contact fields a turn changed, stored with the turn: the language, and attributes to merge (null removes one). */
export interface ContactChanges {
  locale?: string;
  attributes?: Record<string, string | number | boolean | null>;
}

/** A step target: a step id in the same flow, or `flow:<id>` to start another flow. */
export type Target = string;

/** What starts a flow. Exactly one of command / keywords / event / fallback is set. */
export interface Trigger {
  command?: string;
  /** With `command`: a regular expression the deep-link payload must match; named groups become variables. */
  payload?: string;
  /** An i18n key whose value, in each locale, is a comma-separated list of whole-message keywords. */
  keywords?: string;
  event?: string;
  /** Handles free text that nothing else matched while the customer is not in a conversation. */
  fallback?: boolean;
  /** With `command`: a translation key describing the command in /help and the chat app's menu. */
  menu?: string;
  /** With `menu`: position in the menu, lower first; unnumbered commands follow alphabetically. */
  menu_order?: number;
  /** With `event`: keys of `vars.event` the flow expects beyond those Rapport declares. */
  data?: string[];
  /** Where the trigger is written, for lint messages. */
  at: Position;
}

/** 1-based line and column in a flow file. */
export interface Position { line: number; col: number }

/** A step as loaded: its kind's own fields in `spec`, common fields beside. */
export interface Step {
  id: string;
  kind: string;
  spec: Record<string, unknown>;
  next?: Target;
  disabled: boolean;
  at: Position;
  /** Where each text of the step is written (first occurrence), so lint points at a key's own line. */
  valueAt?: Record<string, Position>;
}

/** A validated flow file. `version` is assigned when the catalog registers its text in the database. */
export interface Flow {
  id: string;
  file: string;
  hash: string;
  source: string;
  description?: string;
  /**
   * Only tells (`notice: true`; lint refuses ask, wait, return and other flows in one): an event that
   * starts it runs even while the customer is at another flow's question, which stays open after it.
   */
  notice?: boolean;
  triggers: Trigger[];
  steps: Step[];
  version: number;
}

/** Translates a key for the conversation's locale with the conversation's variables available. */
export type Translate = (key: string, options?: Record<string, unknown>) => string;

/** Read-only view a step gets: it describes what to do; the runtime does it. */
export interface StepContext {
  flow: Flow;
  vars: Variables;
  contact: ContactView;
  t: Translate;
}

/** What a step asks the runtime to do. */
export interface StepOutcome {
  say?: OutboundMessage[];
  /** Stop here and wait for the customer's answer to this (ask) step. */
  wait?: boolean;
  /** Run a registered action; its result goes into `saveAs`. */
  call?: { action: string; params: Record<string, unknown>; saveAs?: string };
  goto?: Target;
  end?: boolean;
  /** With `end`: in a digression, go back to the question it came from (the `return` step). */
  returnToQuestion?: boolean;
  /** Pause for this duration ("2h"), then go on with the next step (the `wait` step). */
  sleep?: string;
}

/** The customer's answer as an ask step sees it. */
export type Answer = { kind: "text"; text: string } | { kind: "choice"; value: string };

/** Result of checking an answer against an ask step. */
export type AnswerCheck = { ok: true; value: unknown } | { ok: false };

