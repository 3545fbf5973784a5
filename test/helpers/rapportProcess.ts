import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { join } from "node:path";

/** The checkout whose `rapport` runs: this one, or BENCH_RAPPORT_ROOT (another branch's worktree, to compare in the benches). */
export const RAPPORT_ROOT = process.env.BENCH_RAPPORT_ROOT ?? join(import.meta.dirname, "..", "..");

/**
 * One `rapport start` as an operator runs it (node bin/rapport.mjs start, settings in the
 * environment), which fault benches and the multi-instance test kill with SIGKILL and start again.
 * Its log (stdout and stderr, each start marked) goes to `logFile`.
 */
export class RapportProcess {
  /** How often it was started. */
  starts = 0;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private readonly log: WriteStream;

  constructor(private readonly env: Record<string, string>, private readonly cwd: string, readonly logFile: string) {
    this.log = createWriteStream(logFile, { flags: "a" });
  }

  /** The running process's id (the leader's lock connection is named after it), if started. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts it and resolves once it logged "rapport ready" (or rejects after `timeoutMs`, or when it exits). */
  async start(timeoutMs = 90_000): Promise<void> {
    this.starts++;
    const child = spawn(process.execPath, [join(RAPPORT_ROOT, "bin/rapport.mjs"), "start"], {
      cwd: this.cwd, env: { ...process.env, HOT_RELOAD: "false", LOG_LEVEL: "info", ...this.env }, stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
    this.log.write(`--- start #${this.starts} at ${new Date().toISOString()}\n`);
    child.stdout!.pipe(this.log, { end: false });
    let seen = "";
    let ready = false;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`rapport start did not log "rapport ready" within ${timeoutMs} ms (see the log)`)), timeoutMs);
      child.stderr!.on("data", (d: Buffer) => {
        this.log.write(d);
        if (ready) return;
        seen = (seen + d.toString()).slice(-4096);
        if (seen.includes('"rapport ready"')) { ready = true; clearTimeout(timer); resolve(); }
      });
      child.once("exit", (code) => { clearTimeout(timer); reject(new Error(`rapport start exited with ${code} before it was ready (see the log)`)); });
    });
  }

  /** SIGKILL, as an orchestrator or the kernel's OOM killer does: no shutdown code runs. */
  async kill(): Promise<void> {
    this.child?.kill("SIGKILL");
    await this.exited;
  }

  /** SIGTERM, and waits for it to exit (the end of a scenario). */
  async stop(): Promise<void> {
    this.child?.kill("SIGTERM");
    const late = setTimeout(() => this.child?.kill("SIGKILL"), 20_000);
    await this.exited;
    clearTimeout(late);
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  close(): void {
    this.log.end();
  }
}
