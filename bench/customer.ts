import type { Deliver } from "../src/core/Channel";
import type { InboundBody, InboundEvent } from "../src/core/message";
import { BenchFailure } from "./BenchFailure";
import type { CountingChannel } from "./CountingChannel";

/** Messages each simulated customer sends; the signup flow needs exactly these four to finish. */
export const MESSAGES_PER_CUSTOMER = 4;

const INTERESTS = ["news", "offers", "events"] as const;

/** What customer `n` sends through bench/flows/signup.yaml: /start, a button, a valid email, a rating. */
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
  deliver: Deliver;
  channel: CountingChannel;
  /** Prefix of the external user ids, so warm-up and measured customers are distinct contacts. */
  prefix: string;
  /** Replies each message must produce (from `calibrate`); a different count fails the run. */
  expectedReplies: readonly number[];
  /** When given, message k of customer n stores its latency (ms) at index n * 4 + k. */
  latencies?: Float64Array;
}

/**
 * Returns a function that plays customer `n`: each message is delivered only after the previous one
 * resolved (stored, handled, replies sent), as a person waits for the bot. Latency is measured from
 * calling `deliver` to its promise resolving, so it includes both group commits.
 */
export function customerRunner(options: CustomerOptions): (n: number) => Promise<void> {
  const { deliver, channel, prefix, expectedReplies, latencies } = options;
  return async (n) => {
    const user = `${prefix}${n}`;
    const script = signupScript(n);
    for (let k = 0; k < script.length; k++) {
      const event = messageEvent(channel.name, user, k, script[k]!);
      const started = performance.now();
      await deliver(event);
      if (latencies) latencies[n * MESSAGES_PER_CUSTOMER + k] = performance.now() - started;
      const replies = channel.take(user);
      if (replies !== expectedReplies[k]) {
        throw new BenchFailure(`customer ${user}, message ${k + 1} (${JSON.stringify(script[k])}): ${replies} replies, expected ${expectedReplies[k]} as the calibration customer got`);
      }
    }
  };
}

/**
 * Plays one customer alone and returns how many replies each message produced: the reference every
 * other customer is checked against. Every message must be answered, or the flow is not the one the
 * bench expects and the run stops.
 */
export async function calibrate(deliver: Deliver, channel: CountingChannel, user: string): Promise<number[]> {
  const counts: number[] = [];
  const script = signupScript(0);
  for (const [k, body] of script.entries()) {
    await deliver(messageEvent(channel.name, user, k, body));
    counts.push(channel.take(user));
  }
  const silent = counts.findIndex((c) => c === 0);
  if (silent >= 0) throw new BenchFailure(`calibration customer got no reply to message ${silent + 1} (${JSON.stringify(script[silent])}); is bench/flows/signup.yaml the sign-up flow?`);
  return counts;
}

/** Message k of `user` as a channel would deliver it; the dedupe key makes it cost what a Telegram update costs. */
function messageEvent(channel: string, user: string, k: number, body: InboundBody): InboundEvent {
  return {
    channel, sender: { externalUserId: user, languageHint: "en" }, externalChatId: user,
    externalMessageId: String(k + 1), dedupeKey: `bench:${user}:${k + 1}`, receivedAt: new Date(), body,
  };
}
