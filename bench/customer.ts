import type { InboundBody } from "../src/core/message";
import { BenchFailure } from "./BenchFailure";
import type { BenchPath, CustomerGroup } from "./BenchPath";

/** Messages each simulated customer sends; the signup flow needs exactly these four to finish. */
export const MESSAGES_PER_CUSTOMER = 4;

const INTERESTS = ["news", "offers", "events"] as const;

/**
 * What customer `n` sends through bench/flows/signup.yaml: /start, a button, a valid email, a rating
 * button. Every path plays this script, each in its own form (an event body, a Telegram update).
 */
export function signupScript(n: number): InboundBody[] {
  return [
    { kind: "command", command: "start" },
    { kind: "choice", value: INTERESTS[n % INTERESTS.length]! },
    { kind: "text", text: `user${n}@example.com` },
    { kind: "choice", value: String(1 + (n % 5)) },
  ];
}

/** How simulated customers reach the engine and what they must get back. */
export interface CustomerOptions {
  path: BenchPath;
  /** Which customers these are, so warm-up and measured customers are distinct contacts. */
  group: CustomerGroup;
  /** Replies each message must produce (from `calibrate`); a different count fails the run. */
  expectedReplies: readonly number[];
  /** When given, message k of customer n stores its latency (ms) at index n * 4 + k. */
  latencies?: Float64Array;
}

/**
 * Returns a function that plays customer `n`: each message is delivered only after the previous one
 * resolved (stored, handled, replies sent), as a person waits for the bot. Latency is measured from
 * delivering the message (built beforehand) to its promise resolving, so it includes both group
 * commits, and on the telegram path the adapter both ways.
 */
export function customerRunner(options: CustomerOptions): (n: number) => Promise<void> {
  const { path, group, expectedReplies, latencies } = options;
  return async (n) => {
    const user = path.userId(group, n);
    for (let k = 0; k < MESSAGES_PER_CUSTOMER; k++) {
      const deliver = path.message(user, n, k);
      const started = performance.now();
      await deliver();
      if (latencies) latencies[n * MESSAGES_PER_CUSTOMER + k] = performance.now() - started;
      const replies = path.take(user);
      if (replies !== expectedReplies[k]) {
        throw new BenchFailure(`${path.name} path, customer ${user}, message ${k + 1} (${JSON.stringify(signupScript(n)[k])}): ${replies} replies, expected ${expectedReplies[k]} as the calibration customer got`);
      }
    }
  };
}

/**
 * Plays one customer alone and returns how many replies each message produced: the reference every
 * other customer is checked against. Every message must be answered, or the flow is not the one the
 * bench expects and the run stops.
 */
export async function calibrate(path: BenchPath): Promise<number[]> {
  const user = path.userId("calibration", 0);
  const counts: number[] = [];
  for (let k = 0; k < MESSAGES_PER_CUSTOMER; k++) {
    await path.message(user, 0, k)();
    counts.push(path.take(user));
  }
  const silent = counts.findIndex((c) => c === 0);
  if (silent >= 0) throw new BenchFailure(`${path.name} path: the calibration customer got no reply to message ${silent + 1} (${JSON.stringify(signupScript(0)[silent])}); is bench/flows/signup.yaml the sign-up flow?`);
  return counts;
}
