import type pg from "pg";

/**
 * Being the one instance that does a kind of cluster-wide work (the sweeper, campaign pacing) among
 * several `rapport start` processes on one PostgreSQL database (issue 17). Work that merely must not
 * be done twice claims its rows instead (scheduled jobs, the outboxes: SKIP LOCKED and leases); this is
 * for work that must run in one place: a sweep every minute, not one per instance, and a campaign's
 * pace, which is a rate for the whole bot, not per process.
 */
export interface Leadership {
  /**
   * Whether this process leads now: keeps leading while its lock connection answers, else tries to
   * take the lock. Cheap enough to ask before each round of the work. Never throws (a database away
   * means "not now").
   */
  held(): Promise<boolean>;
  /** Gives the lock back (graceful stop), so another instance takes over at its next round. */
  release(): Promise<void>;
}

/** Fixed advisory lock keys, beside the migrations' 72_617_001 (src/db/migrate.ts). */
export const LEADER_LOCKS = { sweeper: 72_617_002, campaigns: 72_617_003 } as const;

/** SQLite is one file for one `rapport start`: that process always leads. */
export const soleLeadership: Leadership = { held: async () => true, release: async () => {} };

/** How the PostgreSQL leadership connects; the pool's settings, plus a name that says which process leads. */
export interface PgLeadershipOptions {
  pg: typeof pg;
  /** A connection config like the pools' (connect timeout, statement timeout, keep-alive). */
  config: pg.ClientConfig;
  /** Bounds the "still there?" check of a held lock. */
  checkMs: number;
}

/**
 * Leadership under a session-level `pg_try_advisory_lock` held on a connection of its own: the lock
 * lives exactly as long as that connection. A leader killed with SIGKILL loses its connection and so
 * the lock at once (the server reads the closed socket); a leader whose host vanished is found by the
 * server's TCP keep-alive, set short on this connection (about 25 s), after which the lock is free.
 * The connection's `application_name` is `rapport leader <lock> pid <pid>`, so `pg_stat_activity`
 * shows who leads. A follower opens a connection only to try, and closes it when the lock is taken.
 */
export function pgLeadership(key: number, options: PgLeadershipOptions): Leadership {
  let client: pg.Client | undefined;
  const drop = (c: pg.Client) => {
    if (client === c) client = undefined;
    void c.end().catch(() => undefined);
  };
  return {
    async held() {
      const mine = client;
      if (mine) {
        try {
          await mine.query({ text: "SELECT 1", query_timeout: options.checkMs } as pg.QueryConfig);
          return true;
        } catch {
          drop(mine); // the connection is gone, and the lock with it: try again below, like anyone
        }
      }
      const c = new options.pg.Client({
        ...options.config,
        application_name: `rapport leader ${key} pid ${process.pid}`,
        // The server's keep-alive on this connection: a leader whose machine vanished frees the lock within ~25 s.
        options: "-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3",
      });
      c.on("error", () => drop(c)); // a broken idle connection: the next check finds no leader here
      try {
        await c.connect();
        const rows = (await c.query("SELECT pg_try_advisory_lock($1::bigint) AS taken", [key])).rows as { taken: boolean }[];
        if (rows[0]?.taken === true) {
          client = c;
          return true;
        }
      } catch {
        // unreachable database: not the leader this round
      }
      drop(c);
      return false;
    },
    async release() {
      const mine = client;
      client = undefined;
      if (mine) await mine.end().catch(() => undefined); // closing the session frees its advisory locks
    },
  };
}
