/**
 * The ideas board on the real database (both, in CI): one vote per customer per idea under
 * concurrency, own and closed ideas refused, idempotent proposals, staff marks telling the author and
 * each voter once, and a contact-history row for every proposal, vote and status change.
 */
import { describe, expect, it } from "vitest";
import { newId } from "../../src/core/ids";
import { silentLogger, type Logger } from "../../src/core/log";
import type { Database } from "../../src/db/Database";
import { IdeaNotFoundError, Ideas, IdeaTextError } from "../../src/feedback/Ideas";
import { runIdeasList, runIdeasMark } from "../../src/cli/ideas";
import { UsageError } from "../../src/cli/UsageError";
import { testDialect } from "../helpers/database";
import { useTestApps } from "../helpers/testApp";
// The shipped flows use the ideas.* actions; the app refuses to load flows with unknown actions.
import "../../src/feedback/actions/ideaActions";

const startApp = useTestApps();

type Told = { contactId: string; event: string; data: Record<string, unknown>; key: string };

async function setup(options: { failFor?: string; busy?: string; log?: Logger } = {}) {
  const { app } = await startApp();
  const told: Told[] = [];
  const ideas = new Ideas(app.db, async (contactId, event, data, key) => {
    if (contactId === options.failFor) throw new Error("channel unreachable");
    if (contactId === options.busy) return false; // e.g. in another conversation: the event was skipped
    told.push({ contactId, event, data, key });
    return true;
  }, options.log ?? silentLogger);
  return { db: app.db, ideas, told };
}

async function contact(db: Database): Promise<string> {
  const id = newId();
  await db.prisma.contact.create({ data: { id, displayName: "C" } });
  return id;
}

const rows = (db: Database, contactId: string, kind: string) => db.prisma.interaction.findMany({ where: { contactId, kind }, orderBy: { id: "asc" } });

/** A writable stream that keeps what is written, for the CLI functions. */
function sink(): NodeJS.WritableStream & { text: () => string } {
  let text = "";
  return { write: (chunk: string) => { text += chunk; return true; }, text: () => text } as never;
}

