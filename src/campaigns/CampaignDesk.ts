import { FlowFileError } from "../core/errors";
import type { Logger } from "../core/log";
import type { Database } from "../db/Database";
import type { Engine } from "../engine/Engine";
import type { FlowCatalog } from "../flows/FlowCatalog";
import { suggest } from "../flows/suggest";
import type { Translator } from "../i18n/Translator";
import type { Ledger } from "../loyalty/Ledger";
import type { Campaign } from "./Campaign";
import { CampaignRunner, type CampaignRunnerOptions } from "./CampaignRunner";
import { Campaigns, type CampaignPreview, type CampaignRow } from "./Campaigns";
import type { CampaignRules } from "./eligibility";
import { CampaignNotFoundError } from "./errors";
import { findCampaignFiles, lintCampaigns } from "./lintCampaigns";
import { campaignReport, type CampaignReport } from "./report";
import { OutboxCampaignSender } from "./send";

/** What the CLI and the HTTP API ask of campaigns; one object per app. */
export class CampaignDesk {
  readonly store: Campaigns;
  readonly runner: CampaignRunner;

  constructor(
    private readonly db: Database,
    private readonly flowsDir: string,
    private readonly catalog: FlowCatalog,
    private readonly translator: () => Translator,
    readonly rules: () => CampaignRules,
    engine: Engine,
    ledger: Ledger,
    private readonly log: Logger,
    runnerOptions: CampaignRunnerOptions = {},
  ) {
    this.store = new Campaigns(db, rules);
    const sender = new OutboxCampaignSender(db, engine, translator, ledger, log);
    this.runner = new CampaignRunner({ db, rules, sender, log, flows: () => catalog.all() }, runnerOptions);
  }

  /** Every campaign file in flows/campaigns/, linted against the served flows and texts; problems throw FlowFileError. */
  files(): Campaign[] {
    const { campaigns, problems } = lintCampaigns(findCampaignFiles(this.flowsDir), this.catalog.all(), this.translator());
    if (problems.length > 0) throw new FlowFileError(problems);
    return campaigns;
  }

  /** The campaign file `name`, linted; CampaignNotFoundError with the closest name when there is none. */
  file(name: string): Campaign {
    const all = this.files();
    const found = all.find((c) => c.name === name);
    if (found) return found;
    const names = all.map((c) => c.name);
    throw new CampaignNotFoundError(name, names, suggest(name, names));
  }

  preview(name: string): Promise<CampaignPreview> {
    return this.store.preview(this.file(name));
  }

  send(name: string, actor: string): Promise<CampaignRow> {
    return this.store.send(this.file(name), actor);
  }

  change(name: string, action: "pause" | "resume" | "cancel", actor: string): Promise<CampaignRow> {
    return this.store.change(name, action, actor);
  }

  /** The report of a sent campaign; CampaignNotFoundError when none of that name was sent. */
  async report(name: string): Promise<CampaignReport> {
    const r = await campaignReport(this.db, name);
    if (r) return r;
    await this.store.find(name); // throws with the closest name
    throw new CampaignNotFoundError(name, []);
  }

  /**
   * Starts delivering in this process (`rapport start`). What a killed process left needs nothing
   * here: its messages are in the outbox (the dispatcher sends them), its flow starts are handed over
   * again by the runner, once.
   */
  async start(intervalMs?: number): Promise<void> {
    this.runner.start(intervalMs);
  }

  stop(): Promise<void> {
    return this.runner.stop();
  }
}
