import dagre from "@dagrejs/dagre";
import { escapeHtml } from "../http/html";
import type { FlowGraph, GraphNode } from "./flowGraph";

const CHAR_W = 7.2;
const LINE_H = 16;
const PAD = 10;
const MAX_CHARS = 46;

/** A node placed by the layout: centre x/y and size, in SVG units. */
export interface PlacedNode extends GraphNode { x: number; y: number; width: number; height: number }

/**
 * Lays a flow graph out with dagre (a maintained layered-graph layout: triggers on top, steps in
 * order, jumps routed around) and draws it as SVG: one `<g class="node">` per node, one `<g
 * class="edge">` per edge, with data attributes naming the step and the edge's kind, so the page's
 * script and tests can find them. Done on the server: the browser gets a finished picture and no
 * layout library.
 */
export function renderFlowSvg(graph: FlowGraph, title: string): string {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: "TB", nodesep: 28, ranksep: 44, edgesep: 14, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  const lines = new Map(graph.nodes.map((n) => [n.id, n.lines.map((l) => (l.length > MAX_CHARS ? `${l.slice(0, MAX_CHARS - 1)}…` : l))]));
  for (const n of graph.nodes) {
    const ls = lines.get(n.id)!;
    g.setNode(n.id, { width: Math.max(90, Math.max(...ls.map((l) => l.length)) * CHAR_W + 2 * PAD), height: ls.length * LINE_H + 2 * PAD - 4 });
  }
  graph.edges.forEach((e, i) => g.setEdge(e.from, e.to, { label: e.label, width: e.label ? Math.min(e.label.length, 30) * 6.5 : 0, height: e.label ? 14 : 0, labelpos: "c" }, `e${i}`));
  dagre.layout(g);
  const { width = 200, height = 100 } = g.graph();
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" class="flow-diagram" role="group" aria-labelledby="diagram-title" viewBox="0 0 ${Math.ceil(width)} ${Math.ceil(height)}" width="${Math.ceil(width)}" height="${Math.ceil(height)}">`);
  out.push(`<title id="diagram-title">${escapeHtml(title)}</title>`);
  out.push(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#44546a"/></marker></defs>`);
  graph.edges.forEach((e, i) => {
    const placed = g.edge({ v: e.from, w: e.to, name: `e${i}` }) as { points: { x: number; y: number }[]; x?: number; y?: number };
    const d = placed.points.map((p, j) => `${j === 0 ? "M" : "L"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ");
    out.push(`<g class="edge edge-${e.type}" data-kind="${e.type}" data-from="${escapeHtml(e.from)}" data-to="${escapeHtml(e.to)}"><path d="${d}" fill="none" marker-end="url(#arrow)"/>`);
    if (e.label && placed.x !== undefined && placed.y !== undefined) out.push(`<text class="edge-label" x="${placed.x.toFixed(1)}" y="${(placed.y + 4).toFixed(1)}" text-anchor="middle">${escapeHtml(e.label.length > 30 ? `${e.label.slice(0, 29)}…` : e.label)}</text>`);
    out.push(`</g>`);
  });
  for (const n of graph.nodes) {
    const p = g.node(n.id) as { x: number; y: number; width: number; height: number };
    const x = p.x - p.width / 2;
    const y = p.y - p.height / 2;
    const attrs = n.stepId !== undefined ? ` data-step="${escapeHtml(n.stepId)}" tabindex="0" role="button" aria-label="${escapeHtml(lines.get(n.id)!.join(" "))} (show its YAML and texts)"` : "";
    out.push(`<g class="node node-${n.type}${n.kind ? ` kind-${n.kind}` : ""}" data-node="${escapeHtml(n.id)}"${attrs}>`);
    out.push(`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${p.width.toFixed(1)}" height="${p.height.toFixed(1)}" rx="${n.type === "trigger" ? 14 : 4}"/>`);
    lines.get(n.id)!.forEach((l, j) => out.push(`<text x="${(x + PAD).toFixed(1)}" y="${(y + PAD + 9 + j * LINE_H).toFixed(1)}"${j === 0 ? ` class="head"` : ""}>${escapeHtml(l)}</text>`));
    out.push(`</g>`);
  }
  out.push(`</svg>`);
  return out.join("\n");
}
