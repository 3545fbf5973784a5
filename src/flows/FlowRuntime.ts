import { Services } from "../core/services";
import { parseDuration } from "../core/duration";
import { SCHEDULER } from "../core/scheduling";
import { parseCommand, type InboundBody, type OutboundMessage } from "../core/message";
import { ActionFailedError, ActionParamsError, UnknownActionError } from "../core/errors";
import { isTransientDbError } from "../db/retry";
import type { Database } from "../db/Database";
import type { Translator } from "../i18n/Translator";
import { idleState, type ConversationState } from "../conversations/ConversationState";
import { actionNames, findAction, type ActionContext, type ActionDefinition } from "./actions/registry";
import { storeActionResult, storedActionResult } from "./actions/actionResults";
import type { FlowCatalog } from "./FlowCatalog";
import { stepKinds } from "./steps";
import { retryKey, typeOf } from "./steps/ask";
import { readAtQuestion, type QuestionSpec } from "./interruptions";
import type { Answer, ContactAttributes, ContactChanges, ContactView, Flow, Step, StepContext, Variables } from "./types";

/** A reply produced by a turn, with the flow position it came from (for the history row). */
export interface Reply {
  message: OutboundMessage;
  flowId?: string;
  flowVersion?: number;
  stepId?: string;
}

/** A history row describing what the flow did (start, answer, end, error). */
export interface FlowEntry {
  kind: "flow.start" | "flow.end" | "answer" | "answer.invalid" | "error" | "command.unknown" | "event.skipped" | "flow.wait" | "flow.resume" | "digression" | "contact.set";
  flowId?: string;
  flowVersion?: number;
  stepId?: string;
  text?: string;
  data?: Record<string, unknown>;
}

/** What happened in one turn; the engine stores all of it before any reply is sent. */
export interface TurnOutput {
  /** Replies and history entries in the order they happened; the replies are sent in this order. */
  timeline: ({ reply: Reply } | { entry: FlowEntry })[];
  state: ConversationState;
  contactChanges: ContactChanges;
}

/** What a turn reacts to: a customer message, or a named event (e.g. ticket.resolved). */
export type TurnInput =
  | { kind: "message"; body: InboundBody }
  | { kind: "event"; name: string; data?: Record<string, unknown> }
  /** A campaign starts a flow by its id (issue 15); `data` becomes `vars.campaign`. */
  | { kind: "flow"; flowId: string; data?: Record<string, unknown> }
  /** A `wait` step's timer came due; `token` tells it from a stale one. */
  | { kind: "timer"; token: string }
  /** Start this flow now, ending any other (the console's playground: "start at any flow"). */
  | { kind: "start"; flowId: string };

/** Upper bound on steps run in one turn; a goto loop ends with an error instead of spinning. */
const MAX_STEPS_PER_TURN = 200;
const DEFAULT_MAX_ATTEMPTS = 3;

/** Logs runtime failures; the engine passes its logger. */
export type RuntimeLog = (error: Error, context: Record<string, unknown>) => void;

/**
 * Interprets flows for one contact's turn. It decides; its only I/O is calling registered actions
 * and reading an old flow version back from the database. Input: the stored state and what the
 * customer sent. Output: replies and history entries in order, and the next state, which the engine
 * commits in one transaction before anything is sent.
 */
export class FlowRuntime {
  constructor(
    private readonly catalog: FlowCatalog,
    private readonly translator: () => Translator,
    private readonly db: Database,
    private readonly log: RuntimeLog,
    private readonly services: Services = new Services(),
  ) {}

  /**
   * Runs one turn. `runSeed` (the inbound message's id) makes action idempotency keys stable when a
   * turn is retried. Database failures that a retry can outlast are thrown, not turned into apologies.
   */
  async handle(contact: ContactView, prior: ConversationState, input: TurnInput, runSeed: string): Promise<TurnOutput> {
    const turn = new Turn(this, contact, prior, runSeed);
    await turn.react(input);
    return turn.output();
  }

