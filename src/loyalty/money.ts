/**
 * Hundredths of a currency unit as the shop writes the amount: 1999 → "19.99", 500 → "5.00". String
 * arithmetic, never `/ 100` (floating point), so what a flow or report shows is what was stored.
 */
export function formatMinor(minor: number): string {
  const sign = minor < 0 ? "-" : "";
  const digits = String(Math.abs(Math.trunc(minor))).padStart(3, "0");
  return `${sign}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}
