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

  it("forgets the oldest press past its capacity", () => {
    const pressed = new PressedKeyboards(2);
    pressed.add(1, 1);
    pressed.add(1, 2);
    pressed.add(1, 3); // evicts 1:1
    expect(pressed.add(1, 3)).toBe(false);
    expect(pressed.add(1, 2)).toBe(false);
    expect(pressed.add(1, 1)).toBe(true); // forgotten, so accepted again (and evicts 1:2)
    expect(pressed.add(1, 2)).toBe(true);
  });
});
