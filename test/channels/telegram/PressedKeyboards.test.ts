/**
 * The double-tap guard (src/channels/telegram/PressedKeyboards.ts): a keyboard is accepted once,
 * can be accepted again after `delete`, and the oldest presses are forgotten past the capacity.
 */
import { describe, expect, it } from "vitest";
import { PressedKeyboards } from "../../../src/channels/telegram/PressedKeyboards";

describe("PressedKeyboards", () => {
  it("accepts a keyboard's first press and refuses the second", () => {
    const pressed = new PressedKeyboards();
    expect(pressed.add(123, 41)).toBe(true);
    expect(pressed.add(123, 41)).toBe(false);
  });

  it("tells keyboards apart by chat and message", () => {
    const pressed = new PressedKeyboards();
    expect(pressed.add(123, 41)).toBe(true);
    expect(pressed.add(123, 42)).toBe(true);
    expect(pressed.add(-1001234567890, 41)).toBe(true);
    expect(pressed.add(12, 341)).toBe(true); // "12:341" is not "123:41"
  });

  it("accepts a keyboard again after delete (its handling failed)", () => {
    const pressed = new PressedKeyboards();
    pressed.add(123, 41);
    pressed.delete(123, 41);
    expect(pressed.add(123, 41)).toBe(true);
    expect(pressed.add(123, 41)).toBe(false);
  });

  it("remembers at least capacity/2 presses and forgets the oldest generation past capacity", () => {
    const pressed = new PressedKeyboards(4); // generations of 2
    for (const m of [1, 2, 3, 4]) expect(pressed.add(1, m)).toBe(true);
    // 1:1 and 1:2 were the previous generation when 1:3 and 1:4 filled the current one: forgotten now
    expect(pressed.add(1, 3)).toBe(false);
    expect(pressed.add(1, 4)).toBe(false);
    expect(pressed.add(1, 1)).toBe(true);
    expect(pressed.add(1, 1)).toBe(false);
  });
});
