/** Markup that is already safe (built by `html`), inserted as is. */
export class Raw {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/**
 * The console's only way to build markup: every interpolated value is escaped unless it is Raw (made
 * by `html` itself) or a list of them, so customer text (names, messages, YAML) can never become
 * markup. No template engine: a tagged template is enough for server-rendered pages and has no
 * dependency to keep up.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Raw {
  let out = strings[0]!;
  for (const [i, v] of values.entries()) out += render(v) + strings[i + 1]!;
  return new Raw(out);
}

function render(v: unknown): string {
  if (v instanceof Raw) return v.value;
  if (Array.isArray(v)) return v.map(render).join("");
  if (v === undefined || v === null || v === false) return "";
  return escapeHtml(v);
}
