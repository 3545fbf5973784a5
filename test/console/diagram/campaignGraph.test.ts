import { describe, expect, it } from "vitest";
import { loadCampaignFile } from "../../../src/campaigns/loadCampaignFile";
import { campaignGraph } from "../../../src/console/diagram/campaignGraph";
import { renderFlowSvg } from "../../../src/console/diagram/renderSvg";
import { loadFlowFile } from "../../../src/flows/loadFlowFile";

const SOURCE = `audience:
  segment: [at_risk, lost]
  points: { min: 100 }
  attributes: { city: Warsaw, age: { min: 30 } }
  exclude: { tier: star }
bonus: { points: 50 }
when: { at: "2026-12-08T10:00:00+01:00" }
variants:
  - name: a
    split: 50
    message: { text: campaigns:winback.text, buttons: [{ label: campaigns:winback.button, flow: rewards }] }
  - name: b
    split: 30
    start: { flow: menu }
  - name: c
    split: 20
    start: { event: nps.ask }
`;

describe("campaignGraph", () => {
  it("draws when, the audience, a node per variant, what each sends and the flows it leads to", () => {
    const { campaign, problems } = loadCampaignFile("flows/campaigns/spring.yaml", SOURCE);
    expect(problems).toEqual([]);
    const nps = loadFlowFile("flows/nps.yaml", "triggers:\n  - event: nps.ask\nsteps:\n  - say: nps:thanks\n").flow!;
    const g = campaignGraph(campaign!, [nps]);
    expect(g.nodes.map((n) => n.lines[0])).toEqual(["sent at 2026-12-08 09:00 UTC", "audience", "variant a · 50 %", "message", "→ flow rewards", "variant b · 30 %", "starts a flow", "→ flow menu", "variant c · 20 %", "raises event nps.ask", "→ flow nps"]);
    expect(g.nodes.find((n) => n.id === "audience")!.lines).toEqual(["audience", "segment at_risk or lost", "points ≥ 100", "city = Warsaw", "age min 30", "not tier star"]);
    expect(g.nodes.find((n) => n.id === "message:a")!.lines).toEqual(["message", "campaigns:winback.text", "[campaigns:winback.button]", "+50 points"]);
    expect(g.edges.map((e) => `${e.from}>${e.to}:${e.type}${e.label ? `(${e.label})` : ""}`)).toEqual([
      "when>audience:start",
      "audience>variant:a:branch(50 %)", "variant:a>message:a:goto", "message:a>flow:rewards:flow(campaigns:winback.button)",
      "audience>variant:b:branch(30 %)", "variant:b>start:b:goto", "start:b>flow:menu:flow",
      "audience>variant:c:branch(20 %)", "variant:c>start:c:goto", "start:c>flow:nps:flow(event nps.ask)",
    ]);
    const svg = renderFlowSvg(g, "Diagram of campaign spring");
    expect(svg.match(/<g class="node /g)).toHaveLength(11);
    expect(svg).not.toMatch(/NaN/);
  });
});
