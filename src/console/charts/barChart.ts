import { escapeHtml } from "../http/html";

/** One bar: its label and value (null: no data, drawn as "–"). */
export interface Bar {
  label: string;
  value: number | null;
}

const BAR_H = 22;
const GAP = 6;
const LABEL_W = 170;
const PLOT_W = 360;

/**
 * A horizontal bar chart as SVG: one `<rect class="bar">` per bar with `data-label` and `data-value`,
 * the value written beside it, and a title for screen readers. Server-drawn (the console loads no
 * chart library); bars scale to the largest value.
 */
export function barChart(title: string, bars: Bar[], unit = ""): string {
  const max = Math.max(1, ...bars.map((b) => b.value ?? 0));
  const height = bars.length * (BAR_H + GAP) + GAP;
  const width = LABEL_W + PLOT_W + 90;
  const id = `chart-${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" role="img" aria-labelledby="${id}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" data-chart="${escapeHtml(title)}">`, `<title id="${id}">${escapeHtml(title)}: ${escapeHtml(bars.map((b) => `${b.label} ${b.value ?? "none"}${unit}`).join(", "))}</title>`];
  bars.forEach((b, i) => {
    const y = GAP + i * (BAR_H + GAP);
    const w = b.value === null ? 0 : Math.max(b.value > 0 ? 2 : 0, (b.value / max) * PLOT_W);
    out.push(`<text x="${LABEL_W - 8}" y="${y + 15}" text-anchor="end">${escapeHtml(b.label)}</text>`);
    out.push(`<rect class="bar" x="${LABEL_W}" y="${y}" width="${w.toFixed(1)}" height="${BAR_H}" fill="#1d4ed8" data-label="${escapeHtml(b.label)}" data-value="${b.value ?? ""}"/>`);
    out.push(`<text x="${LABEL_W + w + 6}" y="${y + 15}">${b.value === null ? "–" : `${b.value}${unit}`}</text>`);
  });
  out.push("</svg>");
  return out.join("\n");
}
