import { describe, expect, it } from "vitest";
import { flowGraph } from "../../../src/console/diagram/flowGraph";
import { renderFlowSvg } from "../../../src/console/diagram/renderSvg";
import { loadFlowFile } from "../../../src/flows/loadFlowFile";
import type { Flow } from "../../../src/flows/types";

const SOURCE = `description: A small flow with every kind of arrow.
triggers:
  - command: demo
  - event: demo.later
steps:
  - id: ask
    ask: demo:question
    choices:
      - { value: yes, label: demo:yes }
      - { value: no, label: demo:no }
    save_as: answer
  - branch:
      - if: { var: answer, equals: "yes" }
        goto: thanks
      - if: { contact: tier, equals: gold }
        goto: flow:menu
      - else: sorry
  - id: thanks
    say: demo:thanks
    next: done
  - id: sorry
    say: demo:sorry
  - id: done
    end: demo:bye
`;

function flow(): Flow {
  const r = loadFlowFile("flows/demo.yaml", SOURCE);
  expect(r.problems).toEqual([]);
  return r.flow!;
}

describe("flowGraph", () => {
  it("has a node per step and trigger, a node per other flow, an edge per branch arm, goto and fall-through", () => {
    const g = flowGraph(flow());
    expect(g.nodes.filter((n) => n.type === "step").map((n) => n.stepId)).toEqual(["ask", "#2", "thanks", "sorry", "done"]);
    expect(g.nodes.filter((n) => n.type === "trigger").map((n) => n.lines[0])).toEqual(["/demo", "event demo.later"]);
    expect(g.nodes.filter((n) => n.type === "flow").map((n) => n.lines[0])).toEqual(["→ flow menu"]);
    const edges = g.edges.map((e) => `${e.from}>${e.to}:${e.type}${e.label ? `(${e.label})` : ""}`);
    expect(edges).toEqual([
      "trigger:0>step:ask:start", "trigger:1>step:ask:start",
      "step:ask>step:#2:fall",
      'step:#2>step:thanks:branch(answer = "yes")', 'step:#2>flow:menu:flow(contact tier = "gold")', "step:#2>step:sorry:branch(else)",
      "step:thanks>step:done:goto",
      "step:sorry>step:done:fall",
    ]);
    expect(g.nodes.find((n) => n.stepId === "ask")!.lines).toEqual(["ask · ask", "demo:question", "[yes] [no]", "→ vars.answer"]);
  });

  it("draws SVG with a <g> per node and edge, data attributes for the step and the edge's kind", () => {
    const svg = renderFlowSvg(flowGraph(flow()), "Diagram of flow demo");
    expect(svg.match(/<g class="node node-step/g)).toHaveLength(5);
    expect(svg.match(/<g class="edge /g)).toHaveLength(8);
    expect(svg).toContain('data-step="#2"');
    expect(svg).toContain("<title id=\"diagram-title\">Diagram of flow demo</title>");
    expect(svg).not.toMatch(/NaN/);
  });
});
