import { join } from "node:path";
import { createApp, type App } from "../src/app/createApp";
import { silentLogger } from "../src/core/log";
import type { Dialect } from "../src/db/Database";
import { CountingChannel } from "./CountingChannel";
import { freshDatabase } from "./databases";

/** The repository root; the bench serves `bench/flows` with the shipped `locales`. */
export const ROOT = join(import.meta.dirname, "..");

/** A Rapport core on a fresh database with a counting channel attached: one measurement's world. */
export interface BenchSession {
  dialect: Dialect;
  app: App;
  channel: CountingChannel;
  /** Closes the app (waiting for in-flight work) and deletes the database. */
  close(): Promise<void>;
}

/** Starts the app exactly as production does (migrations, flow registration), minus channels and hot reload. */
export async function openSession(dialect: Dialect, pgServer: string): Promise<BenchSession> {
  const database = await freshDatabase(dialect, pgServer);
  let app: App;
  try {
    app = await createApp({
      settings: { databaseUrl: database.url, flowsDir: join(ROOT, "bench", "flows"), localesDir: join(ROOT, "locales"), hotReload: false },
      log: silentLogger,
    });
  } catch (error) {
    await database.dispose();
    throw error;
  }
  const channel = new CountingChannel();
  app.engine.attach(channel);
  return {
    dialect, app, channel,
    async close() {
      try {
        await app.close();
      } finally {
        await database.dispose();
      }
    },
  };
}
