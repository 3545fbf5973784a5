import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/testApp";

// A fresh process: the flag is the process's, and this test runner's heap has grown long ago.
const SCRIPT = `
import v8 from "node:v8";
import { holdYoungGeneration, releaseYoungGeneration } from ${JSON.stringify(join(ROOT, "src/core/startupHeap.ts"))};
const young = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space").space_size / 1048576;
// Objects that live a while, as start-up's parsed flows and data model do: they make V8 grow the space.
const churn = () => { let keep = []; for (let i = 0; i < 600_000; i++) { keep.push({ i }); if (keep.length > 100_000) keep = []; } };
const before = young();
holdYoungGeneration();
churn();
const held = young();
releaseYoungGeneration();
churn();
console.log(JSON.stringify({ before, held, released: young() }));
`;

describe("holdYoungGeneration", () => {
  it("keeps V8's young generation at the size it has until released, then lets it grow", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", SCRIPT], { cwd: ROOT, encoding: "utf8" });
    expect(run.stderr).toBe("");
    const { before, held, released } = JSON.parse(run.stdout) as { before: number; held: number; released: number };
    expect(held).toBe(before); // without the hold this churn doubles it up to 32 MB
    expect(released).toBeGreaterThan(held);
  });
});
