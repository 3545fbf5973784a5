import { spawn } from "node:child_process";
import type { Dialect } from "../src/db/Database";
import { BenchFailure } from "./BenchFailure";
import type { DbResult, MeasureOptions } from "./measure";

/** Set in a child's environment: measure the one database named by --db and print its JSON line. */
export const CHILD_ENV = "RAPPORT_BENCH_CHILD";

/**
 * Measures one database in a new Node process running this same script (same tsx loader flags).
 * Each database gets its own heap, JIT and RSS high-water mark: in one process, PostgreSQL's peak RSS
 * would include whatever SQLite's run left behind. The child's stderr is passed through.
 */
export function measureInChild(dialect: Dialect, options: Pick<MeasureOptions, "customers" | "inflight" | "repeat">): Promise<DbResult> {
  const args = [...process.execArgv, process.argv[1]!, "--db", dialect, "--customers", String(options.customers), "--inflight", String(options.inflight), "--repeat", String(options.repeat), "--json"];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, [CHILD_ENV]: "1" }, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => { out += chunk; });
    child.on("error", reject);
    child.on("close", (code) => {
      const line = out.trim().split("\n").pop() ?? "";
      if (code !== 0 || !line.startsWith("{")) return reject(new BenchFailure(`the ${dialect} run failed (exit code ${code}); its error is above`));
      resolve(JSON.parse(line) as DbResult);
    });
  });
}