describe(`Ideas (${testDialect})`, () => {
  it("stores a proposal once per key, trimmed to one line, with its history row", async () => {
    const { db, ideas } = await setup();
    const author = await contact(db);
    const first = await ideas.propose(author, "  Dark mode\n  for the   app  ", "run-1:ideas:propose");
    expect(first).toMatchObject({ text: "Dark mode for the app", duplicate: false });
    const again = await Promise.all(Array.from({ length: 10 }, () => ideas.propose(author, "Dark mode for the app", "run-1:ideas:propose")));
    expect(again.every((p) => p.id === first.id && p.duplicate)).toBe(true);
    expect(await db.prisma.idea.count()).toBe(1);
    const history = await rows(db, author, "idea.proposed");
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ direction: "event", actor: "customer", text: "Dark mode for the app", dedupeKey: "idea.proposed:run-1:ideas:propose" });
    expect(JSON.parse(history[0]!.data!)).toEqual({ ideaId: first.id });
  });

  it("concurrent proposals with one key store one idea", async () => {
    const { db, ideas } = await setup();
    const author = await contact(db);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => ideas.propose(author, `Same key, text ${i}`, "k")));
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(await db.prisma.idea.count()).toBe(1);
    expect(await rows(db, author, "idea.proposed")).toHaveLength(1);
  });

  it("the same author sending the same open idea again gets the existing one back", async () => {
    const { db, ideas } = await setup();
    const author = await contact(db);
    const a = await ideas.propose(author, "Gift cards", "k1");
    expect(await ideas.propose(author, "Gift  cards ", "k2")).toEqual({ id: a.id, text: "Gift cards", duplicate: true, held: false });
    const other = await contact(db);
    expect((await ideas.propose(other, "Gift cards", "k3")).id).not.toBe(a.id); // someone else's is their own idea
    expect(await db.prisma.idea.count()).toBe(2);
  });

  it("refuses texts outside 5 to 500 characters with a message that says the limits, storing nothing", async () => {
    const { db, ideas } = await setup();
    const author = await contact(db);
    const short = await ideas.propose(author, "  ab  ", "k1").catch((e: unknown) => e);
    expect(short).toBeInstanceOf(IdeaTextError);
    expect(short).toMatchObject({ code: "rapport_idea_text_invalid", reason: "too_short", length: 2, name: "IdeaTextError" });
    expect((short as Error).message).toBe("an idea must be 5 to 500 characters after trimming; this one has 2. Nothing was stored.");
    await expect(ideas.propose(author, "x".repeat(501), "k2")).rejects.toMatchObject({ reason: "too_long", length: 501 });
    expect((await ideas.propose(author, "🙂".repeat(500), "k3")).duplicate).toBe(false); // characters, not UTF-16 units
    expect((await ideas.propose(author, "12345", "k4")).duplicate).toBe(false);
    expect(await db.prisma.idea.count()).toBe(2);
    expect(await rows(db, author, "idea.proposed")).toHaveLength(2);
  });

  it("20 concurrent votes by one customer count once", async () => {
    const { db, ideas } = await setup();
    const idea = await ideas.propose(await contact(db), "Open on Sundays", "k");
    const voter = await contact(db);
    const results = await Promise.all(Array.from({ length: 20 }, () => ideas.vote(voter, idea.id)));
    expect(results.filter((r) => r.status === "voted")).toEqual([{ status: "voted", votes: 1 }]);
    expect(results.filter((r) => r.status === "already")).toHaveLength(19);
    expect((await db.prisma.idea.findUniqueOrThrow({ where: { id: idea.id } })).votes).toBe(1);
    expect(await db.prisma.ideaVote.count({ where: { ideaId: idea.id } })).toBe(1);
    const history = await rows(db, voter, "idea.voted");
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ actor: "customer", text: "Open on Sundays" });
    expect(JSON.parse(history[0]!.data!)).toEqual({ ideaId: idea.id, votes: 1 });
  }, 60_000);

  it("votes by 5 customers at once make 5", async () => {
    const { db, ideas } = await setup();
    const idea = await ideas.propose(await contact(db), "Vegan menu", "k");
    const voters = await Promise.all(Array.from({ length: 5 }, () => contact(db)));
    const results = await Promise.all(voters.map((v) => ideas.vote(v, idea.id)));
    expect(results.every((r) => r.status === "voted")).toBe(true);
    expect(results.map((r) => r.votes).sort()).toEqual([1, 2, 3, 4, 5]);
    expect((await db.prisma.idea.findUniqueOrThrow({ where: { id: idea.id } })).votes).toBe(5);
    for (const v of voters) expect(await rows(db, v, "idea.voted")).toHaveLength(1);
  }, 60_000);

  it("refuses a vote for one's own idea and for an unknown idea, recording nothing", async () => {
    const { db, ideas } = await setup();
    const author = await contact(db);
    const idea = await ideas.propose(author, "Loyalty card in the app", "k");
    expect(await ideas.vote(author, idea.id)).toEqual({ status: "own", votes: 0 });
    expect(await ideas.vote(author, "no-such-idea")).toEqual({ status: "unknown", votes: 0 });
    expect(await db.prisma.ideaVote.count()).toBe(0);
    expect(await rows(db, author, "idea.voted")).toHaveLength(0);
  });

  it("takes votes for planned ideas but not for done or declined ones", async () => {
    const { db, ideas } = await setup();
    const author = await contact(db);
    const [a, b] = [await contact(db), await contact(db)];
    const planned = await ideas.propose(author, "Click and collect", "k1");
    const done = await ideas.propose(author, "Longer opening hours", "k2");
    await ideas.vote(a, done.id);
    await ideas.mark(planned.id, "planned", "alice");
    await ideas.mark(done.id, "done", "alice");
    expect(await ideas.vote(b, planned.id)).toEqual({ status: "voted", votes: 1 });
    expect(await ideas.vote(b, done.id)).toEqual({ status: "closed", votes: 1 });
    await ideas.mark(planned.id, "declined", "alice");
    expect(await ideas.vote(a, planned.id)).toEqual({ status: "closed", votes: 1 });
    expect(await rows(db, b, "idea.voted")).toHaveLength(1);
  });

  it("answers a retried vote (same key) as voted, another request as already", async () => {
    const { db, ideas } = await setup();
    const idea = await ideas.propose(await contact(db), "Student discount", "k");
    const voter = await contact(db);
    expect(await ideas.vote(voter, idea.id, "run-7:ideas:vote")).toEqual({ status: "voted", votes: 1 });
    expect(await ideas.vote(voter, idea.id, "run-7:ideas:vote")).toEqual({ status: "voted", votes: 1 });
    expect(await ideas.vote(voter, idea.id, "run-8:ideas:vote")).toEqual({ status: "already", votes: 1 });
    expect(await rows(db, voter, "idea.voted")).toHaveLength(1);
  });

  it("lists open and planned ideas by votes, then age, flagging the viewer's own and voted ones", async () => {
    const { db, ideas } = await setup();
    const [author, viewer, x, y] = [await contact(db), await contact(db), await contact(db), await contact(db)];
    const older = await ideas.propose(author, "Older idea, no votes", "k1");
    const mine = await ideas.propose(viewer, "The viewer's own idea", "k2");
    const popular = await ideas.propose(author, "Popular idea", "k3");
    const closed = await ideas.propose(author, "Closed idea", "k4");
    const newer = await ideas.propose(author, "Newer idea, no votes", "k5");
    for (const v of [viewer, x, y]) await ideas.vote(v, popular.id);
    await ideas.vote(x, mine.id);
    for (const v of [viewer, x, y]) await ideas.vote(v, closed.id);
    await ideas.mark(closed.id, "declined", "bob");
    await ideas.mark(popular.id, "planned", "bob");
    const top = await ideas.top(5, viewer);
    expect(top.map((i) => [i.text, i.votes, i.status, i.own, i.votedByViewer])).toEqual([
      ["Popular idea", 3, "planned", false, true],
      ["The viewer's own idea", 1, "open", true, false],
      ["Older idea, no votes", 0, "open", false, false],
      ["Newer idea, no votes", 0, "open", false, false],
    ]);
    expect((await ideas.top(2)).map((i) => i.id)).toEqual([popular.id, mine.id]);
    expect((await ideas.top(5)).every((i) => !i.own && !i.votedByViewer)).toBe(true);
    expect(top.map((i) => i.id)).not.toContain(closed.id);
    expect(older.id).not.toBe(newer.id);
  });

  it("marking tells the author and each voter once, writes their history, and tells no one twice", async () => {
    const { db, ideas, told } = await setup();
    const author = await contact(db);
    const voters = await Promise.all(Array.from({ length: 4 }, () => contact(db)));
    const idea = await ideas.propose(author, "Pay with the phone", "k");
    for (const v of voters) await ideas.vote(v, idea.id);
    expect(await ideas.mark(idea.id, "planned", "alice")).toBe(5);
    expect(told.map((t) => t.contactId).sort()).toEqual([author, ...voters].sort());
    expect(told.every((t) => t.event === "idea.status_changed")).toBe(true);
    expect(told.find((t) => t.contactId === author)!.data).toEqual({ ideaId: idea.id, text: "Pay with the phone", status: "planned", author: true });
    expect(told.find((t) => t.contactId === voters[0])!.data).toEqual({ ideaId: idea.id, text: "Pay with the phone", status: "planned", author: false });
    for (const person of [author, ...voters]) {
      const history = await rows(db, person, "idea.status_changed");
      expect(history).toHaveLength(1);
      expect(history[0]).toMatchObject({ direction: "event", actor: "agent:alice", text: "Pay with the phone" });
      expect(JSON.parse(history[0]!.data!)).toMatchObject({ ideaId: idea.id, status: "planned", from: "open" });
    }
    expect(await ideas.mark(idea.id, "planned", "alice")).toBe(0); // already planned: nobody is told again
    const both = await Promise.all([ideas.mark(idea.id, "done", "alice"), ideas.mark(idea.id, "done", "bob")]);
    expect(both.sort()).toEqual([0, 5]); // two operators at once: one of them tells people
    expect(told).toHaveLength(10);
    expect(new Set(told.map((t) => t.key)).size).toBe(10); // one scheduler key per person per change
    expect(told[0]!.key).toMatch(new RegExp(`^idea\\.status_changed:${idea.id}:\\w+:${told[0]!.contactId}$`));
    expect((await db.prisma.idea.findUniqueOrThrow({ where: { id: idea.id } })).status).toBe("done");
  });

  it("a failed or undelivered notification is logged and not counted; the others are still told", async () => {
    const errors: unknown[] = [];
    const infos: unknown[] = [];
    const log: Logger = { ...silentLogger, error: (msg, fields) => { errors.push({ msg, ...fields }); }, info: (msg, fields) => { infos.push({ msg, ...fields }); } };
    const { db, ideas, told } = await setup({ failFor: "unreachable", busy: "busy", log });
    const author = await contact(db);
    await db.prisma.contact.createMany({ data: [{ id: "unreachable", displayName: "U" }, { id: "busy", displayName: "B" }] });
    const voter = await contact(db);
    const idea = await ideas.propose(author, "Free water refills", "k");
    for (const v of ["unreachable", "busy", voter]) await ideas.vote(v, idea.id);
    expect(await ideas.mark(idea.id, "declined", "alice")).toBe(2);
    expect(told.map((t) => t.contactId).sort()).toEqual([author, voter].sort());
    expect(errors).toMatchObject([{ msg: "idea notification failed", ideaId: idea.id, contactId: "unreachable" }]);
    expect(infos).toContainEqual({ msg: "idea notification not delivered", ideaId: idea.id, contactId: "busy" });
    expect(await rows(db, "busy", "idea.status_changed")).toHaveLength(1); // the history still shows the change
  });

  it("marking an unknown idea says how to find the id", async () => {
    const { ideas } = await setup();
    const e = await ideas.mark("nope", "done", "alice").catch((x: unknown) => x);
    expect(e).toBeInstanceOf(IdeaNotFoundError);
    expect(e).toMatchObject({ name: "IdeaNotFoundError", code: "rapport_idea_not_found", ideaId: "nope" });
    expect((e as Error).message).toBe('no idea with id "nope"; `rapport ideas --all` lists every idea with its id');
  });
});