  /** The turn to store when handling failed outside any step: an apology, the error, a fresh start. */
  failure(contact: ContactView, prior: ConversationState, error: Error & { code?: string }): TurnOutput {
    const entry: FlowEntry = { kind: "error", text: error.message, data: { code: error.code ?? "rapport_runtime_error" } };
    const reply: Reply = { message: { text: this.i18n.t(contact.locale, "common:error.apology") } };
    return { timeline: [{ entry }, { reply }], state: idleState(prior.version), contactChanges: {} };
  }

  /** @internal */ get flows(): FlowCatalog { return this.catalog; }
  /** @internal */ get i18n(): Translator { return this.translator(); }
  /** @internal */ get database(): Database { return this.db; }
  /** @internal */ get domain(): Services { return this.services; }
  /** @internal */ report(error: Error, context: Record<string, unknown>): void { this.log(error, context); }
}

class Turn {
  private readonly timeline: ({ reply: Reply } | { entry: FlowEntry })[] = [];
  private state: ConversationState;
  private flow: Flow | undefined;
  private readonly contactChanges: ContactChanges = {};
  private steps = 0;
  /** The flow a command or keyword ended in this turn; the flow it starts gets it as `vars.interrupted`. */
  private interrupted: string | undefined;
  /** While a digression runs: the question to go back to when the fallback flow reaches `return`. */
  private returnTo: { flow: Flow; state: ConversationState } | undefined;
  /** How often each step key was used in this turn: a step run twice in one turn (a goto loop) acts twice. */
  private readonly keyUses = new Map<string, number>();

  constructor(private readonly rt: FlowRuntime, private readonly contact: ContactView, prior: ConversationState, private readonly runSeed: string) {
    this.state = { ...prior, variables: { ...prior.variables } };
  }

  output(): TurnOutput {
    return { timeline: this.timeline, state: this.state, contactChanges: this.contactChanges };
  }

  private addReply(reply: Reply) { this.timeline.push({ reply }); }
  private addEntry(entry: FlowEntry) { this.timeline.push({ entry }); }

  /** The contact as flows see it, with a locale changed during this turn; rebuilt only when it changes. */
  private view: ContactView | undefined;
  private get contactView(): ContactView {
    return (this.view ??= { ...this.contact, locale: this.locale, attributes: withAttributes(this.contact.attributes, this.contactChanges.attributes) });
  }

  private get locale(): string { return this.contactChanges.locale ?? this.contact.locale; }

  private t = (key: string, options?: Record<string, unknown>): string =>
    this.rt.i18n.t(this.locale, key, { vars: this.state.variables, contact: this.contactView, ...options });

  private sayKey(key: string, options?: Record<string, unknown>) {
    this.addReply({ message: { text: this.t(key, options) }, ...this.position() });
  }

  private position() {
    return this.flow ? { flowId: this.flow.id, flowVersion: this.flow.version, stepId: this.state.stepId ?? undefined } : {};
  }

  async react(input: TurnInput): Promise<void> {
    if (this.state.flowId && this.state.flowVersion !== null) {
      this.flow = await this.rt.flows.version(this.state.flowId, this.state.flowVersion);
      if (!this.flow) this.reset(); // the version vanished from the database: start clean rather than stick
    }
    if (input.kind === "timer") return this.onTimer(input.token);
    if (input.kind === "event") return this.onEvent(input.name, input.data ?? {});
    if (input.kind === "start") {
      const flow = this.rt.flows.current(input.flowId);
      if (!flow) return;
      if (this.flow) this.finish("interrupted", { by: flow.id });
      return this.start(flow, {});
    }
    if (input.kind === "flow") return this.onStartFlow(input.flowId, input.data ?? {});
    // A message during a `wait` ends the wait; the message is then handled as if the flow were done.
    if (this.flow && this.state.waiting?.timer) this.finish("interrupted");
    const body = input.body;
    if (body.kind === "command") return this.onCommand(body.command, body.payload);
    // A campaign's button (issue 15) carries a command ("/rewards"): pressed, it runs as if typed.
    const pressed = body.kind === "choice" && body.value.startsWith("/") ? parseCommand(body.value) : undefined;
    if (pressed?.kind === "command") return this.onCommand(pressed.command, pressed.payload);
    if (body.kind === "media") {
      this.sayKey("common:media_unsupported", { media: this.t(`common:media_kind.${body.media}`) });
      if (this.waitingStep()) this.repeatQuestion();
      return;
    }
    const answer: Answer = body.kind === "choice" ? { kind: "choice", value: body.value } : { kind: "text", text: body.text };
    if (this.waitingStep() && (await this.onAnswer(answer))) return;
    const text = answer.kind === "text" ? answer.text : answer.value;
    const match = this.rt.flows.matchKeywords(this.locale, text);
    if (match) return this.start(match.flow, match.vars);
    if (answer.kind === "choice") {
      // A button from a finished conversation: say so instead of guessing.
      this.sayKey("common:stale_button");
      return;
    }
    const fallback = this.rt.flows.fallback();
    if (fallback) return this.start(fallback, { text });
    this.sayKey("common:not_understood");
  }

