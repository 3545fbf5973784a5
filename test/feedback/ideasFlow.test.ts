/**
 * The ideas board through the shipped flows (flows/ideas.yaml, flows/idea-update.yaml) and the real
 * engine: suggest, list, vote, already voted, own idea refused, a staff mark telling the author and
 * the voter in their languages, and the history rows each step leaves.
 */
import { describe, expect, it } from "vitest";
import { silentLogger } from "../../src/core/log";
import type { OutboundMessage } from "../../src/core/message";
import { IDEAS, Ideas } from "../../src/feedback/Ideas";
import { SCHEDULER } from "../../src/core/scheduling";
// Registers ideas.propose / ideas.top / ideas.vote (src/app/actions.ts will import it as well).
import "../../src/feedback/actions/ideaActions";
import { testDialect } from "../helpers/database";
import { useTestApps, type TestApp } from "../helpers/testApp";

const startApp = useTestApps();

/** A test app whose IDEAS service tells customers through the engine, as createApp wires it. */
async function ideasApp(): Promise<{ t: TestApp; ideas: Ideas }> {
  const t = await startApp();
  const ideas = new Ideas(t.app.db, async (id, event, data) => (await t.app.engine.emit(id, event, data)) === "started", silentLogger);
  t.app.services.provide(IDEAS, ideas);
  return { t, ideas };
}

const show = (ms: OutboundMessage[]) => ms.map((m) => (m.choices?.length ? `${m.text} [${m.choices.map((c) => c.label).join(" | ")}]` : m.text));
const press = (value: string) => ({ kind: "choice" as const, value });
const contactIdOf = async (t: TestApp, user: string) =>
  (await t.app.db.prisma.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "test", externalId: user } } })).contactId;

const MENU = "Have an idea how we could do better? Suggest it, or vote for other customers' ideas. [Suggest an idea | Top ideas & vote | Not now]";
const VOTE_PROMPT = "To vote, send the number of an idea. Send 0 when you're done.";

