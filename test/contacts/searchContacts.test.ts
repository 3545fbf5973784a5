import { describe, expect, it } from "vitest";
import { searchContacts } from "../../src/contacts/searchContacts";
import { useTestApps } from "../helpers/testApp";

// The console's contact search (issue 18: by name, username, channel id or attribute), on both databases.

const start = useTestApps();

describe("searchContacts", () => {
  it("finds by name, username, channel id, contact id and attribute, whatever the case; never the erased", async () => {
    const t = await start();
    const people = [
      { id: "c_ann", displayName: "Anna Kowalska", username: "annak", identity: ["telegram", "5550001"], attributes: { city: "Warsaw", age: 41, vip: true } },
      { id: "c_bo", displayName: "Bo Li", username: null, identity: ["webchat", "v-0123abcd"], attributes: { city: "Kraków" } },
      { id: "c_gone", displayName: "Anna Erased", username: "annagone", identity: ["telegram", "5550009"], attributes: { city: "Warsaw" }, erased: true },
    ];
    for (const p of people) {
      await t.app.db.prisma.contact.create({ data: { id: p.id, displayName: p.displayName, username: p.username, attributes: JSON.stringify(p.attributes), erasedAt: p.erased ? new Date() : null } });
      await t.app.db.prisma.channelIdentity.create({ data: { channel: p.identity[0]!, externalId: p.identity[1]!, contactId: p.id } });
    }
    const ids = async (q: string) => (await searchContacts(t.app.db, q)).map((c) => c.id).sort();
    expect(await ids("anna")).toEqual(["c_ann"]);
    expect(await ids("KOWAL")).toEqual(["c_ann"]);
    expect(await ids("@AnnaK")).toEqual(["c_ann"]);
    expect(await ids("telegram:5550001")).toEqual(["c_ann"]);
    expect(await ids("555000")).toEqual(["c_ann"]); // part of a channel id; the erased one's is not found
    expect(await ids("v-0123abcd")).toEqual(["c_bo"]);
    expect(await ids("c_bo")).toEqual(["c_bo"]);
    expect(await ids("city=warsaw")).toEqual(["c_ann"]);
    expect(await ids("city = Kraków")).toEqual(["c_bo"]);
    expect(await ids("age=41")).toEqual(["c_ann"]);
    expect(await ids("vip=true")).toEqual(["c_ann"]);
    expect(await ids("Krak")).toEqual(["c_bo"]); // any text in the attributes
    expect(await ids("100%")).toEqual([]); // a LIKE wildcard is a character, not "anything"
    expect(await ids("  ")).toEqual([]);
    expect((await searchContacts(t.app.db, "anna"))[0]!.identities).toMatchObject([{ channel: "telegram", externalId: "5550001" }]);
  });
});
