#!/usr/bin/env node
// The `rapport` command (also what `npm start` runs): the compiled CLI in dist/, built by `npm install`.
// When a file it was built from has changed since (you edited src/), it is rebuilt first, in well
// under a second, so an edit is never silently ignored (scripts/build.mjs).
// `rapport start` first re-executes itself with glibc's malloc settings where Node.js can
// (scripts/startMalloc.mjs): glibc reads them only as a process starts.
import { execStartWithMallocEnv } from "../scripts/startMalloc.mjs";
import { ensureBuild } from "../scripts/build.mjs";

if (process.argv[2] === "start") execStartWithMallocEnv();
await import(await ensureBuild());
