// Preloaded with `node --import` by tests that check what a command loads: records every module the
// process resolves (file: URLs and package names) in the file TRACE_IMPORTS_FILE names, one per line.
// The hooks run on Node's loader thread, so they append to the file themselves.
import { register } from "node:module";

register("./traceImportsHooks.mjs", import.meta.url, { data: { file: process.env.TRACE_IMPORTS_FILE } });
