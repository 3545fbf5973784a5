/**
 * The bench measured something other than the real path: a reply missing, a conversation unfinished,
 * a row not stored. The run stops with this message and a non-zero exit, because a fast number
 * from a broken path is worse than no number.
 */
export class BenchFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BenchFailure";
  }
}
