import "./actions";
import type { Settings } from "../config";
import type { Logger } from "../core/log";
import { openDatabase, type Database } from "../db/Database";
import { migrate } from "../db/migrate";
import { Engine, type EngineOptions } from "../engine/Engine";
import { FlowCatalog } from "../flows/FlowCatalog";
import { FlowRuntime } from "../flows/FlowRuntime";
import { Translator } from "../i18n/Translator";
import { FlowFileError, formatProblem } from "../core/errors";

/** A running Rapport core: database, flows, translations and the engine, without any channel. */
export interface App {
  db: Database;
  engine: Engine;
  catalog: FlowCatalog;
  translator(): Translator;
  /** Re-reads locales and flows; a bad change is refused (logged) and the last good version kept. */
  reload(): Promise<boolean>;
  close(): Promise<void>;
}

/** What createApp needs: the settings it reads, and hooks for tests. */
export interface AppOptions {
  settings: Pick<Settings, "databaseUrl" | "flowsDir" | "localesDir" | "hotReload"> & { dbRetrySeconds?: number };
  log: Logger;
  engine?: EngineOptions;
}

/**
 * Opens and migrates the database, loads translations and flows (refusing to start on a bad flow
 * file, with every problem listed), and builds the engine. Channels attach to `app.engine`.
 */
export async function createApp({ settings, log, engine: engineOptions }: AppOptions): Promise<App> {
  const db = await openDatabase(settings.databaseUrl);
  try {
    const applied = await migrate(db);
    if (applied.length > 0) log.info("database migrated", { applied });
    let translator = Translator.fromDirectory(settings.localesDir);
    const catalog = new FlowCatalog(db, () => translator);
    const flows = await catalog.loadDirectory(settings.flowsDir);
    log.info("flows loaded", { flows: flows.map((f) => `${f.id}@${f.version}`) });
    const runtime = new FlowRuntime(catalog, () => translator, db, (error, context) => log.error("flow action failed", { ...context, error }));
    const engine = new Engine(db, runtime, log, { retry: { budgetMs: (settings.dbRetrySeconds ?? 30) * 1000 }, ...engineOptions });
    const reload = async () => {
      const previous = translator;
      try {
        translator = Translator.fromDirectory(settings.localesDir);
        const loaded = await catalog.loadDirectory(settings.flowsDir);
        log.info("flows reloaded", { flows: loaded.map((f) => `${f.id}@${f.version}`) });
        return true;
      } catch (error) {
        translator = previous;
        const detail = error instanceof FlowFileError ? error.problems.map(formatProblem) : [(error as Error).message];
        log.error("flow change refused; still serving the last good version", { problems: detail });
        return false;
      }
    };
    if (settings.hotReload) catalog.watch([settings.flowsDir, settings.localesDir], async () => { await reload(); });
    return {
      db, engine, catalog, translator: () => translator, reload,
      async close() {
        catalog.close();
        await engine.idle();
        await db.close();
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}
