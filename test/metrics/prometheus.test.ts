/**
 * Prometheus metrics (issue 17, goal 6): the hot path's counters through core/telemetry, the turn
 * histogram, and the gauges read from the database at each scrape.
 */
import { afterEach, describe, expect, it } from "vitest";
import { newId } from "../../src/core/ids";
import { installTelemetry } from "../../src/core/telemetry";
import type { Channel } from "../../src/core/Channel";
import { RecipientUnreachableError } from "../../src/core/errors";
import { createMetrics, messageOutbox, ticketOutbox } from "../../src/metrics/prometheus";
import { enqueueMessage } from "../../src/outbox/enqueueMessage";
import { useTestApps } from "../helpers/testApp";

const startApp = useTestApps();
afterEach(() => installTelemetry(undefined));

/** The value of one sample line, e.g. `rapport_messages_in_total{channel="test"}`. */
function sample(text: string, name: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe("createMetrics", () => {
  it("counts messages in and out and times turns, through the engine", async () => {
    const t = await startApp();
    const metrics = createMetrics(t.app.db, { defaultMetrics: false });
    installTelemetry(metrics.telemetry);
    await t.say("ann", "/start");
    await t.say("ann", "hello");
    const text = await metrics.render();
    expect(sample(text, 'rapport_messages_in_total{channel="test"}')).toBe(2);
    expect(sample(text, 'rapport_messages_out_total{channel="test"}')).toBe(t.channel.sent.length);
    expect(t.channel.sent.length).toBeGreaterThan(0);
    expect(sample(text, "rapport_turn_duration_seconds_count")).toBe(2);
    expect(sample(text, 'rapport_turn_duration_seconds_bucket{le="+Inf"}')).toBe(2);
  });

  it("counts refused sends by reason", async () => {
    const t = await startApp();
    const metrics = createMetrics(t.app.db, { defaultMetrics: false });
    installTelemetry(metrics.telemetry);
    const blocked: Channel = { name: "test", start: async () => {}, stop: async () => {}, send: async () => { throw new RecipientUnreachableError("test", "blocked"); } };
    t.app.engine.attach(blocked);
    await t.say("bob", "/start");
    expect(sample(await metrics.render(), 'rapport_send_failures_total{channel="test",reason="unreachable"}')).toBe(1);
  });

  it("reads the job queue and outbox depth from the database at each scrape", async () => {
    const t = await startApp();
    const metrics = createMetrics(t.app.db, { defaultMetrics: false });
    metrics.addOutbox(messageOutbox(t.app.db));
    metrics.addOutbox(ticketOutbox(t.app.db));
    const id = newId();
    await t.app.db.prisma.contact.create({ data: { id } });
    // Two messages for a channel this process does not have: they wait in the outbox.
    const to = { channel: "elsewhere", externalChatId: "c1", externalUserId: "u1" };
    await t.app.db.prisma.$transaction(async (tx) => {
      await enqueueMessage(tx, { contactId: id, to, message: { text: "one" }, priority: "notification" });
      await enqueueMessage(tx, { contactId: id, to, message: { text: "two" }, priority: "campaign" });
    });
    const job = (key: string, dueAt: Date) => ({ id: newId(), kind: "event", contactId: id, name: "x", dueAt, status: "pending", idempotencyKey: key });
    await t.app.db.prisma.scheduledJob.createMany({ data: [job("a", new Date(Date.now() - 1000)), job("b", new Date(Date.now() - 1000)), job("c", new Date(Date.now() + 3_600_000))] });
    let text = await metrics.render();
    expect(sample(text, 'rapport_job_queue_depth{state="due"}')).toBe(2);
    expect(sample(text, 'rapport_job_queue_depth{state="scheduled"}')).toBe(1);
    expect(sample(text, 'rapport_outbox_depth{outbox="support"}')).toBe(0);
    expect(sample(text, 'rapport_outbox_depth{outbox="messages"}')).toBe(2);
    await t.app.db.prisma.scheduledJob.updateMany({ data: { status: "done" } });
    await t.app.db.prisma.outboxMessage.updateMany({ data: { status: "sent", sentAt: new Date() } });
    text = await metrics.render();
    expect(sample(text, 'rapport_job_queue_depth{state="due"}')).toBe(0);
    expect(sample(text, 'rapport_outbox_depth{outbox="messages"}')).toBe(0);
  });

  it("counts database errors, transient and permanent, and still answers when the database is gone", async () => {
    const t = await startApp();
    const metrics = createMetrics(t.app.db, { defaultMetrics: false });
    installTelemetry(metrics.telemetry);
    const { withDbRetry } = await import("../../src/db/retry");
    let calls = 0;
    await withDbRetry(async () => { if (calls++ === 0) throw Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" }); }, { firstDelayMs: 1 });
    await expect(withDbRetry(async () => { throw Object.assign(new Error("no such table"), { code: "P2021" }); })).rejects.toThrow();
    await expect(withDbRetry(async () => { throw Object.assign(new Error("repeat"), { code: "P2002" }); })).rejects.toThrow(); // a repeat, not an error
    await expect(withDbRetry(async () => { throw new RangeError("a bug, not the database"); })).rejects.toThrow();
    let text = await metrics.render();
    expect(sample(text, 'rapport_db_errors_total{kind="transient"}')).toBe(1);
    expect(sample(text, 'rapport_db_errors_total{kind="permanent"}')).toBe(1);
    await t.close();
    text = await metrics.render(); // the gauges cannot be read: the counters are still served
    expect(sample(text, 'rapport_messages_in_total{channel="test"}')).toBeUndefined();
    expect(text).toContain("rapport_db_errors_total");
    expect(text).not.toContain("rapport_job_queue_depth{");
  });
});
