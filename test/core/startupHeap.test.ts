import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/testApp";

// A fresh process: the flags are the process's, and this test runner's heap has grown long ago.
const SCRIPT = `
import v8 from "node:v8";
import { holdYoungGeneration, releaseYoungGeneration } from ${JSON.stringify(join(ROOT, "src/core/startupHeap.ts"))};
const young = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space");
const half = () => { const s = young(); return (s.space_used_size + s.space_available_size) / 1048576; };
// Objects that live a while, as start-up's parsed flows and data model and a server's messages in
// flight do: they make V8 grow the space. In turns, as a server's work comes (the bound is checked
// after each collection, between turns).
const churn = async () => {
  let keep = [];
  for (let turn = 0; turn < 200; turn++) {
    for (let i = 0; i < 5_000; i++) { keep.push({ i, s: "x" + i }); if (keep.length > 100_000) keep = []; }
    await new Promise((r) => setImmediate(r));
  }
};
const before = half();
holdYoungGeneration();
await churn();
const held = half();
releaseYoungGeneration(4);
await churn();
const released = half();
releaseYoungGeneration(8);
await churn();
console.log(JSON.stringify({ before, held, released, wider: half(), total: young().space_size / 1048576 }));
`;

describe("holdYoungGeneration / releaseYoungGeneration", () => {
  it("keeps V8's young generation at the size it has until released, then lets it grow up to the bound, and does not keep the process alive", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", SCRIPT], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const { before, held, released, wider, total } = JSON.parse(run.stdout) as { before: number; held: number; released: number; wider: number; total: number };
    // Without the hold this churn doubles it up to 16 MB a half. Node 20's V8 (where it was measured)
    // keeps it exactly; Node 24's at times sizes it past the hold by itself (2 → 4.5 MB in 1 of 6 runs
    // on 24.22), so there the hold is only held to "far below V8's own growth".
    if (process.versions.node.startsWith("20.")) expect(held).toBe(before);
    else expect(held).toBeLessThan(8);
    if (held < 4) {
      expect(released).toBeGreaterThan(held);
      expect(released).toBeLessThanOrEqual(4); // V8's own limit is 16 MB a half
    }
    expect(wider).toBeGreaterThan(4);
    expect(wider).toBeLessThanOrEqual(8);
    expect(total).toBeLessThanOrEqual(16);
  });
});

const COLLECT_SCRIPT = `
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import { collectStartupGarbage } from ${JSON.stringify(join(ROOT, "src/core/startupHeap.ts"))};
const old = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === "old_space").space_size / 1048576;
// What starting leaves: objects that lived long enough to reach the old generation, then dropped,
// among a few that stay (so a plain collection would free the objects but not their pages).
const kept = [];
let garbage = [];
for (let i = 0; i < 400_000; i++) { garbage.push({ i, s: "startup " + i }); if (i % 1000 === 0) kept.push(garbage[i]); }
await new Promise((r) => setTimeout(r, 50));
garbage = undefined;
const before = old();
collectStartupGarbage();
console.log(JSON.stringify({ before, after: old(), kept: kept.length, gcLeftExposed: typeof globalThis.gc !== "undefined" || runInNewContext("typeof gc") !== "undefined" }));
`;

describe("collectStartupGarbage", () => {
  it("frees what starting left in the old generation and gives its pages back, without leaving gc() exposed", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", COLLECT_SCRIPT], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const { before, after, kept, gcLeftExposed } = JSON.parse(run.stdout) as { before: number; after: number; kept: number; gcLeftExposed: boolean };
    expect(kept).toBe(400);
    expect(before).toBeGreaterThan(20); // the churn's objects reached the old generation
    expect(after).toBeLessThan(before / 2);
    expect(gcLeftExposed).toBe(false);
  });
});
