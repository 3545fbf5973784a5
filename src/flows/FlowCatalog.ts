import { withDbRetry } from "../db/retry";
import { sql } from "../db/plan";
import { watch, type FSWatcher } from "node:fs";
import type { Database } from "../db/Database";
import { FlowFileError, type FlowProblem } from "../core/errors";
import { triggerKeys } from "./lint/triggers";
import type { Translator } from "../i18n/Translator";
import { SUPPORTED_LOCALES } from "../i18n/locales";
import { keywordList, normaliseKeyword } from "./keywords";
import { findFlowFiles, lintFlows, type FlowSource } from "./lintFlows";
import { loadFlowFile } from "./loadFlowFile";
import type { Flow, Variables } from "./types";

/** A command in the menu: the command, its description's translation key, its place. */
export interface MenuEntry {
  command: string;
  key: string;
  order?: number;
}

/** A trigger that matched: the flow to start and the variables its pattern captured. */
export interface TriggerMatch {
  flow: Flow;
  vars: Variables;
}

/**
 * The flows being served, and every version ever served. Reloading swaps in a new set only when the
 * whole set lints clean; otherwise the last good set keeps serving. Each distinct file text is stored
 * once in flow_versions, so a conversation begun on version N finishes on N, even after a restart.
 */
export class FlowCatalog {
  private byId = new Map<string, Flow>();
  private old = new Map<string, Flow>(); // `${id}@${version}` → flow, bounded
  private commands = new Map<string, Flow>();
  private payloads: { command: string; pattern: RegExp; flow: Flow }[] = [];
  private keywords = new Map<string, Flow>(); // `${locale}\u0000${keyword}`
  private events = new Map<string, Flow>();
  private fallbackFlow: Flow | undefined;
  private watchers: FSWatcher[] = [];
  private reloadTimer: NodeJS.Timeout | undefined;

  constructor(private readonly db: Database, private translator: () => Translator) {}

  /** Lints `sources` and serves them; throws FlowFileError (with every problem) and keeps the old set if any. */
  async load(sources: FlowSource[]): Promise<Flow[]> {
    const result = lintFlows(sources, this.translator(), { servedBy: this.servedTriggers() });
    if (result.problems.length > 0) throw new FlowFileError(result.problems);
    for (const flow of result.flows) flow.version = await this.register(flow);
    this.index(result.flows);
    return result.flows;
  }

  /**
   * Serves the flows whose files have no problems and leaves out the others (a file with a problem
   * keeps its last good version when one is served). For trying flows out (the terminal chat): one
   * broken file should not stop a marketer from talking to the rest. Production uses `load`.
   */
  async loadValid(sources: FlowSource[]): Promise<{ flows: Flow[]; problems: FlowProblem[] }> {
    const result = lintFlows(sources, this.translator(), { servedBy: this.servedTriggers() });
    const broken = new Set(result.problems.map((p) => p.file));
    const flows = result.flows.filter((f) => !broken.has(f.file));
    const kept = [...this.byId.values()].filter((f) => broken.has(f.file) && !flows.some((g) => g.id === f.id));
    for (const flow of flows) flow.version = await this.register(flow);
    this.index([...flows, ...kept]);
    return { flows: [...flows, ...kept], problems: result.problems };
  }

  /** Reads and serves every flow file in `dir`. */
  async loadDirectory(dir: string): Promise<Flow[]> {
    return this.load(findFlowFiles([dir]));
  }

  /** Trigger key → the flow serving it now: on reload that flow keeps it, and a newcomer is blamed. */
  private servedTriggers(): Map<string, string> {
    const out = new Map<string, string>();
    for (const flow of this.byId.values()) for (const k of triggerKeys(flow, this.translator())) out.set(k.key, flow.id);
    return out;
  }

  /**
   * Watches `dirs` and calls `reload` (debounced) on any change. `reload` decides what to re-read, so
   * the translator and flows can be reloaded together.
   */
  watch(dirs: string[], reload: () => Promise<void>): void {
    let running: Promise<void> = Promise.resolve();
    const schedule = () => {
      clearTimeout(this.reloadTimer);
      // Debounced (editors write a file in several steps) and one reload at a time.
      this.reloadTimer = setTimeout(() => { running = running.then(reload, reload); }, 150);
    };
    for (const dir of dirs) {
      try {
        const watcher = watch(dir, { recursive: true }, schedule);
        watcher.on("error", () => watcher.close()); // e.g. the folder was removed: stop watching it
        this.watchers.push(watcher);
      } catch {
        // recursive watch is unavailable on some file systems; hot reload is a convenience
      }
    }
  }

  /** Stops watching files and cancels a pending reload. */
  close(): void {
    clearTimeout(this.reloadTimer);
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }

  /** The current version of a flow. */
  current(id: string): Flow | undefined {
    return this.byId.get(id);
  }

  /** All flows currently served. */
  all(): Flow[] {
    return [...this.byId.values()];
  }

