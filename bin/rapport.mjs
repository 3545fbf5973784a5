#!/usr/bin/env node
// The `rapport` command: runs the TypeScript CLI through tsx, so no build step stands between a
// fresh clone and a working command.
import { register } from "tsx/esm/api";
register();
process.env.RAPPORT_CLI = "1";
await import("../src/cli/index.ts");
