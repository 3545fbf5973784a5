import { createInterface } from "node:readline";

/** Set in a child's environment when its parent hands out turns (child.ts): each session waits for one. */
export const TURNS_ENV = "RAPPORT_BENCH_TURNS";
/** Printed by a child when it waits for its turn; the parent answers with any line on stdin. */
export const TURN_READY = "bench: ready";
/** Printed by a child when its session (run, verification, cleanup) ended. */
export const TURN_DONE = "bench: done";

let lines: AsyncIterator<string> | undefined;

/**
 * Runs one session in this child's turn. Two paths measured in two processes at once would share the
 * two cores, and measured one after the other they would sit a minute apart on a machine that swings
 * ±30% from minute to minute; taking turns session by session keeps each process's own JIT and RSS
 * while the paths' runs sit seconds apart. Without TURNS_ENV (a child started by hand, e.g. to
 * profile it) the session simply runs.
 */
export async function takeTurn<T>(session: () => Promise<T>): Promise<T> {
  if (!process.env[TURNS_ENV]) return session();
  lines ??= createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  process.stdout.write(`${TURN_READY}\n`);
  if ((await lines.next()).done) throw new Error("the bench's parent process ended before this child's turn");
  try {
    return await session();
  } finally {
    process.stdout.write(`${TURN_DONE}\n`);
  }
}