  private async onCommand(command: string, payload: string | undefined) {
    const match = this.rt.flows.matchCommand(command, payload);
    if (!match) {
      this.addEntry({ kind: "command.unknown", text: `/${command}` });
      this.sayKey("common:unknown_command", { command: `/${command}` });
      if (this.waitingStep()) this.repeatQuestion();
      return;
    }
    if (this.flow) this.finish("interrupted", { by: match.flow.id });
    await this.start(match.flow, match.vars);
  }

  private async onEvent(name: string, data: Record<string, unknown>) {
    const flow = this.rt.flows.matchEvent(name);
    if (!flow) return;
    if (this.flow && flow.notice) return this.notice(flow, data);
    if (this.flow && (this.waitingStep()?.spec as { yields_to_events?: boolean } | undefined)?.yields_to_events) {
      // An offer the customer left open (the menu): the event's flow takes over (issue 19).
      this.finish("interrupted", { by: flow.id });
      this.interrupted = undefined; // an event flow is not started by the customer: no vars.interrupted
      return this.start(flow, { event: data });
    }
    if (this.flow) {
      this.addEntry({ kind: "event.skipped", text: name, data: { reason: "conversation in progress", flowId: flow.id } });
      return;
    }
    await this.start(flow, { event: data });
  }

  /**
   * A notice (a flow that only tells, e.g. the thanks for a purchase) while the customer is at another
   * flow's question: it runs, then that question is open again as it was (its buttons still answer
   * it). Without this the thanks waited for an answer to a menu left open, often for ever (issue 19).
   */
  private async notice(flow: Flow, data: Record<string, unknown>) {
    const back = { flow: this.flow!, state: this.state };
    await this.start(flow, { event: data });
    if (this.flow) this.finish("completed"); // lint keeps questions and waits out of notices; never leave one open
    this.flow = back.flow;
    this.state = { ...back.state, version: this.state.version };
  }

  /** Starts a flow by id unless the contact is in another conversation (then skipped, like an event). */
  private async onStartFlow(flowId: string, data: Record<string, unknown>) {
    const flow = this.rt.flows.current(flowId);
    if (!flow) return;
    if (this.flow) {
      this.addEntry({ kind: "event.skipped", text: `flow ${flowId}`, data: { reason: "conversation in progress", flowId } });
      return;
    }
    await this.start(flow, { campaign: data });
  }

  private async onTimer(token: string) {
    const step = this.waitingStep();
    if (!step || this.state.waiting?.timer !== token) return; // the wait was ended or the flow moved on
    this.state.waiting = null;
    this.addEntry({ kind: "flow.resume", ...this.position() });
    await this.runFrom(this.after(step));
  }

  private waitingStep(): Step | undefined {
    if (!this.flow || !this.state.waiting || !this.state.stepId) return undefined;
    return this.flow.steps.find((s) => s.id === this.state.stepId);
  }