  /** A specific version: the current one, a cached older one, or one read back from the database. */
  async version(id: string, version: number): Promise<Flow | undefined> {
    const cur = this.byId.get(id);
    if (cur && cur.version === version) return cur;
    const key = `${id}@${version}`;
    const cached = this.old.get(key);
    if (cached) return cached;
    const [row] = await withDbRetry(() => this.db.query(sql("SELECT file, source FROM flow_versions WHERE flow_id = ? AND version = ?", id, version)));
    if (!row) return undefined;
    const loaded = loadFlowFile(row.file as string, row.source as string).flow;
    if (!loaded) return undefined;
    loaded.version = version;
    if (this.old.size > 200) this.old.clear();
    this.old.set(key, loaded);
    return loaded;
  }

  /** The commands flows answer (`/start`, `/help`, …). */
  commandNames(): string[] {
    return [...this.commands.keys()];
  }

  /**
   * The commands flows put in the menu (`menu:` on a command trigger), in menu order: `menu_order`
   * first (lower first), then the others by name. /help and the chat app's command menu are built
   * from this, in every language, so a new command needs only its flow and its description key.
   */
  menuEntries(): MenuEntry[] {
    const out: MenuEntry[] = [];
    for (const flow of this.byId.values()) {
      for (const t of flow.triggers) if (t.command && t.menu && !t.payload) out.push({ command: t.command, key: t.menu, order: t.menu_order });
    }
    return out.sort((a, b) => (a.order ?? Infinity) - (b.order ?? Infinity) || a.command.localeCompare(b.command));
  }

  /** `/command payload`: a payload pattern match first, then the plain command. Bad payloads fall back safely. */
  matchCommand(command: string, payload?: string): TriggerMatch | undefined {
    const name = command.toLowerCase();
    if (payload) {
      for (const p of this.payloads) {
        if (p.command !== name) continue;
        const m = p.pattern.exec(payload);
        if (m) return { flow: p.flow, vars: { payload, ...(m.groups ?? {}) } };
      }
    }
    const flow = this.commands.get(name);
    return flow ? { flow, vars: payload ? { payload } : {} } : undefined;
  }

  /** A whole-message keyword in the customer's locale (or English, which every customer may type). */
  matchKeywords(locale: string, text: string): TriggerMatch | undefined {
    const word = normaliseKeyword(text);
    const flow = this.keywords.get(`${locale}\u0000${word}`) ?? this.keywords.get(`en\u0000${word}`);
    return flow ? { flow, vars: {} } : undefined;
  }

  /** The flow a named event starts, if any. */
  matchEvent(name: string): Flow | undefined {
    return this.events.get(name);
  }

  /** The flow for unmatched free text (the FAQ), if one declares `fallback: true`. */
  fallback(): Flow | undefined {
    return this.fallbackFlow;
  }

  private index(flows: Flow[]) {
    const t = this.translator();
    const byId = new Map<string, Flow>();
    const commands = new Map<string, Flow>();
    const payloads: typeof this.payloads = [];
    const keywords = new Map<string, Flow>();
    const events = new Map<string, Flow>();
    let fallbackFlow: Flow | undefined;
    for (const flow of flows) {
      const prior = this.byId.get(flow.id);
      if (prior && prior.version !== flow.version) this.old.set(`${prior.id}@${prior.version}`, prior);
      byId.set(flow.id, flow);
      for (const trig of flow.triggers) {
        if (trig.command && trig.payload) payloads.push({ command: trig.command, pattern: new RegExp(trig.payload, "u"), flow });
        else if (trig.command) commands.set(trig.command, flow);
        if (trig.event) events.set(trig.event, flow);
        if (trig.fallback) fallbackFlow = flow;
        if (trig.keywords) for (const lng of SUPPORTED_LOCALES) for (const w of keywordList(t, lng, trig.keywords)) keywords.set(`${lng}\u0000${w}`, flow);
      }
    }
    Object.assign(this, { byId, commands, payloads, keywords, events, fallbackFlow });
  }

  /**
   * Stores the flow's text as a new version unless this exact text is already stored; returns its
   * number. Plain statements, not Prisma: every start registers every flow, and a process that
   * needs nothing else of Prisma should not load it for this (Database.prisma, issue 17).
   */
  private async register(flow: Flow): Promise<number> {
    const query = (text: string, ...params: unknown[]) => withDbRetry(() => this.db.query(sql(text, ...params)));
    for (let attempt = 0; attempt < 5; attempt++) {
      const [existing] = await query("SELECT version FROM flow_versions WHERE flow_id = ? AND hash = ?", flow.id, flow.hash);
      if (existing) return Number(existing.version);
      const [latest] = await query("SELECT MAX(version) AS version FROM flow_versions WHERE flow_id = ?", flow.id);
      const version = Number(latest?.version ?? 0) + 1;
      // Nothing inserted: another instance registered this text, or took this number, first; read again.
      const stored = await query("INSERT INTO flow_versions (flow_id, version, hash, source, file, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING version",
        flow.id, version, flow.hash, flow.source, flow.file, new Date());
      if (stored.length > 0) return version;
    }
    throw new Error(`could not register a version of flow "${flow.id}" after 5 attempts`);
  }
}
