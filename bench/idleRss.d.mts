/** See idleRss.mjs (plain JavaScript: bench/cli.mjs runs without tsx). */
export function idleStartRss(root: string, options?: { settleMs?: number; env?: Record<string, string> }): Promise<{ rssMb: number; anonMb: number; readyMs: number }>;