describe(`rapport ideas (${testDialect})`, () => {
  it("lists open and planned ideas by votes; --all adds closed ones", async () => {
    const { db, ideas } = await setup();
    const author = await contact(db);
    const a = await ideas.propose(author, "Gift wrapping", "k1");
    const b = await ideas.propose(author, "A much longer idea ".repeat(10), "k2");
    const c = await ideas.propose(author, "Closed one", "k3");
    await ideas.vote(await contact(db), b.id);
    await ideas.mark(c.id, "done", "alice");
    const out = sink();
    expect(await runIdeasList(db, out)).toBe(0);
    const lines = out.text().split("\n");
    expect(lines[0]).toMatch(/^id +status +votes {2}text$/);
    expect(lines[1]).toMatch(new RegExp(`^${b.id} +open +1 {2}A much longer idea A much longer idea .*…$`));
    expect([...lines[1]!.split("  ").at(-1)!]).toHaveLength(80);
    expect(lines[2]).toMatch(new RegExp(`^${a.id} +open +0 {2}Gift wrapping$`));
    expect(lines[3]).toBe("2 ideas open or planned (--all shows done and declined too)");
    const all = sink();
    await runIdeasList(db, all, { all: true });
    expect(all.text()).toMatch(new RegExp(`^${c.id} +done +0 {2}Closed one$`, "m"));
    expect(all.text()).toMatch(/^3 ideas$/m);
  });

  it("marks an idea and says how many were told; a wrong status is a usage error", async () => {
    const { db, ideas, told } = await setup();
    const author = await contact(db);
    const idea = await ideas.propose(author, "Night delivery", "k");
    await ideas.vote(await contact(db), idea.id);
    const out = sink();
    expect(await runIdeasMark(ideas, idea.id, "planned", out)).toBe(0);
    expect(out.text()).toBe(`idea ${idea.id}: planned; 2 people told\n`);
    expect(told).toHaveLength(2);
    await expect(runIdeasMark(ideas, idea.id, "open", out)).rejects.toThrow(UsageError);
    await expect(runIdeasMark(ideas, idea.id, "open", out)).rejects.toThrow('unknown status "open"; usage: rapport ideas mark <idea id> planned|done|declined');
    await expect(runIdeasMark(ideas, undefined, undefined, out)).rejects.toThrow("usage: rapport ideas mark <idea id> planned|done|declined");
    await expect(runIdeasMark(ideas, "nope", "done", out)).rejects.toThrow(IdeaNotFoundError);
  });
});
