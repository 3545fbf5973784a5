import { RapportError } from "../core/errors";
import { UsageError } from "./UsageError";
import { main } from "./index";

// A reader that stops reading (`rapport chat … | head`) closes our standard output: stop quietly, as
// Unix tools do, instead of crashing on EPIPE with a stack trace. What was stored stays stored.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
  process.exit(typeof process.exitCode === "number" ? process.exitCode : 0);
});

// The `rapport` executable's entry (bin/rapport.mjs runs its compiled form, see scripts/build.mjs).
// Exit status: 0 done, 1 a failure or a check that found problems, 2 a command line it cannot act on.
main(process.argv.slice(2)).then(
  (code) => { if (code !== 0) process.exitCode = code; },
  (error: unknown) => {
    if (error instanceof RapportError) process.stderr.write(`rapport: ${error.message}\n`);
    else process.stderr.write(`rapport: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);
