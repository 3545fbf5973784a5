import { join } from "node:path";
import { describe, expect, it } from "vitest";
import "../../src/app/actions";
import { formatProblem } from "../../src/core/errors";
import { findCampaignFiles, lintCampaigns } from "../../src/campaigns/lintCampaigns";
import { findFlowFiles, lintFlows } from "../../src/flows/lintFlows";
import { Translator } from "../../src/i18n/Translator";

// Issue 15: campaign files are linted like flows: file:line:col, in a marketer's words, with did-you-mean.

const ROOT = join(import.meta.dirname, "..", "..");
const translator = Translator.fromDirectory(join(ROOT, "locales"));
const flows = lintFlows(findFlowFiles([join(ROOT, "flows")], ROOT), translator).flows;
const lint = (source: string) => lintCampaigns([{ file: "flows/campaigns/x.yaml", source }], flows, translator).problems.map(formatProblem);

describe("lintCampaigns", () => {
  it("the shipped campaigns lint clean", () => {
    const files = findCampaignFiles(join(ROOT, "flows"), ROOT);
    expect(files.map((f) => f.file)).toContain("flows/campaigns/winback.yaml");
    expect(lintCampaigns(files, flows, translator).problems.map(formatProblem)).toEqual([]);
  });

  it("positions problems at file:line:col with did-you-mean", () => {
    expect(lint([
      "audience:",
      "  segmant: at_risk",
      "message: { text: campaigns:winback.text }",
    ].join("\n"))).toEqual(['flows/campaigns/x.yaml:2:3: audience: unknown field "segmant"; did you mean "segment"?']);
    expect(lint([
      "audience:",
      "  segment: at_rsk",
      "message: { text: campaigns:winback.text }",
    ].join("\n"))).toEqual(['flows/campaigns/x.yaml:2:12: audience.segment: "at_rsk" is not a segment; did you mean "at_risk"? Known: champions, loyal, potential, at_risk, lost, needs_attention']);
  });

  it("checks texts, plural forms, flows, events, splits and times against what exists", () => {
    const problems = lint([
      "audience: { tier: star }",
      "variants:",
      "  - name: a",
      "    split: 60",
      "    message:",
      "      text: campaigns:winback.nope",
      "      buttons: [{ label: campaigns:winback.button, flow: rewardz }]",
      "  - name: b",
      "    split: 30",
      "    start: { event: nps.asc }",
      "when: { at: \"2026-12-08 10:00\" }",
    ].join("\n"));
    expect(problems).toEqual(expect.arrayContaining([
      "flows/campaigns/x.yaml:2:1: the variants' splits add up to 90, not 100",
      expect.stringMatching(/^flows\/campaigns\/x\.yaml:11:\d+: when\.at: "2026-12-08 10:00" is not a time/),
    ]));
    const fixed = lint([
      "audience: { tier: star }",
      "variants:",
      "  - name: a",
      "    split: 70",
      "    message:",
      "      text: campaigns:winback.nope",
      "      buttons: [{ label: campaigns:winback.button, flow: rewardz }]",
      "  - name: b",
      "    split: 30",
      "    start: { event: nps.asc }",
    ].join("\n"));
    expect(fixed).toEqual([
      expect.stringMatching(/^flows\/campaigns\/x\.yaml:6:13: translation key "campaigns:winback\.nope" is missing in locales\/en\/campaigns\.json/),
      expect.stringMatching(/^flows\/campaigns\/x\.yaml:7:58: there is no flow "rewardz"; did you mean "rewards"\?/),
      expect.stringMatching(/^flows\/campaigns\/x\.yaml:10:21: no flow listens to the event "nps\.asc"; did you mean "nps\.ask"\?/),
    ]);
  });

  it("a count needs the plural forms, and bonus.points a bonus", () => {
    expect(lint("audience: {}\nmessage: { text: campaigns:winback.button, count: bonus.points }\n")).toEqual(expect.arrayContaining([
      expect.stringMatching(/x\.yaml:2:18: plural key "campaigns:winback\.button" in en needs forms/),
      expect.stringMatching(/x\.yaml:2:18: count: bonus\.points, but the campaign has no bonus/),
    ]));
  });
});
