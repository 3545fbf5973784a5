/** What `/readyz` answers: ready, or why not. */
export type Readiness = "ready" | "starting" | "database_unreachable";

/**
 * Wraps a readiness probe (is the database answering?) so a load balancer polling every second, or
 * many at once, costs one query per `ttlMs`: answers are cached briefly, and concurrent checks share
 * the one in flight. A probe that throws counts as "not ready".
 */
export function cachedProbe(probe: () => Promise<boolean>, ttlMs: number, now: () => number = Date.now): () => Promise<boolean> {
  let cached: { ok: boolean; at: number } | undefined;
  let pending: Promise<boolean> | undefined;
  return () => {
    if (cached && now() - cached.at < ttlMs) return Promise.resolve(cached.ok);
    pending ??= probe().catch(() => false).then((ok) => {
      cached = { ok, at: now() };
      pending = undefined;
      return ok;
    });
    return pending;
  };
}
