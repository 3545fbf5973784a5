/**
 * A horizontal bar of █ for terminal charts, scaled so `max` fills `width`; any value above zero
 * gets at least one block, zero gets none.
 */
export function bar(value: number, max: number, width: number): string {
  return value > 0 && max > 0 ? "█".repeat(Math.max(1, Math.round((value / max) * width))) : "";
}
