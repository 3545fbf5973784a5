import "./actions";
import type { Settings } from "../config";
import type { Logger } from "../core/log";
import { openDatabase, type Database } from "../db/Database";
import { migrate } from "../db/migrate";
import { Engine, type EngineOptions } from "../engine/Engine";
import { UnfinishedTurns } from "../engine/UnfinishedTurns";
import { FlowCatalog } from "../flows/FlowCatalog";
import { FlowRuntime } from "../flows/FlowRuntime";
import { Translator } from "../i18n/Translator";
import { FlowFileError, formatProblem, type FlowProblem } from "../core/errors";
import { findFlowFiles } from "../flows/lintFlows";
import { MENU } from "../flows/actions/menuCommands";
import { readLocaleFiles } from "../i18n/readLocales";
import { Services } from "../core/services";
import { loadRules } from "../loyalty/loadRules";
import { LEDGER, Ledger } from "../loyalty/Ledger";
import { PURCHASES, PurchaseBook } from "../loyalty/Purchases";
import { LOYALTY_RULES } from "../loyalty/rulesService";
import { REFERRALS, Referrals } from "../referrals/Referrals";
import { expireDue, remindDue } from "../loyalty/expiry";
import { Sweeper } from "../jobs/Sweeper";
import { LEADER_LOCKS } from "../db/Leadership";
import { SUPPORT_DESK, SupportDesk, type SupportDeskOptions } from "../support/SupportDesk";
import { BUSY_RETRIES, JobScheduler, type JobSchedulerOptions } from "../jobs/JobScheduler";
import { SCHEDULER } from "../core/scheduling";
import { SURVEYS, Surveys } from "../feedback/Surveys";
import { PRODUCT_REVIEWS, ProductReviews } from "../feedback/ProductReviews";
import { recomputeSegments, segmentsStale } from "../feedback/segments";
import { IDEAS, Ideas } from "../feedback/Ideas";
import { DATA_RIGHTS, DataRights } from "../privacy/DataRights";
import { ERASE_REQUESTED } from "../privacy/actions/forgetMe";
import { Retention } from "../privacy/Retention";
import { ContactNotFoundError } from "../core/errors";
import { AlreadyErasedError } from "../privacy/errors";
import type { RetentionSettings } from "../config";
import { DEFAULT_REVIEW_WORDS } from "../feedback/moderation";
import { purgeActionResults } from "../flows/actions/actionResults";
import { CampaignDesk } from "../campaigns/CampaignDesk";
import type { CampaignRunnerOptions } from "../campaigns/CampaignRunner";
import { campaignRulesFromEnv } from "../campaigns/rulesFromEnv";
import type { CampaignRules } from "../campaigns/eligibility";

/** A running Rapport core: database, flows, translations and the engine, without any channel. */
export interface App {
  db: Database;
  engine: Engine;
  catalog: FlowCatalog;
  /** Domain services (ledger, purchases, referrals) for actions, HTTP routes and the CLI. */
  services: Services;
  /** Time-based work (expiry, reminders, referral holds, unanswered tickets); `rapport start` runs it every minute. */
  sweeper: Sweeper;
  /** Support handoff: tickets, relay, claim/resolve. Staff channels (Slack) attach to it. */
  support: SupportDesk;
  /** Stored work due later (flows' `wait` timers, scheduled events); `rapport start` runs it. */
  jobs: JobScheduler;
  /** Export and erasure of a person's data (issue 16). */
  rights: DataRights;
  /** Campaigns (issue 15): preview, send, pause/resume/cancel, reports; `rapport start` delivers them. */
  campaigns: CampaignDesk;
  translator(): Translator;
  /** Problems of the flow files left out when started with `partialFlows` (empty otherwise). */
  flowProblems(): FlowProblem[];
  /** Re-reads locales and flows; a bad change is refused (logged) and the last good version kept. */
  reload(): Promise<boolean>;
  close(): Promise<void>;
}

