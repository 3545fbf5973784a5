/**
 * Quiet hours in the contact's own time zone (issue 15): a campaign message due in them waits until
 * they end, it is not dropped. Pure functions on instants and IANA zone names (Intl, no library).
 */

/** A daily window of local time, `21:00-09:00`; it may run across midnight. Minutes from midnight. */
export interface QuietHours {
  start: number;
  end: number;
}

/** Parses `HH:MM-HH:MM`; undefined for "off", empty, or a malformed value. */
export function parseQuietHours(text: string | undefined): QuietHours | undefined {
  const m = /^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$/.exec(text ?? "");
  if (!m) return undefined;
  const [h1, m1, h2, m2] = m.slice(1).map(Number) as [number, number, number, number];
  if (h1 > 23 || h2 > 24 || m1 > 59 || m2 > 59 || (h2 === 24 && m2 > 0)) return undefined;
  const start = h1 * 60 + m1;
  const end = h2 * 60 + m2;
  return start === end ? undefined : { start, end };
}

/** True when `zone` is an IANA time zone this runtime knows (Europe/Warsaw, Asia/Ho_Chi_Minh, UTC). */
export function isTimeZone(zone: string): boolean {
  // UTC, the default, is known to every runtime. Asking Intl loads ICU's date formatting data: 4.5 MB
  // of the node binary's pages counted in RSS from start-up on, in a process that may never format a
  // date (issue 17: idle `rapport start` ≤ 100 MB).
  if (zone === "UTC") return true;
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The local wall-clock time of `at` in `zone`, in minutes and seconds past midnight. */
function localTime(at: Date, zone: string): { minutes: number; seconds: number } {
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { minutes: get("hour") * 60 + get("minute"), seconds: get("second") };
}

/**
 * When the quiet hours around `at` end in `zone`, or undefined when `at` is outside them. A window
 * across midnight (21:00-09:00) is quiet from its start to midnight and from midnight to its end.
 * Measured in local minutes: on a night the clocks change, the end may be an hour off, never skipped.
 */
export function quietUntil(at: Date, zone: string, quiet: QuietHours): Date | undefined {
  const { minutes, seconds } = localTime(at, zone);
  const { start, end } = quiet;
  const across = start > end;
  const inside = across ? minutes >= start || minutes < end : minutes >= start && minutes < end;
  if (!inside) return undefined;
  const until = across && minutes >= start ? 24 * 60 - minutes + end : end - minutes;
  return new Date(at.getTime() + until * 60_000 - seconds * 1000 - at.getMilliseconds());
}
