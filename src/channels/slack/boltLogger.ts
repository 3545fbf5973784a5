import { LogLevel, type Logger as BoltLogger } from "@slack/bolt";
import type { Logger } from "../../core/log";

/**
 * Bolt's logger interface over Rapport's: Bolt's chatter goes out at debug, its warnings and errors
 * as such, one JSON line each like the rest of the log. Arguments are joined as text (Bolt logs no
 * tokens; message text never reaches its logger).
 */
export function boltLogger(log: Logger): BoltLogger {
  let level = LogLevel.INFO;
  const line = (args: unknown[]) => args.map((a) => (a instanceof Error ? a.message : typeof a === "string" ? a : JSON.stringify(a))).join(" ").slice(0, 1000);
  return {
    debug: (...args: unknown[]) => log.debug("slack", { detail: line(args) }),
    info: (...args: unknown[]) => log.debug("slack", { detail: line(args) }),
    warn: (...args: unknown[]) => log.warn("slack", { detail: line(args) }),
    error: (...args: unknown[]) => log.error("slack", { detail: line(args) }),
    setLevel: (l: LogLevel) => void (level = l),
    getLevel: () => level,
    setName: () => {},
  };
}
