/**
 * A message stored whose turn never committed (kill -9 mid-turn, or an outage past DB_RETRY_SECONDS
 * after the store) is answered once by the recovery pass, and only once it is old enough not to be in
 * a turn right now. Polling confirms stored updates, so nothing else would ever answer it.
 */
import { describe, expect, it } from "vitest";
import { idFloor } from "../../src/core/ids";
import { silentLogger } from "../../src/core/log";
import { UnfinishedTurns } from "../../src/engine/UnfinishedTurns";
import { testDialect } from "../helpers/database";
import { useTestApps, type TestApp } from "../helpers/testApp";

const start = useTestApps();

/** Stores an inbound row as the engine's receive step would, `ageMs` ago, with no turn after it. */
async function storedUnanswered(t: TestApp, user: string, ageMs: number, row: { kind: string; text: string; data?: object; dedupeKey?: string | null }) {
  const contactId = (await t.app.db.prisma.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "test", externalId: user } } })).contactId;
  const at = new Date(Date.now() - ageMs);
  const id = `${idFloor(at)}0000feedbeef`;
  await t.app.db.prisma.interaction.create({ data: {
    id, contactId, occurredAt: at, direction: "in", kind: row.kind, channel: "test", actor: "customer", text: row.text,
    data: row.data ? JSON.stringify(row.data) : null, dedupeKey: row.dedupeKey === undefined ? `test:update:${id}` : row.dedupeKey,
  } });
  return id;
}

describe(`unfinished turns (${testDialect})`, () => {
  it("answers a stored message whose turn never finished, once; leaves young ones and ones without a dedupe key", async () => {
    const t = await start();
    await t.say("ann", "/start");
    await t.say("ann", "/help"); // the menu question is closed: /menu below starts afresh
    const lost = await storedUnanswered(t, "ann", 5 * 60_000, { kind: "command", text: "/menu", data: { command: "menu", payload: null } });
    const young = await storedUnanswered(t, "ann", 10_000, { kind: "text", text: "still in its turn" });
    const keyless = await storedUnanswered(t, "ann", 5 * 60_000, { kind: "text", text: "a terminal line", dedupeKey: null });
    const recovery = new UnfinishedTurns(t.app.db, t.app.engine.deliver, () => t.app.engine.channelNames(), silentLogger);
    const before = t.channel.sent.length;
    expect(await recovery.recover()).toBe(1);
    await t.app.engine.idle();
    const answers = t.channel.sent.slice(before).map((s) => s.message.text);
    expect(answers.at(-1)).toMatch(/What would you like to do\?/);
    const handled = await t.app.db.prisma.handledMessage.findMany({ where: { interactionId: { in: [lost, young, keyless] } } });
    expect(handled.map((h) => h.interactionId)).toEqual([lost]);
    // The same row is not found again (a second pass, or a fresh process looking back a day).
    expect(await recovery.recover()).toBe(0);
    expect(await new UnfinishedTurns(t.app.db, t.app.engine.deliver, () => t.app.engine.channelNames(), silentLogger).recover()).toBe(0);
    expect(t.channel.sent.length).toBe(before + answers.length);
    // The stored row was answered, not stored a second time.
    expect(await t.app.db.prisma.interaction.count({ where: { direction: "in", text: "/menu" } })).toBe(1);
  });

  it("reads every kind of stored message back: a button press and a photo with its caption", async () => {
    const t = await start();
    await t.say("bo", "/start");
    const press = await storedUnanswered(t, "bo", 5 * 60_000, { kind: "choice", text: "My points", data: { value: "balance" } });
    const photo = await storedUnanswered(t, "bo", 4 * 60_000, { kind: "media.photo", text: "[photo]", data: { media: "photo", fileId: "F1" } });
    const recovery = new UnfinishedTurns(t.app.db, t.app.engine.deliver, () => t.app.engine.channelNames(), silentLogger);
    expect(await recovery.recover()).toBe(2);
    await t.app.engine.idle();
    expect(await t.app.db.prisma.handledMessage.count({ where: { interactionId: { in: [press, photo] } } })).toBe(2);
    expect(t.channel.sent.map((s) => s.message.text).join("\n")).toMatch(/points/i);
  });
});
