import type { Logger } from "../core/log";

/** One step of stopping; `remainingMs` is what is left of the budget when it starts. */
export interface StopStep {
  name: string;
  run(remainingMs: number): Promise<void> | void;
}

/**
 * Runs the steps of a graceful stop in order, within `budgetMs` whatever they wait for (issue #13:
 * a client trickling headers held `rapport start` for minutes after SIGTERM, until an orchestrator
 * killed it, which is worse: work in flight is then cut anywhere). Past the budget it logs which step
 * was still running and calls `exit(1)`; steps are expected to bound themselves first (the HTTP server
 * cuts its connections), so this is the backstop.
 */
export async function stopWithin(budgetMs: number, log: Logger, steps: StopStep[], exit: (code: number) => void = (c) => process.exit(c)): Promise<void> {
  const deadline = Date.now() + budgetMs;
  let current = "";
  const backstop = setTimeout(() => {
    log.error("stop took longer than SHUTDOWN_TIMEOUT_SECONDS; exiting with this step unfinished", { step: current, budgetSeconds: budgetMs / 1000 });
    exit(1);
  }, budgetMs);
  backstop.unref();
  try {
    for (const step of steps) {
      current = step.name;
      await step.run(Math.max(0, deadline - Date.now()));
    }
  } finally {
    clearTimeout(backstop);
  }
}