  private ctx(): StepContext {
    return { flow: this.flow!, vars: this.state.variables, contact: this.contactView, t: this.t };
  }

  private repeatQuestion() {
    const step = this.waitingStep()!;
    const outcome = stepKinds.get(step.kind)!.run(step.spec, this.ctx(), step);
    for (const m of outcome.say ?? []) this.addReply({ message: m, ...this.position() });
  }

  /**
   * Handles a message at the open question: an answer, an interruption (a keyword), a digression (free
   * text at a choice question) or an invalid answer; the rules are in ./interruptions. False when it
   * was passed on (`unmatched: pass`) for normal handling.
   */
  private async onAnswer(answer: Answer): Promise<boolean> {
    const step = this.waitingStep()!;
    const kind = stepKinds.get(step.kind)!;
    const spec = step.spec as unknown as QuestionSpec & { save_as: string; max_attempts?: number; on_give_up?: string };
    const check = kind.accept!(step.spec, answer, this.ctx());
    const given = answer.kind === "text" ? answer.text : answer.value;
    const fallback = this.rt.flows.fallback();
    const keyword = answer.kind === "text" ? this.rt.flows.matchKeywords(this.locale, answer.text) : undefined;
    // The words of /cancel and /stop (opting out of marketing, issue 15) get out of any question.
    const keywordCancels = keyword !== undefined && (keyword.flow === this.rt.flows.matchCommand("cancel")?.flow || keyword.flow === this.rt.flows.matchCommand("stop")?.flow);
    const read = readAtQuestion({ question: spec, answer, check, keyword, keywordCancels, canDigress: fallback !== undefined });
    if (read.kind === "interrupt") {
      this.finish("interrupted", { by: read.match.flow.id });
      await this.start(read.match.flow, read.match.vars);
      return true;
    }
    if (read.kind === "digress") {
      await this.digress(fallback!, given);
      return true;
    }
    if (read.kind === "answer") {
      this.state.variables[spec.save_as] = read.value;
      this.addEntry({ kind: "answer", ...this.position(), text: String(read.value), data: { saveAs: spec.save_as, value: read.value } });
      this.state.waiting = null;
      await this.runFrom(this.after(step));
      return true;
    }
    if (spec.unmatched === "pass") {
      this.finish("interrupted");
      return false;
    }
    const attempts = (this.state.waiting?.attempts ?? 0) + 1;
    const max = spec.max_attempts ?? DEFAULT_MAX_ATTEMPTS;
    this.addEntry({ kind: "answer.invalid", ...this.position(), text: given.slice(0, 500), data: { attempt: attempts, of: max, expected: typeOf(spec as never) } });
    if (attempts >= max) {
      this.state.waiting = null;
      if (spec.on_give_up) {
        await this.jump(spec.on_give_up);
        return true;
      }
      this.sayKey("common:gave_up");
      this.finish("gave_up");
      return true;
    }
    this.state.waiting = { attempts };
    this.sayKey(retryKey(spec as never), { count: max - attempts });
    this.repeatQuestion();
    return true;
  }

  /**
   * Free text at a choice question runs the fallback flow (the FAQ) with `vars.text` and
   * `vars.digression`. If it reaches a `return` step, the question is asked again with its tries
   * untouched; if it asks something of its own, hands over or ends, the question is dropped.
   */
  private async digress(fallback: Flow, text: string) {
    this.addEntry({ kind: "digression", ...this.position(), text: text.slice(0, 500), data: { to: fallback.id } });
    const from = { flow: this.flow!, state: this.state };
    this.returnTo = from;
    await this.start(fallback, { text, digression: true });
    if (this.returnTo !== from) return;
    this.returnTo = undefined;
    this.addEntry({ kind: "flow.end", flowId: from.flow.id, flowVersion: from.flow.version, stepId: from.state.stepId ?? undefined, data: { reason: "interrupted", by: fallback.id } });
  }

