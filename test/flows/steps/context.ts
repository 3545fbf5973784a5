import type { ContactView, Flow, Step, StepContext, Variables } from "../../../src/flows/types";

/** A contact as steps see it; override fields per test. */
export function contactView(overrides: Partial<ContactView> = {}): ContactView {
  return { id: "c1", displayName: "Ann", username: "ann", locale: "en", points: 120, tier: "star", segment: null, attributes: {}, ...overrides } as ContactView;
}

/** A step context whose `t` returns `key{json options}`, so tests see exactly what was asked for. */
export function stepContext(vars: Variables = {}, contact: Partial<ContactView> = {}): StepContext & { calls: [string, Record<string, unknown> | undefined][] } {
  const calls: [string, Record<string, unknown> | undefined][] = [];
  const flow: Flow = { id: "f", file: "flows/f.yaml", hash: "", source: "", triggers: [], steps: [], version: 1 };
  return {
    flow, vars, contact: contactView(contact), calls,
    t: (key, options) => { calls.push([key, options]); return options && Object.keys(options).length > 0 ? `${key}${JSON.stringify(options)}` : key; },
  };
}

/** A loaded step for the `step` argument of run(). */
export const someStep: Step = { id: "s", kind: "say", spec: {}, disabled: false, at: { line: 1, col: 1 } };
