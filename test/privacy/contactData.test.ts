/**
 * The data model decides what export and erase cover (issue 16): this test reads prisma/schema.prisma
 * and fails when a model that references a contact (a relation to Contact, a contact-id column, or a
 * column naming a row of a table that holds contact data) is neither in CONTACT_TABLES nor in
 * NOT_CONTACT_DATA, or when an entry's links do not match the schema. Add a table: decide here.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CONTACT_TABLES, NOT_CONTACT_DATA, whereContact } from "../../src/privacy/contactData";
import { ROOT } from "../helpers/testApp";

interface Field { name: string; type: string; relationFields: string[] }
interface Model { name: string; fields: Field[] }

/** The models of a Prisma schema with their fields, and for relation fields the scalar fields they use. */
export function parseSchema(text: string): Model[] {
  const models: Model[] = [];
  for (const m of text.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)) {
    const fields: Field[] = [];
    for (const line of m[2]!.split("\n")) {
      const f = /^\s+(\w+)\s+(\w+)(\[\])?\??(.*)$/.exec(line);
      if (!f || line.trim().startsWith("//") || line.trim().startsWith("@@")) continue;
      const rel = /@relation\([^)]*fields:\s*\[([^\]]*)\]/.exec(f[4]!);
      fields.push({ name: f[1]!, type: f[2]!, relationFields: rel ? rel[1]!.split(",").map((s) => s.trim()) : [] });
    }
    models.push({ name: m[1]!, fields });
  }
  return models;
}

const models = parseSchema(readFileSync(join(ROOT, "prisma/schema.prisma"), "utf8"));
const byName = new Map(models.map((m) => [m.name, m]));
const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** Columns of `model` that hold a contact's id: relation fields to Contact, and contactId-like names. */
function contactColumns(model: Model): string[] {
  const viaRelation = model.fields.filter((f) => f.type === "Contact").flatMap((f) => f.relationFields);
  const byName = model.fields.filter((f) => /(^|[a-z])(contact|customer|person)Id$/i.test(f.name) || /^contact$/i.test(f.name) && f.type === "String").map((f) => f.name);
  return [...new Set([...viaRelation, ...byName])];
}

/** Models that hold contact data, found from the schema alone (to a fixed point: a child of one holds it too). */
function contactModels(): Map<string, string> {
  const found = new Map<string, string>(); // model -> why
  for (const m of models) {
    if (m.name === "Contact") continue;
    const cols = contactColumns(m);
    if (cols.length > 0) found.set(m.name, `column ${cols.join(", ")}`);
  }
  for (let changed = true; changed;) {
    changed = false;
    for (const m of models) {
      if (m.name === "Contact" || found.has(m.name)) continue;
      const parent = m.fields.find((f) => found.has(f.type) && f.relationFields.length > 0)
        ?? m.fields.find((f) => [...found.keys()].some((p) => f.name === `${lowerFirst(p)}Id`));
      if (parent) { found.set(m.name, `refers to ${parent.name}`); changed = true; }
    }
  }
  return found;
}

describe("contact data coverage (schema.prisma)", () => {
  it("finds the tables it must (the parser works on this schema)", () => {
    const found = contactModels();
    for (const name of ["ChannelIdentity", "Interaction", "LedgerEntry", "Referral", "Ticket", "TicketMessage", "IdeaVote", "HandledMessage"]) expect(found.has(name), name).toBe(true);
    expect(found.has("FlowVersion")).toBe(false);
  });

  it("covers every model that references a contact, in export and erase", () => {
    const listed = new Set([...CONTACT_TABLES.map((t) => t.model), ...Object.keys(NOT_CONTACT_DATA)]);
    const missing = [...contactModels()].filter(([name]) => !listed.has(name)).map(([name, why]) => `${name} (${why})`);
    expect(missing, "add these to CONTACT_TABLES in src/privacy/contactData.ts (or NOT_CONTACT_DATA, with the reason)").toEqual([]);
  });

  it("links each table through columns and relations the schema has, and every contact column of it", () => {
    for (const table of CONTACT_TABLES) {
      const model = byName.get(table.model);
      expect(model, `${table.model} is not a model of schema.prisma`).toBeDefined();
      const names = new Set(model!.fields.map((f) => f.name));
      for (const link of table.links) {
        if ("field" in link) expect(names.has(link.field), `${table.model}.${link.field}`).toBe(true);
        else expect(byName.get(model!.fields.find((f) => f.name === link.via)?.type ?? "")?.fields.some((f) => f.name === link.parentField), `${table.model}.${link.via}.${link.parentField}`).toBe(true);
      }
      const linked = new Set(table.links.flatMap((l) => ("field" in l ? [l.field] : [])));
      for (const column of contactColumns(model!)) expect(linked.has(column), `${table.model}.${column} holds a contact id but is not a link`).toBe(true);
      if (table.erase.kind === "keep") for (const column of Object.keys(table.erase.scrub)) expect(names.has(column), `${table.model}.${column} (scrub)`).toBe(true);
    }
  });

  it("lists parents before the tables reached through them, and no section twice", () => {
    const order = CONTACT_TABLES.map((t) => t.model);
    for (const [i, table] of CONTACT_TABLES.entries()) {
      for (const link of table.links) {
        if ("via" in link) expect(order.indexOf(byName.get(table.model)!.fields.find((f) => f.name === link.via)!.type)).toBeLessThan(i);
      }
    }
    expect(new Set(CONTACT_TABLES.map((t) => t.section)).size).toBe(CONTACT_TABLES.length);
  });

  it("selects a contact's rows by any of the table's links", () => {
    const referral = CONTACT_TABLES.find((t) => t.model === "Referral")!;
    expect(whereContact(referral, "c1")).toEqual({ OR: [{ referrerId: "c1" }, { friendId: "c1" }] });
    const messages = CONTACT_TABLES.find((t) => t.model === "TicketMessage")!;
    expect(whereContact(messages, "c1")).toEqual({ ticket: { contactId: "c1" } });
  });
});
