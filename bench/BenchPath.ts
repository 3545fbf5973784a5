/** The ways the bench can feed customers' messages into Rapport. */
export const PATH_NAMES = ["core", "telegram"] as const;

/** `core`: events straight into `engine.deliver`. `telegram`: Telegram updates through the grammY adapter. */
export type PathName = (typeof PATH_NAMES)[number];

/** Which simulated customers a user id belongs to; each group gets its own contacts. */
export type CustomerGroup = "calibration" | "warmup" | "customer";

/**
 * How simulated customers reach the engine and see its replies. Load shapes, reply checks and the
 * database verification are shared by every path, so two paths' figures differ only by what sits
 * between the customer and `engine.deliver`.
 */
export interface BenchPath {
  readonly name: PathName;
  /** The channel name the engine stores with each contact's identity. */
  readonly channel: string;
  /** Replies sent since the path was opened, over all customers. */
  readonly total: number;
  /** The external user id of customer `n` of `group`. */
  userId(group: CustomerGroup, n: number): string;
  /**
   * Builds message `k` of customer `n`'s script as this path's input (outside the timed span) and
   * returns the call that delivers it, which resolves once the engine stored, handled and answered it.
   */
  message(user: string, n: number, k: number): () => Promise<void>;
  /** Replies sent to `user` since the last call for that customer. */
  take(user: string): number;
  /** Path-specific mismatches after `customers` customers finished (empty when all is as expected). */
  check(customers: number): Promise<string[]>;
  /** Stops the channel; called before the app closes. */
  close(): Promise<void>;
}
