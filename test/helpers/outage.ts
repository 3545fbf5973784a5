import BetterSqlite3 from "better-sqlite3";
import { sqlitePath } from "../../src/db/Database";
import { testDialect } from "./database";
import { TcpProxy } from "./tcpProxy";

/** Takes a test's database away and brings it back (issue 13: nothing received is lost meanwhile). */
export interface Outage {
  /** Give the app this URL instead of the fresh one (PostgreSQL: through the proxy). */
  url(fresh: string): string;
  begin(): Promise<void>;
  end(): Promise<void>;
  close(): Promise<void>;
}

/**
 * PostgreSQL: a TcpProxy in front of the server, taken down (connections cut, new ones refused) and
 * brought up again. SQLite: another connection holds the write lock (BEGIN EXCLUSIVE), so every write
 * of Rapport's hot path meets SQLITE_BUSY until it ends (reads go on, as in WAL they do). Prisma's own
 * SQLite connection would wait for that lock synchronously, so use this only where the hot path writes.
 */
export async function startOutage(): Promise<Outage> {
  if (testDialect === "postgresql") {
    const server = new URL(process.env.TEST_DATABASE_URL!);
    const proxy = new TcpProxy(server.hostname, Number(server.port || 5432));
    await proxy.up();
    let down = false;
    return {
      url: (fresh) => {
        const via = new URL(fresh);
        via.hostname = "127.0.0.1";
        via.port = String(proxy.port);
        return via.toString();
      },
      begin: async () => { down = true; await proxy.down(); },
      end: async () => { if (down) { down = false; await proxy.up(); } },
      close: () => proxy.down(),
    };
  }
  let file: string | undefined;
  let locker: BetterSqlite3.Database | undefined;
  return {
    url: (fresh) => { file = sqlitePath(fresh); return fresh; },
    begin: async () => { locker = new BetterSqlite3(file!); locker.exec("BEGIN EXCLUSIVE"); },
    end: async () => { if (locker?.open) { locker.exec("COMMIT"); locker.close(); } },
    close: async () => { if (locker?.open) locker.close(); },
  };
}