  /** The `return` step: back to the question a digression came from, or the end of the flow outside one. */
  private returnToQuestion() {
    const back = this.returnTo;
    if (!back) return this.finish("completed");
    this.returnTo = undefined;
    this.finish("returned");
    this.flow = back.flow;
    this.state = { ...back.state, version: this.state.version };
    this.repeatQuestion();
  }

  private async start(flow: Flow, vars: Variables) {
    if (this.interrupted) vars = { ...vars, interrupted: this.interrupted };
    this.interrupted = undefined;
    this.flow = flow;
    this.state = { flowId: flow.id, flowVersion: flow.version, stepId: flow.steps[0]!.id, variables: { ...vars }, waiting: null, version: this.state.version };
    this.addEntry({ kind: "flow.start", ...this.position(), data: Object.keys(vars).length ? { vars } : undefined });
    await this.runFrom(0);
  }

  private finish(reason: "completed" | "interrupted" | "gave_up" | "error" | "goto" | "returned", detail?: { by: string }) {
    if (this.flow) this.addEntry({ kind: "flow.end", ...this.position(), data: { reason, ...detail } });
    if (reason === "interrupted" && this.flow) this.interrupted = this.flow.id;
    this.reset();
  }

  private reset() {
    this.flow = undefined;
    this.state = { ...idleState(this.state.version) };
  }

  /** Index of the step that runs after `step` (its `next`, else the following one). */
  private after(step: Step): number | string {
    return step.next ?? this.flow!.steps.indexOf(step) + 1;
  }

  private async jump(target: string) {
    if (target.startsWith("flow:")) {
      const next = this.rt.flows.current(target.slice(5));
      this.finish("goto");
      if (next) await this.start(next, {});
      return;
    }
    await this.runFrom(target);
  }

  private async runFrom(from: number | string): Promise<void> {
    if (typeof from === "string" && from.startsWith("flow:")) return this.jump(from);
    let index = typeof from === "number" ? from : this.flow!.steps.findIndex((s) => s.id === from);
    for (;;) {
      if (++this.steps > MAX_STEPS_PER_TURN) return this.fail(new Error(`more than ${MAX_STEPS_PER_TURN} steps in one turn; a goto loop without an ask?`), this.flow!.steps[index]);
      const step = this.flow!.steps[index];
      if (!step) return this.finish("completed");
      this.state.stepId = step.id;
      if (step.disabled) { index++; continue; }
      const kind = stepKinds.get(step.kind)!;
      const outcome = kind.run(step.spec, this.ctx(), step);
      for (const m of outcome.say ?? []) this.addReply({ message: m, ...this.position() });
      if (outcome.call) {
        try {
          const result = await this.call(outcome.call.action, outcome.call.params, this.stepKey(step), step);
          if (outcome.call.saveAs) this.state.variables[outcome.call.saveAs] = result ?? null;
        } catch (error) {
          if (isTransientDbError(error)) throw error; // the engine retries the whole turn
          return this.fail(error, step);
        }
      }
      if (outcome.wait) {
        this.state.waiting = { attempts: 0 };
        return;
      }
      if (outcome.sleep) return this.sleep(step, outcome.sleep);
      if (outcome.end) return outcome.returnToQuestion ? this.returnToQuestion() : this.finish("completed");
      const target = outcome.goto ?? step.next;
      if (target?.startsWith("flow:")) return this.jump(target);
      index = target !== undefined ? this.flow!.steps.findIndex((s) => s.id === target) : index + 1;
    }
  }

  /** Stores the timer of a `wait` step (scheduled before the turn commits; a stale one is ignored) and pauses. */
  private async sleep(step: Step, duration: string) {
    const token = `${this.runSeed}:${this.flow!.id}:${step.id}`;
    const dueAt = new Date(Date.now() + (parseDuration(duration) ?? 0));
    try {
      await this.rt.domain.get(SCHEDULER).schedule({ kind: "resume", contactId: this.contact.id, name: this.flow!.id, data: { token }, dueAt, key: token });
    } catch (error) {
      if (isTransientDbError(error)) throw error;
      return this.fail(error, step);
    }
    this.state.waiting = { attempts: 0, timer: token };
    this.addEntry({ kind: "flow.wait", ...this.position(), data: { until: dueAt.toISOString() } });
  }

