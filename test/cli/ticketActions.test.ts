/**
 * `rapport tickets claim|reply|resolve|hand-back`: support without Slack, through the desk like the
 * Slack buttons and thread replies, recorded as operator:<name>. The CLI process runs no channel, so
 * it only stores; the running bot's outbox delivers (simulated by a second core on the same database).
 */
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app/createApp";
import { operatorOf, resolveTicketId, runTicketClaim, runTicketClose, runTicketReply } from "../../src/cli/ticketActions";
import { UsageError } from "../../src/cli/UsageError";
import { silentLogger } from "../../src/core/log";
import { TicketClosedError, TicketNotFoundError } from "../../src/support/errors";
import { testDialect } from "../helpers/database";
import { ROOT, useTestApps, type TestApp } from "../helpers/testApp";
import { join } from "node:path";

const start = useTestApps();

function output() {
  let text = "";
  return { stream: { write: (s: string) => { text += s; return true; } } as unknown as NodeJS.WritableStream, text: () => text };
}

/** A customer who asked for a person while support is offline: an open ticket, queued. */
async function openTicket(t: TestApp, user = "ann") {
  await t.say(user, "operator");
  await t.say(user, "Where is my refund?");
  return t.app.db.prisma.ticket.findFirstOrThrow({ where: { contact: { identities: { some: { externalId: user } } } } });
}

/** What the CLI process is: the core on the same database, with no channel attached. */
async function cliCore(t: TestApp) {
  return createApp({ settings: { databaseUrl: t.url, flowsDir: join(ROOT, "flows"), localesDir: join(ROOT, "locales"), hotReload: false, dbRetrySeconds: 2 }, log: silentLogger });
}

