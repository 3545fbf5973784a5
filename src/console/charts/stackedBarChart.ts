import { escapeHtml } from "../http/html";

/** One part of a stacked bar: its name (in the legend), its colour, and its size. */
export interface Part {
  name: string;
  colour: string;
  value: number;
}

/** One stacked bar: a label and its parts (drawn in the order given, left to right). */
export interface StackedBar {
  label: string;
  parts: Part[];
}

const BAR_H = 24;
const GAP = 10;
const LABEL_W = 170;
const PLOT_W = 420;
const LEGEND_H = 26;

/**
 * Horizontal stacked bars as SVG, each bar the whole (100 %) split into its parts, with a legend:
 * what share of each campaign's audience got the message, waits, was skipped or failed, at a glance,
 * where a table of numbers makes the reader compare in their head. Every part is a `<rect class="part">`
 * with `data-bar`, `data-part` and `data-value`; the title lists all figures for screen readers (the
 * page shows the same figures in a table too). Server-drawn, like barChart.
 */
export function stackedBarChart(title: string, bars: StackedBar[]): string {
  const names = [...new Map(bars.flatMap((b) => b.parts.map((p) => [p.name, p.colour] as const))).entries()];
  const height = LEGEND_H + bars.length * (BAR_H + GAP) + GAP;
  const legendW = names.reduce((w, [name]) => w + 16 + name.length * 7 + 18, 8);
  const width = Math.max(LABEL_W + PLOT_W + 110, legendW);
  const id = `chart-${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  const described = bars.map((b) => `${b.label}: ${b.parts.map((p) => `${p.name} ${p.value}`).join(", ")}`).join("; ");
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" class="stacked-chart" role="img" aria-labelledby="${id}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" data-chart="${escapeHtml(title)}">`, `<title id="${id}">${escapeHtml(title)}: ${escapeHtml(described)}</title>`];
  let x = 8;
  for (const [name, colour] of names) {
    out.push(`<rect x="${x}" y="4" width="12" height="12" fill="${colour}"/><text x="${x + 16}" y="14">${escapeHtml(name)}</text>`);
    x += 16 + name.length * 7 + 18;
  }
  bars.forEach((b, i) => {
    const y = LEGEND_H + GAP + i * (BAR_H + GAP);
    const total = b.parts.reduce((s, p) => s + p.value, 0);
    out.push(`<text x="${LABEL_W - 8}" y="${y + 16}" text-anchor="end">${escapeHtml(b.label.length > 24 ? `${b.label.slice(0, 23)}…` : b.label)}</text>`);
    if (total === 0) out.push(`<text x="${LABEL_W}" y="${y + 16}">nobody in the audience</text>`);
    let at = LABEL_W;
    for (const p of b.parts) {
      const w = total === 0 ? 0 : (p.value / total) * PLOT_W;
      out.push(`<rect class="part" x="${at.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${BAR_H}" fill="${p.colour}" data-bar="${escapeHtml(b.label)}" data-part="${escapeHtml(p.name)}" data-value="${p.value}"><title>${escapeHtml(`${b.label}: ${p.name} ${p.value}`)}</title></rect>`);
      at += w;
    }
    if (total > 0) out.push(`<text x="${LABEL_W + PLOT_W + 6}" y="${y + 16}">${total} in all</text>`);
  });
  out.push("</svg>");
  return out.join("\n");
}
