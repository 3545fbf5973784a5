import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { Dialect } from "../src/db/Database";
import { BenchFailure } from "./BenchFailure";
import type { PathName } from "./BenchPath";
import { sessionsPerMeasurement, type DbResult, type MeasureOptions } from "./measure";
import { TURN_DONE, TURN_READY, TURNS_ENV } from "./turns";
import { START_MALLOC_ENV, startGetsMallocEnv } from "../scripts/startMalloc.mjs";

/** Set in a child's environment: measure the one database and path named by --db and --path and print its JSON line. */
export const CHILD_ENV = "RAPPORT_BENCH_CHILD";

type ChildOptions = Pick<MeasureOptions, "customers" | "inflight" | "repeat">;

/**
 * Measures one database on every path in `paths`, each in its own child process, the children taking
 * turns session by session (turns.ts): core, telegram, then telegram, core, and so on. Each path's
 * runs sit seconds from the other's, so their ratio is the adapter and not the machine's swing, and
 * the alternating order cancels a steady drift. The children are started, and their modules loaded,
 * before the first turn.
 */
export async function measurePaths(dialect: Dialect, paths: readonly PathName[], options: ChildOptions): Promise<DbResult[]> {
  const children = paths.map((path) => new MeasurementChild(dialect, path, options));
  try {
    await Promise.all(children.map((c) => c.waitReady()));
    for (let session = 0; session < sessionsPerMeasurement(options); session++) {
      for (const child of session % 2 ? [...children].reverse() : children) await child.turn();
    }
    return await Promise.all(children.map((c) => c.end()));
  } catch (error) {
    for (const child of children) child.kill();
    throw error;
  }
}

/**
 * Run before the child's own modules load: what src/core/startupHeap.ts's holdYoungGeneration() does,
 * which `rapport start` calls before start's code loads (openSession releases it as start does once
 * ready). A flag on the command line would not do: V8 resets a growth factor below 2 as it starts.
 */
const HOLD_YOUNG_GENERATION = `data:text/javascript,import { setFlagsFromString } from "node:v8"; setFlagsFromString("--semi-space-growth-factor=1");`;

/**
 * One database × path in a new Node process running this same script (same tsx loader flags). Each
 * gets its own heap, JIT and RSS high-water mark: in one process, PostgreSQL's peak RSS would include
 * whatever SQLite's run left behind, and one path would run on code the other had warmed (or
 * deoptimised). The child's stderr is passed through.
 */
class MeasurementChild {
  private readonly child: ChildProcess;
  private readonly result: Promise<DbResult>;
  private ready = false;
  private turnsDone = 0;
  private exited = false;
  private wake: (() => void) | undefined;

  constructor(private readonly dialect: Dialect, private readonly path: PathName, options: ChildOptions) {
    const args = [...process.execArgv, "--import", HOLD_YOUNG_GENERATION, process.argv[1]!, "--db", dialect, "--path", path, "--customers", String(options.customers), "--inflight", String(options.inflight), "--repeat", String(options.repeat), "--json"];
    // glibc's malloc settings as `rapport start` gets them on this Node.js (none on Node 20).
    const malloc = startGetsMallocEnv() ? START_MALLOC_ENV : {};
    this.child = spawn(process.execPath, args, { env: { ...process.env, ...malloc, [CHILD_ENV]: "1", [TURNS_ENV]: "1" }, stdio: ["pipe", "pipe", "inherit"] });
    let json = "";
    createInterface({ input: this.child.stdout! }).on("line", (line) => {
      if (line === TURN_READY) this.ready = true;
      else if (line === TURN_DONE) this.turnsDone++;
      else if (line.startsWith("{")) json = line;
      this.wake?.();
    });
    this.result = new Promise((resolve, reject) => {
      this.child.on("error", reject);
      this.child.on("close", (code) => {
        this.exited = true;
        this.wake?.();
        if (code !== 0 || !json) return reject(new BenchFailure(`the ${dialect} run on the ${path} path failed (exit code ${code}); its error is above`));
        resolve(JSON.parse(json) as DbResult);
      });
    });
    this.result.catch(() => {}); // awaited by end() or until(); not unhandled meanwhile
  }

  /** Resolves once the child waits for its turn (its modules are loaded). */
  waitReady(): Promise<void> {
    return this.until(() => this.ready);
  }

  /** Lets the child run one session and resolves when that session ended. */
  async turn(): Promise<void> {
    await this.waitReady();
    this.ready = false;
    const before = this.turnsDone;
    this.child.stdin!.write("go\n");
    await this.until(() => this.turnsDone > before);
  }

  /** No more turns: the child prints its result and exits. */
  end(): Promise<DbResult> {
    this.child.stdin!.end();
    return this.result;
  }

  kill(): void {
    if (!this.exited) this.child.kill();
  }

  private async until(condition: () => boolean): Promise<void> {
    while (!condition()) {
      if (this.exited) {
        await this.result;
        throw new BenchFailure(`the ${this.dialect} run on the ${this.path} path ended before its last turn`);
      }
      await new Promise<void>((wake) => { this.wake = wake; });
    }
  }
}