describe(`rapport tickets claim|reply|resolve|hand-back (${testDialect})`, () => {
  it("an operator claims and replies from the command line; the running bot delivers the reply like a Slack one", async () => {
    const t = await start();
    const ticket = await openTicket(t);
    const cli = await cliCore(t);
    try {
      const claimed = output();
      expect(await runTicketClaim(cli, ticket.id.slice(0, 8), "alice", claimed.stream)).toBe(0);
      expect(claimed.text()).toBe(`ticket ${ticket.id} (test:ann) claimed by operator:alice\n`);
      const again = output();
      await runTicketClaim(cli, ticket.id, "alice", again.stream);
      expect(again.text()).toBe(`ticket ${ticket.id} (test:ann) is yours already\n`);
      const replied = output();
      expect(await runTicketReply(cli, ticket.id, "Your refund left our bank today.", "alice", replied.stream)).toBe(0);
      expect(replied.text()).toBe("reply to test:ann stored; the running bot (npm start) delivers it\n");
      expect(t.channel.sent.map((s) => s.message.text)).not.toContain("Your refund left our bank today."); // the CLI sends nothing itself
    } finally {
      await cli.close();
    }
    expect(await t.app.support.outbox.flush()).toBeGreaterThan(0); // the running bot's outbox
    expect(t.channel.sent.at(-1)).toMatchObject({ to: { externalUserId: "ann" }, message: { text: "Your refund left our bank today." } });
    expect(await t.app.db.prisma.ticket.findUniqueOrThrow({ where: { id: ticket.id } })).toMatchObject({ status: "claimed", assignee: "operator:alice" });
    const history = await t.history("ann");
    expect(history.filter((e) => e.actor === "operator:alice").map((e) => `${e.direction}:${e.kind}:${e.text ?? ""}`)).toEqual([
      "event:ticket.claimed:", "out:text:Your refund left our bank today.",
    ]);
    // The chat is with a person now: what the customer writes goes to the ticket, not the flows.
    expect(await t.say("ann", "thanks!")).toEqual([]);
  });

  it("a reply to an unclaimed ticket claims it; resolve tells the customer and starts the survey with the operator as agent", async () => {
    const t = await start();
    const ticket = await openTicket(t);
    const replied = output();
    await runTicketReply(t.app, ticket.id, "Looking into it.", "bob", replied.stream);
    expect(replied.text()).toBe(`reply to test:ann stored (ticket ${ticket.id} is now claimed by operator:bob); the running bot (npm start) delivers it\n`);
    const resolved = output();
    expect(await runTicketClose(t.app, ticket.id, "resolved", "bob", resolved.stream)).toBe(0);
    expect(resolved.text()).toBe(`ticket ${ticket.id} (test:ann) resolved by operator:bob; the running bot (npm start) tells the customer\n`);
    expect(await t.app.db.prisma.ticket.findUniqueOrThrow({ where: { id: ticket.id } })).toMatchObject({ status: "resolved", closedBy: "operator:bob", assignee: "operator:bob" });
    expect(t.channel.sent.map((s) => s.message.text)).toContain(t.app.translator().t("en", "support:resolved"));
    const job = await t.app.db.prisma.scheduledJob.findFirstOrThrow({ where: { name: "ticket.resolved" } });
    expect(JSON.parse(job.data!)).toMatchObject({ ticketId: ticket.id, agent: "operator:bob" });
    // Closed: no second close, claim or reply, and nothing is stored or sent.
    const sent = t.channel.sent.length;
    for (const act of [
      () => runTicketClose(t.app, ticket.id, "handed_back", "bob", output().stream),
      () => runTicketClaim(t.app, ticket.id, "bob", output().stream),
      () => runTicketReply(t.app, ticket.id, "one more thing", "bob", output().stream),
    ]) {
      const error = await act().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TicketClosedError);
      expect((error as Error).message).toBe(`ticket ${ticket.id} is resolved already; nothing was changed or sent\n  hint: the customer can ask for a person again; \`rapport tickets\` lists the open ones`);
    }
    expect(t.channel.sent.length).toBe(sent);
    expect((await t.history("ann")).filter((e) => e.text === "one more thing")).toEqual([]);
  });

  it("hand-back gives the chat back to the bot without resolving", async () => {
    const t = await start();
    const ticket = await openTicket(t);
    await runTicketClaim(t.app, ticket.id, "carol", output().stream);
    const out = output();
    await runTicketClose(t.app, ticket.id, "handed_back", "carol", out.stream);
    expect(out.text()).toBe(`ticket ${ticket.id} (test:ann) handed back to the bot by operator:carol; the running bot (npm start) tells the customer\n`);
    expect(await t.app.db.prisma.ticket.findUniqueOrThrow({ where: { id: ticket.id } })).toMatchObject({ status: "handed_back", closedBy: "operator:carol" });
    expect((await t.say("ann", "/help"))[0]!.text).toMatch(/Here is what I can do/);
  });

  it("finds a ticket by a unique start of its id, and says when none or several match", async () => {
    const t = await start();
    const a = await openTicket(t, "ann");
    await t.app.db.prisma.contact.update({ where: { id: a.contactId }, data: { displayName: "Ann Lee" } });
    expect(await resolveTicketId(t.app, a.id.slice(0, 10))).toEqual({ id: a.id, customer: "Ann Lee (test:ann)" });
    await expect(resolveTicketId(t.app, "nope-nope")).rejects.toThrow(TicketNotFoundError);
    await expect(resolveTicketId(t.app, "nope-nope")).rejects.toThrow('no ticket "nope-nope"; `rapport tickets --all` lists them');
    await expect(resolveTicketId(t.app, a.id.slice(0, 3))).rejects.toThrow(TicketNotFoundError); // too short to guess from
    await t.app.db.prisma.ticket.create({ data: { id: `${a.id.slice(0, 6)}zzzz`, contactId: a.contactId, status: "resolved", reason: "command", idempotencyKey: "other" } });
    await expect(resolveTicketId(t.app, a.id.slice(0, 6))).rejects.toThrow(UsageError);
    await expect(runTicketReply(t.app, a.id, "   ", "x", output().stream)).rejects.toThrow("tickets reply needs the message text");
  });

  it("the operator is --as, else the OS user", () => {
    expect(operatorOf("alice")).toBe("operator:alice");
    const user = process.env.USER;
    process.env.USER = "dana";
    try {
      expect(operatorOf(undefined)).toBe("operator:dana");
    } finally {
      if (user === undefined) delete process.env.USER;
      else process.env.USER = user;
    }
  });
});
