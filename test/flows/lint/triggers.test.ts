import { describe, expect, it } from "vitest";
import { formatProblem } from "../../../src/core/errors";
import { lintFlows, type FlowSource } from "../../../src/flows/lintFlows";
import { Translator } from "../../../src/i18n/Translator";
import { SUPPORTED_LOCALES } from "../../../src/i18n/locales";

const t = Translator.fromResources(Object.fromEntries(SUPPORTED_LOCALES.map((l) => [l, { t: { hi: "Hi" } }])));
const flow = (file: string, modifiedAt: number, command = "start"): FlowSource => ({ file, modifiedAt, source: `triggers:\n  - command: ${command}\nsteps:\n  - say: t:hi\n` });
const lint = (sources: FlowSource[], options?: Parameters<typeof lintFlows>[2]) => lintFlows(sources, t, options).problems.map(formatProblem);

describe("duplicate triggers: who is blamed", () => {
  it("blames the file changed most recently, whatever the names' order", () => {
    expect(lint([flow("flows/book.yaml", 2000), flow("flows/welcome.yaml", 1000)])).toEqual([
      'flows/book.yaml:2:5: duplicate trigger: /start already starts flow "welcome" (flows/welcome.yaml:2); remove it here or there',
    ]);
    expect(lint([flow("flows/book.yaml", 1000), flow("flows/welcome.yaml", 2000)])).toEqual([
      'flows/welcome.yaml:2:5: duplicate trigger: /start already starts flow "book" (flows/book.yaml:2); remove it here or there',
    ]);
  });

  it("checks a file linted alone against the served folder, and never blames a served file", () => {
    const served = [flow("flows/welcome.yaml", 9000), flow("flows/help.yaml", 9000, "help")];
    expect(lint([flow("drafts/book.yaml", 1000)], { context: served })).toEqual([
      'drafts/book.yaml:2:5: duplicate trigger: /start already starts flow "welcome" (flows/welcome.yaml:2); remove it here or there',
    ]);
  });

  it("lets a linted file replace its served copy instead of clashing with it", () => {
    expect(lint([flow("flows/welcome.yaml", 9000)], { context: [flow("flows/welcome.yaml", 1000), flow("flows/help.yaml", 1, "help")] })).toEqual([]);
  });

  it("keeps a trigger with the flow serving it now (hot reload)", () => {
    expect(lint([flow("flows/a.yaml", 1), flow("flows/b.yaml", 2)], { servedBy: new Map([["command:start:", "b"]]) })).toEqual([
      'flows/a.yaml:2:5: duplicate trigger: /start already starts flow "b" (flows/b.yaml:2); remove it here or there',
    ]);
  });
});
