#!/usr/bin/env node
// Compiles the `rapport` command (src/ → dist/) with esbuild, and tells bin/rapport.mjs whether the
// build it would run is current.
//
// Why: running TypeScript through tsx compiled the whole app on every command (1.1-1.6 s, issue 17).
// esbuild bundles src/ into ES modules split per command (each command is a dynamic import()), so
// `rapport --help` loads a few kilobytes and `rapport tickets` only what listing tickets needs.
// npm packages stay outside the bundle (`packages: "external"`) and load from node_modules as they
// would under tsx; the Prisma clients generated into src/db/generated/ are bundled like any source.
//
// When: `npm install` runs it (postinstall, after the Prisma clients are generated), and
// bin/rapport.mjs runs it again whenever a file the last build read is newer, or of another size, than
// when it was read (an edit in src/, a regenerated Prisma client, a checkout), so nobody runs stale
// code after editing src/. That takes well under a second. `node scripts/build.mjs` forces a build.
//
// Layout: each build goes to its own folder dist/<id>/ and dist/current.json names the one to run
// (written last, by rename), so commands started while another rebuilds never load half a build.
// dist/<id>/ is two levels below the project, as src/<folder>/ is: code that finds the project's
// files from its own location (src/db/migrate.ts → prisma/migrations) works the same from both.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { COMPACT_OUTPUT, latin1Sources } from "./compactOutput.mjs";

const PROJECT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const ENTRY = "src/cli/bin.ts";
/** Builds kept besides the current one, for commands still running from them. */
const KEEP = 3;

/**
 * The build to run, as a file URL of its entry: the current one when nothing it was built from
 * changed since, otherwise a new one. Says why it rebuilds when stderr is a terminal (a person
 * edited something); scripts and tests reading stderr see nothing.
 */
export async function ensureBuild({ root = PROJECT } = {}) {
  const current = readPointer(root);
  const stale = current ? staleInput(root, current) : "no build yet";
  if (!stale) return entryUrl(root, current.dir);
  if (process.stderr.isTTY) process.stderr.write(`rapport: ${stale}; rebuilding\n`);
  return entryUrl(root, (await build({ root })).dir);
}

/** Compiles src/ into a new dist/<id>/ and makes it current. Throws with esbuild's messages on an error. */
export async function build({ root = PROJECT } = {}) {
  const { build: esbuild } = await import("esbuild");
  const startedAt = Date.now();
  const dist = join(root, "dist");
  const dir = `b${startedAt.toString(36)}-${process.pid}`;
  const outdir = join(dist, dir);
  mkdirSync(dist, { recursive: true });
  const result = await esbuild({
    absWorkingDir: root,
    entryPoints: { rapport: ENTRY },
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20.19",
    packages: "external",
    sourcemap: "linked",
    ...COMPACT_OUTPUT, // code V8 keeps in less memory (scripts/compactOutput.mjs)
    plugins: [latin1Sources],
    metafile: true,
    logLevel: "silent",
    chunkNames: "[name]-[hash]", // beside the entry: dist/<id>/ is as deep as src/<folder>/ (see above)
  }).catch((error) => {
    rmSync(outdir, { recursive: true, force: true });
    const messages = (error.errors ?? []).map((m) => `${m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ` : ""}${m.text}`);
    throw new Error(`rapport: the build failed (scripts/build.mjs)\n${messages.join("\n") || error.message}`);
  });
  const inputs = {};
  for (const file of [...Object.keys(result.metafile.inputs), "package.json"]) {
    const s = statSync(join(root, file));
    inputs[file] = [s.mtimeMs, s.size];
  }
  // The build's own options: a change here changes every output.
  for (const options of [import.meta.url, new URL("./compactOutput.mjs", import.meta.url).href]) {
    const self = statSync(fileURLToPath(options));
    inputs[fileURLToPath(options)] = [self.mtimeMs, self.size];
  }
  const pointer = { dir, startedAt, inputs };
  const tmp = join(dist, `current.json.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(pointer));
  renameSync(tmp, join(dist, "current.json"));
  prune(dist, dir);
  return pointer;
}

function readPointer(root) {
  try {
    const p = JSON.parse(readFileSync(join(root, "dist/current.json"), "utf8"));
    return existsSync(join(root, "dist", p.dir, "rapport.js")) ? p : undefined;
  } catch {
    return undefined;
  }
}

/** Why the build is out of date (a changed or missing input), or undefined when it is current. */
function staleInput(root, pointer) {
  for (const [file, [mtimeMs, size]] of Object.entries(pointer.inputs)) {
    let s;
    try {
      s = statSync(resolve(root, file));
    } catch {
      return `${file} is gone`;
    }
    // Edited during the build (mtime after it started, in whole milliseconds as Date.now() has them):
    // what was compiled may predate the edit.
    if (s.mtimeMs !== mtimeMs || s.size !== size || Math.floor(mtimeMs) > pointer.startedAt) return `${file} changed since the last build`;
  }
  return undefined;
}

function entryUrl(root, dir) {
  return pathToFileURL(join(root, "dist", dir, "rapport.js")).href;
}

/** Removes all but the newest KEEP older builds. */
function prune(dist, current) {
  const builds = readdirSync(dist, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== current && /^b[0-9a-z]+-\d+$/.test(d.name))
    .map((d) => ({ name: d.name, at: statSync(join(dist, d.name)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  for (const old of builds.slice(KEEP)) rmSync(join(dist, old.name), { recursive: true, force: true });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  try {
    const { dir, inputs } = await build();
    console.log(`build: ${Object.keys(inputs).length} files compiled into ${relative(process.cwd(), join(PROJECT, "dist", dir))} in ${Date.now() - started} ms`);
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
