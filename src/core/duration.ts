/** A duration as flows write it: a number and a unit, `30s`, `10m`, `2h`, `3d`, `1w`. */
export const DURATION = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/;

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Milliseconds in a duration such as "2h"; undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  return m ? Math.round(Number(m[1]) * UNIT_MS[m[2]!]!) : undefined;
}
