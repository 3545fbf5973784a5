import { findAction } from "../actions/registry";
import { suggest } from "../suggest";
import type { Scope } from "./scope";

/** Contact fields texts and conditions may read (`{{contact.points}}`); see ContactView. */
export const CONTACT_FIELDS = ["id", "displayName", "username", "locale", "points", "tier", "segment", "attributes"] as const;

/** What exists where a text or value is used: the step's variables, event data, contact attributes. */
export interface PathScope {
  vars: Scope;
  /** Keys of `vars.event` (undefined: the flow has no event trigger, or its data is not declared). */
  eventKeys?: ReadonlySet<string>;
  /** Attribute names some flow sets with contact.set. */
  attributes: ReadonlySet<string>;
  /** Other plain names available here, such as `count` for a text shown with a count. */
  names: readonly string[];
}

/** Placeholders in an i18next text: `{{vars.x}}`, `{{count}}`, `{{- name}}`, `{{vars.d, date}}`. */
export function placeholders(text: string): { path: string; index: number }[] {
  return [...text.matchAll(/\{\{\s*-?\s*([^},\s]+)\s*(?:,[^}]*)?\}\}/g)].map((m) => ({ path: m[1]!, index: m.index! }));
}

/**
 * Why `path` (vars.x.y, contact.z, count) does not exist here, or undefined when it may. The wording
 * says what is known at that point, so a typo (`vars.nmae`) comes with "did you mean".
 */
export function checkPath(path: string, scope: PathScope): string | undefined {
  const [root, name, sub] = path.split(".") as [string, string | undefined, string | undefined];
  if (root === "vars") {
    if (!name) return "`vars` alone is not a value; write vars.<name>";
    const origin = scope.vars.get(name);
    if (!origin) {
      const known = [...scope.vars.keys()].sort();
      const hint = suggest(name, known);
      return `"vars.${name}" is not set before this point${hint ? `; did you mean "vars.${hint}"?` : "."} ${known.length ? `Set here: ${known.map((k) => `vars.${k}`).join(", ")}.` : "No variable is set here yet (save_as sets one)."}`;
    }
    if (!sub) return undefined;
    if (name === "event" && origin.from === "trigger" && scope.eventKeys && !scope.eventKeys.has(sub)) {
      const known = [...scope.eventKeys].sort();
      const hint = suggest(sub, known);
      return `the event data has no "${sub}"${hint ? `; did you mean "vars.event.${hint}"?` : "."} It has: ${known.join(", ") || "(nothing)"}; add others to the trigger's data: [...]`;
    }
    if (origin.from === "action" && origin.action) {
      const returns = findAction(origin.action)?.returns;
      if (returns && !returns.includes(sub)) {
        const hint = suggest(sub, returns);
        return `the result of ${origin.action} has no "${sub}"${hint ? `; did you mean "vars.${name}.${hint}"?` : "."} It has: ${returns.join(", ")}.`;
      }
    }
    return undefined;
  }
  if (root === "contact") {
    if (!name) return "`contact` alone is not a value; write contact.<field>";
    if (!(CONTACT_FIELDS as readonly string[]).includes(name)) {
      const hint = suggest(name, CONTACT_FIELDS);
      return `contacts have no field "${name}"${hint ? `; did you mean "contact.${hint}"?` : "."} Fields: ${CONTACT_FIELDS.join(", ")}.`;
    }
    if (name === "attributes") {
      if (!sub) return "write contact.attributes.<name>";
      if (!scope.attributes.has(sub)) {
        const known = [...scope.attributes].sort();
        const hint = suggest(sub, known);
        return `no flow sets the contact attribute "${sub}"${hint ? `; did you mean "contact.attributes.${hint}"?` : "."} ${known.length ? `Attributes set by contact.set: ${known.join(", ")}.` : "Set it with the contact.set action."}`;
      }
    }
    return undefined;
  }
  if (scope.names.includes(root) && !name) return undefined;
  const hint = suggest(root, ["vars", "contact", ...scope.names]);
  return `"${path}" is not available here${hint && hint !== root ? `; did you mean "${hint}"?` : "."} Texts can show vars.<name>, contact.<field>${scope.names.length ? ` and ${scope.names.join(", ")}` : ""}.`;
}
