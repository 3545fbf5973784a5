#!/usr/bin/env node
// The `rapport` command (also what `npm start` runs): the compiled CLI in dist/, built by `npm install`.
// When a file it was built from has changed since (you edited src/), it is rebuilt first, in well
// under a second, so an edit is never silently ignored (scripts/build.mjs).
import { ensureBuild } from "../scripts/build.mjs";

await import(await ensureBuild());
