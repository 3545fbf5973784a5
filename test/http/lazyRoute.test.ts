import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { lazyRoute } from "../../src/http/lazyRoute";
import type { Route } from "../../src/http/server";

const request = (url: string) => ({ url }) as IncomingMessage;
const response = {} as ServerResponse;

describe("lazyRoute", () => {
  it("loads nothing for requests outside its prefix", async () => {
    let loads = 0;
    const route = lazyRoute("/console", async () => { loads++; return () => true; });
    for (const url of ["/healthz", "/consoles", "/api/v1/console", "/webchat/widget.js"]) expect(await route(request(url), response)).toBe(false);
    expect(loads).toBe(0);
  });

  it("loads its code once, on the first request under the prefix (those arriving meanwhile wait for it), then hands every such request over", async () => {
    let loads = 0;
    const seen: string[] = [];
    const inner: Route = (req) => { seen.push(req.url!); return req.url !== "/console/unknown"; };
    const route = lazyRoute("/console", async () => { loads++; await new Promise((r) => setTimeout(r, 10)); return inner; });
    expect(await Promise.all([route(request("/console"), response), route(request("/console/flows?x=1"), response)])).toEqual([true, true]);
    expect(await route(request("/console/unknown"), response)).toBe(false); // the loaded route's own answer
    expect(loads).toBe(1);
    expect(seen).toEqual(["/console", "/console/flows?x=1", "/console/unknown"]);
  });

  it("tries the load again on the next request after one failed", async () => {
    let loads = 0;
    const route = lazyRoute("/console", async () => {
      if (++loads === 1) throw new Error("chunk missing");
      return () => true;
    });
    await expect(route(request("/console"), response)).rejects.toThrow("chunk missing");
    expect(await route(request("/console"), response)).toBe(true);
    expect(loads).toBe(2);
  });
});
