import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/testApp";

// What bin/rapport.mjs does first for `rapport start`, in a process of its own.
const SCRIPT = `
import { execStartWithMallocEnv } from ${JSON.stringify(join(ROOT, "scripts/startMalloc.mjs"))};
execStartWithMallocEnv();
console.log(JSON.stringify({ pid: process.pid, arenaMax: process.env.MALLOC_ARENA_MAX ?? null }));
`;

function run(env: Record<string, string | undefined>): { pid: number; arenaMax: string | null; childPid: number | undefined } {
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", SCRIPT], { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env }, timeout: 30_000 });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return { ...(JSON.parse(r.stdout) as { pid: number; arenaMax: string | null }), childPid: r.pid };
}

describe("execStartWithMallocEnv", () => {
  const canExec = process.platform === "linux" && typeof (process as { execve?: unknown }).execve === "function";

  it(`${canExec ? "re-executes the same process (same PID) with MALLOC_ARENA_MAX=2" : "leaves the process as it is (this Node.js has no process.execve)"}, once`, () => {
    const r = run({ MALLOC_ARENA_MAX: undefined });
    expect(r.pid).toBe(r.childPid); // never a second process: it would cost more than the arenas save
    expect(r.arenaMax).toBe(canExec ? "2" : null);
  });

  it("keeps an operator's own MALLOC_ARENA_MAX", () => {
    expect(run({ MALLOC_ARENA_MAX: "4" }).arenaMax).toBe("4");
  });
});
