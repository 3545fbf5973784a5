import { join } from "node:path";
import { createApp, type App } from "../src/app/createApp";
import { youngGenerationMbOf } from "../src/config";
import { silentLogger } from "../src/core/log";
import { boundOldGeneration, collectStartupGarbage, releaseYoungGeneration } from "../src/core/startupHeap";
import type { Dialect } from "../src/db/Database";
import type { BenchPath, PathName } from "./BenchPath";
import { corePath } from "./corePath";
import { freshDatabase } from "./databases";
import { ROOT } from "./root";

let startupCollected = false;

/** A Rapport core on a fresh database with one path for customers to come in by: one measurement's world. */
export interface BenchSession {
  dialect: Dialect;
  app: App;
  path: BenchPath;
  /** Stops the path's channel, closes the app (waiting for in-flight work) and deletes the database. */
  close(): Promise<void>;
}

/** Starts the app exactly as production does (migrations, flow registration), minus hot reload, serving `bench/flows` with the shipped `locales`, with `pathName`'s channel. */
export async function openSession(dialect: Dialect, pgServer: string, pathName: PathName): Promise<BenchSession> {
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
  // As `rapport start` does before it is ready: once per process, as start (the sessions after the
  // first would otherwise also collect, and may flush, what the previous sessions' traffic compiled).
  if (!startupCollected) collectStartupGarbage();
  startupCollected = true;
  releaseYoungGeneration(youngGenerationMbOf(process.env)); // as `rapport start` does once ready, with YOUNG_GENERATION_MB as start reads it
  boundOldGeneration();
  let path: BenchPath;
  try {
    // Imported only when used, so a core-path child does not load grammY (its heap figures stay the engine's).
    path = pathName === "core" ? corePath(app) : await (await import("./telegramPath")).telegramPath(app);
  } catch (error) {
    await app.close();
    await database.dispose();
    throw error;
  }
  return {
    dialect, app, path,
    async close() {
      try {
        await path.close();
        await app.close();
      } finally {
        await database.dispose();
      }
    },
  };
}
