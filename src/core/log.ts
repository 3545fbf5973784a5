/** Log levels, least to most severe. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/**
 * A minimal structured logger (one JSON object per line on stderr). Message text and secrets never go
 * in at info level: callers pass ids and counts; text only at debug.
 */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const ORDER: LogLevel[] = ["debug", "info", "warn", "error"];

/** Creates a logger writing lines at or above `level` to `write` (stderr by default). */
export function createLogger(level: LogLevel = "info", write: (line: string) => void = (l) => process.stderr.write(l + "\n")): Logger {
  const min = ORDER.indexOf(level);
  const emit = (lvl: LogLevel) => (msg: string, fields?: Record<string, unknown>) => {
    if (ORDER.indexOf(lvl) < min) return;
    const extra: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(fields ?? {})) extra[k] = v instanceof Error ? { name: v.name, message: v.message, code: (v as { code?: string }).code } : v;
    write(JSON.stringify({ t: new Date().toISOString(), level: lvl, msg, ...extra }));
  };
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error") };
}

/** A logger that drops everything (tests, the terminal chat's quiet mode). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
