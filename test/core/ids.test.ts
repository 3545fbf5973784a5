import { afterEach, describe, expect, it, vi } from "vitest";
import { newId } from "../../src/core/ids";

describe("newId", () => {
  afterEach(() => { vi.restoreAllMocks(); });

  it("is unique over 10,000 calls", () => {
    const ids = Array.from({ length: 10_000 }, () => newId());
    expect(new Set(ids).size).toBe(10_000);
  });

  it("sorts in creation order, also within one millisecond", () => {
    const ids = Array.from({ length: 10_000 }, () => newId());
    expect([...ids].sort()).toEqual(ids);
    vi.spyOn(Date, "now").mockReturnValue(Date.UTC(2030, 0, 1));
    const sameMs = Array.from({ length: 100 }, () => newId());
    expect(new Set(sameMs).size).toBe(100);
    expect([...sameMs].sort()).toEqual(sameMs);
  });

  it("sorts a later millisecond after an earlier one, across base-36 length changes", () => {
    const now = vi.spyOn(Date, "now");
    now.mockReturnValue(35);
    const a = newId();
    now.mockReturnValue(36);
    const b = newId();
    now.mockReturnValue(Date.UTC(2031, 0, 1));
    const c = newId();
    expect([a, b, c].sort()).toEqual([a, b, c]);
  });

  it("has a fixed length and only lowercase base-36 and hex characters", () => {
    const id = newId();
    expect(id).toMatch(/^[0-9a-z]{21}$/);
    expect(newId().length).toBe(id.length);
  });

  it("ends with the same process tag every time", () => {
    expect(newId().slice(-8)).toBe(newId().slice(-8));
  });

  // A clock stepping back (NTP correction, VM resume) must not make new ids sort before older ones.
  it("stays in creation order when the clock steps back", () => {
    const now = vi.spyOn(Date, "now");
    now.mockReturnValue(Date.UTC(2032, 0, 1, 0, 0, 1));
    const first = newId();
    now.mockReturnValue(Date.UTC(2032, 0, 1, 0, 0, 0));
    const second = newId();
    expect([first, second].sort()).toEqual([first, second]);
  });
});
