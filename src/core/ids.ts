import { randomBytes } from "node:crypto";

let last = 0;
let counter = 0;
/** The time part of the ids made in the current millisecond (the hot path makes several per message). */
let prefix = "";
const COUNTER_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz";
const node = randomBytes(4).toString("hex");

/**
 * A new unique id that sorts by creation time (ms timestamp, per-process counter, process tag), so
 * history rows written in one batch keep their order and ids never collide across instances.
 */
export function newId(): string {
  const now = Math.max(Date.now(), last); // a clock stepping back must not reorder ids
  if (now === last) counter++;
  else { last = now; counter = 0; prefix = now.toString(36).padStart(9, "0"); }
  return `${prefix}${counter < 36 ? "000" + COUNTER_DIGITS[counter] : counter.toString(36).padStart(4, "0")}${node}`;
}


/**
 * The smallest id newId() can make at `at` or later: every id made before `at` sorts below it. Lets a
 * sweep walk old rows by primary key (retention) instead of needing an index on a time column.
 */
export function idFloor(at: Date): string {
  return at.getTime().toString(36).padStart(9, "0");
}