describe(`ideas flows (${testDialect})`, () => {
  it("suggest, list, vote, already voted, own idea refused, then staff mark it and both are told", async () => {
    const { t, ideas } = await ideasApp();
    // ann: nothing to vote on yet, so she suggests an idea (a too-short one first).
    expect(show(await t.say("ann", "/ideas"))).toEqual([MENU]);
    expect(show(await t.say("ann", press("top")))).toEqual(["No ideas yet. Be the first to suggest one!", MENU]);
    expect(show(await t.say("ann", press("propose")))).toEqual(["Describe your idea in one message."]);
    expect(show(await t.say("ann", "ok"))).toEqual(["That is a bit short. Please describe your idea in at least 5 characters.", "Describe your idea in one message."]);
    expect(show(await t.say("ann", "  Dark mode\nfor the app "))).toEqual(["Thank you! Your idea is now up for other customers to vote on. We'll let you know when it is planned or done."]);

    // ben: the keyword opens the menu; he votes once, then again, then for a number not in the list.
    expect(show(await t.say("ben", "Ideas!"))).toEqual([MENU]);
    expect(show(await t.say("ben", press("top")))).toEqual(["Top ideas:\n1. Dark mode for the app — 👍 0", VOTE_PROMPT]);
    expect(show(await t.say("ben", "1"))).toEqual(["Thank you for your vote! Idea 1 now has 1 vote.", VOTE_PROMPT]);
    expect(show(await t.say("ben", "1"))).toEqual(["You have already voted for idea 1. Everyone has one vote per idea.", VOTE_PROMPT]);
    expect(show(await t.say("ben", "4"))).toEqual(["There is no idea number 4 in the list.", VOTE_PROMPT]);
    expect(show(await t.say("ben", "first"))).toEqual(["Please send a number from the list, or 0 to finish. You have 2 more tries.", VOTE_PROMPT]);
    expect(show(await t.say("ben", "0"))).toEqual(["Thanks for taking part! Send /ideas any time to see what's new."]);

    // ann sees her own idea marked and cannot vote for it.
    await t.say("ann", "/ideas");
    expect(show(await t.say("ann", press("top")))).toEqual(["Top ideas:\n1. Dark mode for the app — 👍 1 (your idea)", VOTE_PROMPT]);
    expect(show(await t.say("ann", "1"))).toEqual(["Idea 1 is your own, so you can't vote for it. Others can!", VOTE_PROMPT]);
    expect(show(await t.say("ann", "0"))).toEqual(["Thanks for taking part! Send /ideas any time to see what's new."]);

    // ben's list now shows his vote.
    await t.say("ben", "/ideas");
    expect(show(await t.say("ben", press("top")))).toEqual(["Top ideas:\n1. Dark mode for the app — 👍 1 (you voted)", VOTE_PROMPT]);
    await t.say("ben", "0");

    // Staff mark it planned: the author and the voter are each told once, in words for their role.
    const idea = await t.app.db.prisma.idea.findFirstOrThrow();
    const before = t.channel.sent.length;
    expect(await ideas.mark(idea.id, "planned", "alice")).toBe(2);
    const told = t.channel.sent.slice(before).map((s) => [s.to.externalUserId, s.message.text]);
    expect(told.sort()).toEqual([
      ["ann", "Good news! Your idea is planned: “Dark mode for the app”. Thank you for suggesting it!"],
      ["ben", "Good news! An idea you voted for is planned: “Dark mode for the app”."],
    ]);

    // The history: the proposal, the vote (once), the status change, and the flow that told them.
    const ann = await t.history("ann");
    expect(ann.filter((e) => e.kind === "idea.proposed")).toMatchObject([{ text: "Dark mode for the app", data: { ideaId: idea.id } }]);
    expect(ann.filter((e) => e.kind === "idea.status_changed")).toMatchObject([{ actor: "agent:alice", data: { ideaId: idea.id, status: "planned", author: true } }]);
    const ben = await t.history("ben");
    expect(ben.filter((e) => e.kind === "idea.voted")).toMatchObject([{ text: "Dark mode for the app", data: { ideaId: idea.id, votes: 1 } }]);
    expect(ben.filter((e) => e.kind === "idea.status_changed")).toMatchObject([{ data: { status: "planned", author: false } }]);
    expect(ben.filter((e) => e.kind === "flow.start").map((e) => e.flow?.split("@")[0])).toContain("idea-update");
    expect(await t.app.db.prisma.ideaVote.count()).toBe(1);
  });

  it("a done idea closes voting for someone holding an older list; a customer in a conversation is not interrupted", async () => {
    const { t, ideas } = await ideasApp();
    await t.say("ann", "/ideas");
    await t.say("ann", press("propose"));
    await t.say("ann", "Gift wrapping at the till");
    await t.say("ben", "/ideas");
    expect(show(await t.say("ben", press("top")))).toEqual(["Top ideas:\n1. Gift wrapping at the till — 👍 0", VOTE_PROMPT]);
    expect(show(await t.say("ben", "1"))[0]).toBe("Thank you for your vote! Idea 1 now has 1 vote.");
    const idea = await t.app.db.prisma.idea.findFirstOrThrow();
    expect(await ideas.mark(idea.id, "done", "alice")).toBe(1); // ben is still choosing: only ann is told
    expect(show(await t.say("ben", "1"))).toEqual(["Voting on idea 1 has closed.", VOTE_PROMPT]);
    expect((await t.history("ben")).filter((e) => e.kind === "event.skipped")).toMatchObject([{ text: "idea.status_changed", data: { reason: "conversation in progress" } }]);
    const last = t.channel.sent.filter((s) => s.to.externalUserId === "ann").at(-1)!;
    expect(last.message.text).toBe("It's done! Your idea has come true: “Gift wrapping at the till”. Thank you for suggesting it!");
  });

  it("speaks Russian with plural forms, and shows customers' text as written (no template expansion)", async () => {
    const { t, ideas } = await ideasApp();
    const ru = { sender: { externalUserId: "ivan", languageHint: "ru" } };
    await t.say("ann", "/ideas");
    await t.say("ann", press("propose"));
    await t.say("ann", "Show {{contact.points}} and $t(common:gave_up) literally");
    await t.say("ann", "/ideas");
    await t.say("ann", press("propose"));
    await t.say("ann", "Longer opening hours");
    for (const user of ["v1", "v2", "v3", "v4"]) {
      await t.say(user, "/ideas");
      const list = show(await t.say(user, press("top")))[0]!.split("\n").slice(1);
      await t.say(user, String(list.findIndex((line) => line.includes("Longer opening hours")) + 1));
      await t.say(user, "0"); // done: out of the conversation, so the update can reach them
    }
    expect(show(await t.say("ivan", "/ideas", ru))).toEqual(["Есть идея, как нам стать лучше? Предложите её или проголосуйте за идеи других клиентов. [Предложить идею | Лучшие идеи и голосование | Не сейчас]"]);
    expect(show(await t.say("ivan", press("top"), ru))).toEqual([
      "Лучшие идеи:\n1. Longer opening hours — 👍 4\n2. Show {{contact.points}} and $t(common:gave_up) literally — 👍 0",
      "Чтобы проголосовать, отправьте номер идеи. Когда закончите, отправьте 0.",
    ]);
    expect(show(await t.say("ivan", "1", ru))[0]).toBe("Спасибо за ваш голос! У идеи 1 теперь 5 голосов.");
    expect(show(await t.say("ivan", "2", ru))[0]).toBe("Спасибо за ваш голос! У идеи 2 теперь 1 голос.");
    expect(show(await t.say("ivan", "1", ru))[0]).toBe("Вы уже голосовали за идею 1. У каждого один голос за идею.");
    expect(show(await t.say("ivan", "0", ru))).toEqual(["Спасибо за участие! Отправьте /ideas в любое время, чтобы узнать, что нового."]);
    const ivan = await contactIdOf(t, "ivan");
    const idea = await t.app.db.prisma.idea.findFirstOrThrow({ where: { text: "Longer opening hours" } });
    const before = t.channel.sent.length;
    expect(await ideas.mark(idea.id, "declined", "bob")).toBe(6);
    const toIvan = t.channel.sent.slice(before).filter((s) => s.to.externalUserId === "ivan").map((s) => s.message.text);
    expect(toIvan).toEqual(["Идею «Longer opening hours», за которую вы голосовали, мы пока воплощать не будем. Спасибо за ваш голос!"]);
    expect(await t.app.db.prisma.interaction.count({ where: { contactId: ivan, kind: "idea.voted" } })).toBe(2);
  });

  it("through the job scheduler (the app's wiring), a mark made without channels is sent by the bot's job run; a busy customer later", async () => {
    const t = await startApp();
    const ideas = new Ideas(t.app.db, async (contactId, name, data, key) => {
      await t.app.services.get(SCHEDULER).schedule({ kind: "event", contactId, name, data, dueAt: new Date(), key });
    }, silentLogger);
    t.app.services.provide(IDEAS, ideas);
    await t.say("ann", "/ideas");
    await t.say("ann", press("propose"));
    await t.say("ann", "Reusable cups");
    await t.say("ben", "/ideas");
    await t.say("ben", press("top"));
    await t.say("ben", "1"); // votes and stays in the conversation
    const idea = await t.app.db.prisma.idea.findFirstOrThrow();
    const before = t.channel.sent.length;
    expect(await ideas.mark(idea.id, "planned", "alice")).toBe(2); // queued for both
    expect(t.channel.sent.length).toBe(before); // nothing sent by the mark itself
    expect(await t.app.db.prisma.scheduledJob.count({ where: { name: "idea.status_changed" } })).toBe(2);
    await t.app.jobs.runDue();
    expect(t.channel.sent.slice(before).map((s) => [s.to.externalUserId, s.message.text])).toEqual([
      ["ann", "Good news! Your idea is planned: “Reusable cups”. Thank you for suggesting it!"],
    ]);
    await t.say("ben", "0");
    await t.app.jobs.runDue(new Date(Date.now() + 11 * 60_000)); // the busy retry comes due
    expect(t.channel.sent.filter((s) => s.to.externalUserId === "ben").at(-1)!.message.text).toBe("Good news! An idea you voted for is planned: “Reusable cups”.");
  });

  it("a suggestion that is too long is refused with the limit in the customer's language", async () => {
    const { t } = await ideasApp();
    await t.say("ola", "/ideas", { sender: { externalUserId: "ola", languageHint: "pl" } });
    await t.say("ola", press("propose"), { sender: { externalUserId: "ola", languageHint: "pl" } });
    expect(show(await t.say("ola", "x".repeat(501), { sender: { externalUserId: "ola", languageHint: "pl" } }))).toEqual([
      "To trochę za długo. Opis pomysłu może mieć najwyżej 500 znaków.",
      "Opisz swój pomysł w jednej wiadomości.",
    ]);
    expect(await t.app.db.prisma.idea.count()).toBe(0);
  });
});
