import { describe, expect, it } from "vitest";
import { judge } from "../../src/campaigns/eligibility";
import { parseQuietHours, quietUntil } from "../../src/campaigns/quietHours";
import { useTestApps } from "../helpers/testApp";

// Issue 15: quiet hours in the contact's time zone, across a day boundary, deferring (never dropping).

const NIGHT = parseQuietHours("21:00-09:00")!;

describe("quietUntil", () => {
  it.each([
    // [instant, zone, until (or undefined: not quiet)]
    ["2026-12-01T22:30:00Z", "Europe/Warsaw", "2026-12-02T08:00:00.000Z"], // 23:30 local → 09:00 next day
    ["2026-12-01T22:30:00Z", "Asia/Ho_Chi_Minh", "2026-12-02T02:00:00.000Z"], // already 05:30 on the 2nd → 09:00 that day
    ["2026-12-01T19:30:00Z", "Europe/Warsaw", undefined], // 20:30: still allowed
    ["2026-12-01T19:30:00Z", "Asia/Ho_Chi_Minh", "2026-12-02T02:00:00.000Z"], // 02:30 on the 2nd
    ["2026-12-02T01:30:00Z", "America/New_York", undefined], // 20:30 on the 1st
    ["2026-12-02T02:30:45Z", "America/New_York", "2026-12-02T14:00:00.000Z"], // 21:30:45 on the 1st → 09:00 on the 2nd
    ["2026-12-02T08:00:00Z", "Europe/Warsaw", undefined], // 09:00 sharp: over
  ])("%s in %s", (at, zone, until) => {
    expect(quietUntil(new Date(at), zone, NIGHT)?.toISOString()).toBe(until);
  });

  it("a window within one day, and malformed windows", () => {
    const lunch = parseQuietHours("12:00-13:30")!;
    expect(quietUntil(new Date("2026-12-01T12:10:00Z"), "UTC", lunch)?.toISOString()).toBe("2026-12-01T13:30:00.000Z");
    expect(quietUntil(new Date("2026-12-01T13:30:00Z"), "UTC", lunch)).toBeUndefined();
    expect(parseQuietHours("25:00-09:00")).toBeUndefined();
    expect(parseQuietHours("9-17")).toBeUndefined();
    expect(parseQuietHours("off")).toBeUndefined();
  });
});

describe("judge with quiet hours", () => {
  const start = useTestApps();
  it("defers each contact to the end of their own night: the deployment's zone, or their time_zone attribute", async () => {
    const t = await start();
    await t.say("warsaw", "hello");
    await t.say("saigon", "hello");
    const ids = Object.fromEntries(await Promise.all(["warsaw", "saigon"].map(async (n) => [n, (await t.app.db.prisma.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "test", externalId: n } } })).contactId] as const)));
    await t.app.db.prisma.contact.update({ where: { id: ids.saigon! }, data: { attributes: JSON.stringify({ time_zone: "Asia/Ho_Chi_Minh" }) } });
    const rules = { consent: "opt_out" as const, quietHours: NIGHT, timeZone: "Europe/Warsaw" };
    const at = new Date("2026-12-01T19:30:00Z");
    const verdicts = await judge(t.app.db, rules, [ids.warsaw!, ids.saigon!], at);
    expect(verdicts.get(ids.warsaw!)).toEqual({ kind: "send" });
    expect(verdicts.get(ids.saigon!)).toEqual({ kind: "defer", reason: "quiet_hours", until: new Date("2026-12-02T02:00:00Z") });
    const later = await judge(t.app.db, rules, [ids.warsaw!, ids.saigon!], new Date("2026-12-01T22:30:00Z"));
    expect(later.get(ids.warsaw!)).toEqual({ kind: "defer", reason: "quiet_hours", until: new Date("2026-12-02T08:00:00Z") });
  });
});
