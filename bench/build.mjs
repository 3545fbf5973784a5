#!/usr/bin/env node
// `npm run bench` runs the bench compiled, as `rapport` runs (scripts/build.mjs), not through tsx.
//
// Why: the bench's figures include each child's peak RSS, compared with the Telegraf peer's (issue 17:
// ≤ 103 MB). Under tsx every child also held tsx's loader and the TypeScript it compiled at run time
// (about 30 MB), which production never carries, and spent its first seconds compiling.
//
// What: esbuild bundles bench/run.ts with src/ into dist/bench/ (two levels below the project, as
// dist/<id>/ and src/<folder>/ are, so src/db/migrate.ts finds prisma/migrations from there too),
// npm packages left outside as in the product's build, then runs it with this process's arguments.
// Children are started from the compiled file (child.ts uses process.argv[1]). A build takes well
// under a second; it is redone on every run, so the bench never measures stale code.
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { COMPACT_OUTPUT, latin1Sources } from "../scripts/compactOutput.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "dist", "bench");

rmSync(OUT, { recursive: true, force: true });
await build({
  absWorkingDir: ROOT,
  entryPoints: { run: "bench/run.ts" },
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20.19",
  packages: "external",
  sourcemap: "linked",
  ...COMPACT_OUTPUT, // as the product's build: the children's peak RSS counts what V8 keeps of the code
  plugins: [latin1Sources],
  logLevel: "warning",
});
// No --enable-source-maps: Node would then read every module's source map as it loads, which costs
// the memory this bench measures.
const run = spawnSync(process.execPath, [join(OUT, "run.js"), ...process.argv.slice(2)], { stdio: "inherit" });
process.exit(run.status ?? 1);