/** What createApp needs: the settings it reads, and hooks for tests. */
export interface AppOptions {
  settings: Pick<Settings, "databaseUrl" | "flowsDir" | "localesDir" | "hotReload"> & { dbRetrySeconds?: number; supportUnansweredMinutes?: number }
    & Partial<Pick<Settings, "slackBotToken" | "slackApiUrl" | "ideaReviewWords">> & { retention?: RetentionSettings; purchaseEventsMaxAgeHours?: number; campaignRules?: CampaignRules; outboxRetryMinutes?: number; sweepIntervalSeconds?: number; campaignRatePerSecond?: number };
  log: Logger;
  engine?: EngineOptions;
  support?: SupportDeskOptions;
  jobs?: JobSchedulerOptions;
  campaigns?: CampaignRunnerOptions;
  /**
   * Serve the valid flows and leave out broken files instead of refusing to start (the terminal
   * chat: a marketer trying flows should still reach the ones that work). Production stays strict.
   */
  partialFlows?: boolean;
}

/**
 * Opens and migrates the database, loads translations and flows (refusing to start on a bad flow
 * file, with every problem listed), and builds the engine. Channels attach to `app.engine`.
 */
export async function createApp({ settings, log, engine: engineOptions, support: supportOptions, jobs: jobOptions, campaigns: campaignOptions, partialFlows = false }: AppOptions): Promise<App> {
  const db = await openDatabase(settings.databaseUrl);
  try {
    const applied = await migrate(db);
    if (applied.length > 0) log.info("database migrated", { applied });
    // Partial mode reads the locale files that parse and reports the others with the flows' problems.
    let localeProblems: FlowProblem[] = [];
    const readTranslator = () => {
      if (!partialFlows) return Translator.fromDirectory(settings.localesDir);
      const files = readLocaleFiles(settings.localesDir);
      localeProblems = files.problems;
      return Translator.fromFiles(files);
    };
    let translator = readTranslator();
    const catalog = new FlowCatalog(db, () => translator);
    let flowProblems: FlowProblem[] = [];
    const loadFlows = async () => {
      if (!partialFlows) return catalog.loadDirectory(settings.flowsDir);
      const r = await catalog.loadValid(findFlowFiles([settings.flowsDir]));
      flowProblems = [...localeProblems, ...r.problems];
      // The terminal chat names them to the person at the keyboard; the log keeps a quieter copy.
      if (r.problems.length > 0) log.info("flow files with problems are not served", { files: [...new Set(r.problems.map((p) => p.file))], problems: r.problems.map(formatProblem) });
      return r.flows;
    };
    const flows = await loadFlows();
    log.info("flows loaded", { flows: flows.map((f) => `${f.id}@${f.version}`) });
    let rules = loadRules(settings.flowsDir);
    const services = new Services();
    const runtime = new FlowRuntime(catalog, () => translator, db, (error, context) => log.error("flow action failed", { ...context, error }), services);
    const engine = new Engine(db, runtime, log, { retry: { budgetMs: (settings.dbRetrySeconds ?? 30) * 1000 }, ...engineOptions,
      outbox: { retryMinutes: settings.outboxRetryMinutes, campaignRatePerSecond: campaignOptions?.ratePerSecond ?? settings.campaignRatePerSecond, ...engineOptions?.outbox } });
    // Crossing a tier stores a `loyalty.tier_changed` job with the points (a congratulation in the
    // customer's language, through the outbox); the job runner is nudged so it goes out at once.
    let runJobsNow = () => {};
    const ledger = new Ledger(db, () => rules, () => runJobsNow());
    const referrals = new Referrals(db, ledger, () => rules, log);
    const support = new SupportDesk(db, engine, () => translator, log, { unansweredMs: (settings.supportUnansweredMinutes ?? 15) * 60_000, retry: { budgetMs: (settings.dbRetrySeconds ?? 30) * 1000 }, ...supportOptions });
    engine.handOffTo(support.handoff);
    const rights = new DataRights(db, log);
    // Erasing removes the Slack copies too, from any process that has the token (the CLI included).
    // Loaded only then: Bolt's client costs every CLI command about a second of start-up otherwise.
    if (settings.slackBotToken) {
      const { SlackRedactor } = await import("../channels/slack/SlackRedactor");
      rights.useStaffRedactor(new SlackRedactor({ token: settings.slackBotToken, apiUrl: settings.slackApiUrl, log }));
    }
    // A job id is stored with the turn it runs, so a job re-run after a crash does nothing twice.
    const jobs = new JobScheduler(db, async (job) => {
      if (job.kind === "event" && job.name === ERASE_REQUESTED) {
        // `/forget_me`, confirmed: erased by the running bot after the confirmation went out.
        try {
          await rights.erase(job.contactId, "customer");
        } catch (error) {
          if (!(error instanceof ContactNotFoundError) && !(error instanceof AlreadyErasedError)) throw error; // erased already (an operator was quicker)
        }
        return "done";
      }
      const { [BUSY_RETRIES]: _tries, ...data } = job.data;
      const result = job.kind === "event"
        ? await engine.emit(job.contactId, job.name, data, undefined, { onceKey: job.id })
        : await engine.resume(job.contactId, String(data.token), { onceKey: job.id });
      return result === "busy" ? "later" : "done";
    }, log, { channels: () => engine.channelNames(), ...jobOptions });
    runJobsNow = () => void jobs.runDue().catch((error: unknown) => log.error("scheduled jobs failed", { error: error as Error }));
    // Idea updates go through the job queue: a mark from the CLI (no channels there) is sent by the
    // running bot, and a customer busy in another conversation is told a little later.
    const ideas = new Ideas(db, async (contactId, name, data, key) => {
      await jobs.schedule({ kind: "event", contactId, name, data, dueAt: new Date(), key });
    }, log, () => settings.ideaReviewWords ?? DEFAULT_REVIEW_WORDS);
    services.provide(DATA_RIGHTS, rights);
    services.provide(MENU, () => catalog.menuEntries()).provide(LOYALTY_RULES, () => rules).provide(LEDGER, ledger).provide(REFERRALS, referrals)
      .provide(PURCHASES, new PurchaseBook(db, ledger, () => rules, referrals.purchaseHooks(), { eventsMaxAgeMs: (settings.purchaseEventsMaxAgeHours ?? 48) * 3_600_000 })).provide(SUPPORT_DESK, support).provide(SCHEDULER, jobs).provide(SURVEYS, new Surveys(db)).provide(IDEAS, ideas)
      .provide(PRODUCT_REVIEWS, new ProductReviews(db));
    // Without settings (tests, embedding), the defaults as the environment would give them.
    const campaignRules = settings.campaignRules ?? campaignRulesFromEnv({});
    const campaigns = new CampaignDesk(db, settings.flowsDir, catalog, () => translator, () => campaignRules, engine, ledger, log, { ratePerSecond: settings.campaignRatePerSecond, ...campaignOptions });
    const retention = new Retention(db, () => settings.retention ?? {});
    // Messages stored whose turn never finished (kill -9 or an outage mid-turn): answered once, from the sweeper.
    const unfinished = new UnfinishedTurns(db, engine.deliver, () => engine.channelNames(), log);
    const sweeper = new Sweeper([
      { name: "turns.recover", run: (now) => unfinished.recover(now) },
      { name: "referrals.confirm", run: (now) => referrals.confirmDue(now) },
      { name: "points.expire", run: (now) => expireDue(db, ledger, now) },
      { name: "support.unanswered", run: (now) => support.remindUnanswered(now) },
      { name: "support.receipts", run: (now) => support.outbox.settleLostReceipts(now) },
      { name: "jobs.purge", run: (now) => jobs.purgeFinished(now) },
      { name: "action_results.purge", run: (now) => purgeActionResults(db, now) },
      { name: "retention", run: (now) => retention.sweep(now) },
      { name: "rfm.recompute", run: async (now) => {
        if (!(await segmentsStale(db, now))) return 0; // once a day: the sweeper ticks every minute
        const run = await recomputeSegments(db, now);
        return run.scored + run.cleared;
      } },
      { name: "points.remind", run: async (now) => {
        const queued = await remindDue(db, rules, now); // as jobs, stored with the claim
        if (queued > 0) runJobsNow();
        return queued;
      } },
      { name: "outbox.purge", run: (now) => engine.outbox.purgeSent(now) },
    ], log, (settings.sweepIntervalSeconds ?? 60) * 1000, db.leadership(LEADER_LOCKS.sweeper)); // one instance sweeps (issue 17)
    const reload = async () => {
      const previous = translator;
      try {
        translator = readTranslator();
        const loaded = await loadFlows(); // lints loyalty.yaml too
        rules = loadRules(settings.flowsDir);
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
      db, engine, catalog, services, sweeper, support, jobs, rights, campaigns, translator: () => translator, flowProblems: () => flowProblems, reload,
      async close() {
        catalog.close();
        await sweeper.stop();
        await campaigns.stop();
        await jobs.stop();
        await support.outbox.stop();
        await engine.idle();
        await engine.outbox.stop();
        await db.close();
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}
