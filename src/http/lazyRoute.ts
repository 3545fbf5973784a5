import type { Route } from "./server";

/**
 * A route whose code is loaded by the first request under `prefix` (`/console` answers `/console`
 * and `/console/…`, not `/consoles`). Other requests pass by without loading anything.
 *
 * Why: a part few requests reach (the browser console: its pages, diagram layout and password
 * hashing) need not sit in every server's memory from start-up on (issue 17: idle ≤ 100 MB). A
 * failed load is not remembered, so the next request tries again; requests arriving while the code
 * loads wait for the same load.
 */
export function lazyRoute(prefix: string, load: () => Promise<Route>): Route {
  let loading: Promise<Route> | undefined;
  return async (req, res) => {
    const path = req.url?.split("?")[0] ?? "";
    if (path !== prefix && !path.startsWith(`${prefix}/`)) return false;
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return (await loading)(req, res);
  };
}
