import { describe, expect, it } from "vitest";
import { makeFixture } from "../../helpers/fixture";
import { useTestApps } from "../../helpers/testApp";

const book = [
  "triggers:",
  "  - command: book",
  "steps:",
  "  - ask: test:city_q",
  "    save_as: city",
  "  - ask: test:when_q",
  "    type: date",
  "    min: today",
  "    save_as: when",
  "  - action: contact.set",
  "    with: { city: \"{{vars.city}}\", demo_date: \"{{vars.when}}\", booked: true }",
  "  - end: test:booked",
].join("\n");
const again = [
  "triggers:",
  "  - command: again",
  "steps:",
  "  - branch:",
  "      - if: { contact: attributes.city, equals: Warsaw }",
  "        goto: known",
  "  - end: test:unknown",
  "  - id: known",
  "    end: test:known",
  "",
].join("\n");
const forget = "triggers:\n  - command: forget\nsteps:\n  - action: contact.set\n    with: { city: null }\n  - end: test:forgot\n";
const texts = { city_q: "City?", when_q: "When?", booked: "Booked in {{contact.attributes.city}} on {{contact.attributes.demo_date}}", known: "Welcome back, {{contact.attributes.city}}!", unknown: "Who are you?", forgot: "Forgotten" };

describe("contact.set", () => {
  const start = useTestApps();

  it("keeps answers on the contact: stored, in the history, in texts and conditions, and removable", async () => {
    const fx = makeFixture({ book, again, forget }, texts);
    const t = await start(fx);
    await t.say("ann", "/book");
    await t.say("ann", "Warsaw");
    const booked = await t.say("ann", "2999-01-05");
    expect(booked.map((m) => m.text)).toEqual(["en: Booked in Warsaw on 2999-01-05"]); // the same turn sees the new values
    const id = (await t.app.db.prisma.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "test", externalId: "ann" } } })).contactId;
    const row = await t.app.db.prisma.contact.findUniqueOrThrow({ where: { id } });
    expect(JSON.parse(row.attributes)).toEqual({ city: "Warsaw", demo_date: "2999-01-05", booked: true });
    const set = (await t.history("ann")).filter((e) => e.kind === "contact.set");
    expect(set).toEqual([expect.objectContaining({ direction: "event", flow: expect.stringMatching(/^book@/), data: { attributes: { city: "Warsaw", demo_date: "2999-01-05", booked: true } } })]);

    expect((await t.say("ann", "/again")).map((m) => m.text)).toEqual(["en: Welcome back, Warsaw!"]); // read back with the next message
    expect((await t.say("bob", "/again")).map((m) => m.text)).toEqual(["en: Who are you?"]);

    await t.say("ann", "/forget");
    const after = await t.app.db.prisma.contact.findUniqueOrThrow({ where: { id } });
    expect(JSON.parse(after.attributes)).toEqual({ demo_date: "2999-01-05", booked: true });
    expect((await t.say("ann", "/again")).map((m) => m.text)).toEqual(["en: Who are you?"]);
  });

  it("is checked by lint: attribute names, and attributes texts read", async () => {
    const { lintFlows } = await import("../../../src/flows/lintFlows");
    const { Translator } = await import("../../../src/i18n/Translator");
    const { SUPPORTED_LOCALES } = await import("../../../src/i18n/locales");
    const t = Translator.fromResources(Object.fromEntries(SUPPORTED_LOCALES.map((l) => [l, { test: texts }])));
    const lint = (source: string) => lintFlows([{ file: "flows/x.yaml", source }], t).problems.map((p) => `${p.line}:${p.col} ${p.message}`);
    expect(lint("steps:\n  - action: contact.set\n    with: { City: x }\n")).toEqual([
      '2:5 contact.set: attribute name "City" must be lowercase letters, digits and _, starting with a letter (at most 40)',
    ]);
    expect(lint("steps:\n  - branch:\n      - if: { contact: attributes.cty, exists: true }\n        goto: flow:x\n  - action: contact.set\n    with: { city: x }\n")).toEqual([
      '3:24 no flow sets the contact attribute "cty"; did you mean "contact.attributes.city"? Attributes set by contact.set: city.',
    ]);
  });
});
