import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./testApp";

/** What a finished CLI run printed and returned. */
export interface CliResult { code: number | null; stdout: string; stderr: string }

/** Runs `rapport <args>` (bin/rapport.mjs) with `input` on stdin (not a TTY) and waits for it to exit. */
export function runCli(args: string[], options: { input?: string; env?: Record<string, string>; cwd?: string } = {}): Promise<CliResult> {
  const child = spawnCli(args, options);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  child.stdin.end(options.input ?? "");
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

/** Starts `rapport <args>` and returns the process, for tests that talk to it or kill it; `nodeArgs` go before the script (e.g. `--import` a tracer). */
export function spawnCli(args: string[], options: { env?: Record<string, string>; cwd?: string; nodeArgs?: string[] } = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [...(options.nodeArgs ?? []), join(ROOT, "bin/rapport.mjs"), ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, LOG_LEVEL: "warn", HOT_RELOAD: "false", ...options.env },
  });
}