  /**
   * The idempotency key of a step's run in this turn: the turn's seed (the inbound message's or job's
   * id, the same when the turn is re-run), the flow and the step; `#2`, `#3` when a goto loop runs the
   * step again in the same turn, so each pass is its own effect.
   */
  private stepKey(step: Step): string {
    const key = `${this.runSeed}:${this.flow!.id}:${step.id}`;
    const uses = (this.keyUses.get(key) ?? 0) + 1;
    this.keyUses.set(key, uses);
    return uses === 1 ? key : `${key}#${uses}`;
  }

  private async call(name: string, rawParams: Record<string, unknown>, stepKey: string, step: Step): Promise<unknown> {
    const action = findAction(name);
    if (!action) throw new UnknownActionError(name, actionNames());
    const params = action.params.safeParse(rawParams);
    if (!params.success) throw new ActionParamsError(name, this.flow!.id, step.id, params.error.issues.map((i) => `${i.path.join(".") || "(params)"}: ${i.message}`).join("; "));
    if (!action.effect) return this.run(action, params.data, stepKey, step, { key: stepKey, store: async () => {} });
    // An earlier run of this turn acted already (it lost the version check, or crashed before its
    // commit): answer as it did, so this run takes the same path (issue 13, "side effects once").
    const prior = await storedActionResult(this.rt.database, stepKey);
    if (prior.found) return prior.value;
    let stored = false;
    const row = { key: stepKey, contactId: this.contact.id, action: name };
    const result = await this.run(action, params.data, stepKey, step, {
      key: stepKey,
      store: async (tx, value) => { await storeActionResult(tx, { ...row, result: value }); stored = true; },
    });
    // What a re-run would read back: the same JSON, so this run and a re-run branch alike.
    const answer = result === undefined ? null : (JSON.parse(JSON.stringify(result)) as unknown);
    // No transaction of the domain's stored it (an outcome that changed nothing): store it now.
    if (!stored) await storeActionResult(this.rt.database.prisma, { ...row, result: answer });
    return answer;
  }

  private async run(action: ActionDefinition, params: unknown, stepKey: string, step: Step, effect: ActionContext["effect"]): Promise<unknown> {
    const name = action.name;
    try {
      return await action.run(params, {
        contact: this.contactView,
        vars: this.state.variables,
        locale: this.locale,
        t: this.t,
        lookup: (key) => this.rt.i18n.lookup(this.locale, key),
        db: this.rt.database,
        services: this.rt.domain,
        stepKey,
        effect,
        updateContact: (changes) => {
          if (changes.locale) { this.contactChanges.locale = changes.locale; this.view = undefined; }
          if (changes.attributes) {
            this.contactChanges.attributes = { ...this.contactChanges.attributes, ...changes.attributes };
            this.view = undefined;
            this.addEntry({ kind: "contact.set", ...this.position(), data: { attributes: changes.attributes } });
          }
        },
      });
    } catch (error) {
      if (isTransientDbError(error)) throw error;
      throw new ActionFailedError(name, this.flow!.id, step.id, error);
    }
  }

  private fail(error: unknown, step: Step | undefined) {
    const err = error instanceof Error ? error : new Error(String(error));
    this.rt.report(err, { flowId: this.flow?.id, stepId: step?.id, contactId: this.contact.id });
    this.addEntry({ kind: "error", ...this.position(), text: err.message, data: { code: (err as { code?: string }).code ?? "rapport_runtime_error" } });
    this.sayKey("common:error.apology");
    this.finish("error");
  }
}

/** The contact's attributes with this turn's changes applied (null removes one). */
function withAttributes(stored: ContactAttributes | undefined, changes: ContactChanges["attributes"]): ContactAttributes {
  if (!changes) return stored ?? {};
  const out: ContactAttributes = { ...stored };
  for (const [k, v] of Object.entries(changes)) if (v === null) delete out[k]; else out[k] = v;
  return out;
}
