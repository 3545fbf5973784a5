import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp, type App } from "../../src/app/createApp";
import { SlackSupport } from "../../src/channels/slack/SlackSupport";
import { webchatFromSettings, type Webchat } from "../../src/channels/webchat/fromSettings";
import { ConsoleUsers } from "../../src/console/auth/ConsoleUsers";
import { consoleRoute } from "../../src/console/consoleRoute";
import { createLogger, silentLogger } from "../../src/core/log";
import { HttpServer } from "../../src/http/server";
import { dropDatabase, freshDatabaseUrl } from "./database";
import { FakeSlack } from "./fakeSlack";
import { ROOT } from "./testApp";

/** bcrypt's lowest cost: the tests check sign-in, not bcrypt (cost 12 takes seconds on a loaded CI machine). */
const TEST_COST = 4;

/** Console users every console test app has, with their passwords. */
export const CONSOLE_USERS = {
  admin: { name: "ada", password: "correct horse battery", role: "admin" },
  lead: { name: "sam", password: "support lead password", role: "support_lead" },
  marketer: { name: "mia", password: "marketer password 1", role: "marketer" },
} as const;

/** Rapport with the console and the web chat on a loopback HTTP port, optionally Slack on a FakeSlack. */
export interface ConsoleTestApp {
  app: App;
  base: string;
  webchat: Webchat;
  slack?: FakeSlack;
  /** A copy of flows/ the app serves (tests add files to it). */
  flowsDir: string;
  close(): Promise<void>;
}

/**
 * Starts a fresh database, the shipped flows (copied, plus `extraFlows` files, served leniently so a
 * broken one shows in the console), the web chat, the console with CONSOLE_USERS, and with
 * `slack: true` the Slack support channel on a FakeSlack (channel CSUPPORT).
 */
export async function startConsoleApp(options: { slack?: boolean; extraFlows?: Record<string, string> } = {}): Promise<ConsoleTestApp> {
  const flowsDir = mkdtempSync(join(tmpdir(), "rapport-console-flows-"));
  cpSync(join(ROOT, "flows"), flowsDir, { recursive: true });
  for (const [name, text] of Object.entries(options.extraFlows ?? {})) writeFileSync(join(flowsDir, name), text);
  const url = await freshDatabaseUrl();
  const log = process.env.CONSOLE_TEST_LOG ? createLogger("debug") : silentLogger;
  // Campaigns: the default consent mode, no cap and no quiet hours (21:00-09:00 by default): a page
  // that shows a campaign's deliveries must not depend on the time of day it is tested at.
  const campaignRules = { consent: "opt_in", timeZone: "UTC" } as const;
  const settings = { databaseUrl: url, flowsDir, localesDir: join(ROOT, "locales"), hotReload: false, dbRetrySeconds: 2, campaignRules };
  const app = await createApp({ settings, log, partialFlows: true, support: { retryDelaysMs: [200, 200], pollMs: 100 }, jobs: { pollMs: 100 } });
  const slack = options.slack ? await FakeSlack.start({ members: { CSUPPORT: ["UANNA", "UBOT"] }, users: { UANNA: { name: "anna" } } }) : undefined;
  const http = new HttpServer(log);
  const staff = slack && new SlackSupport({ token: slack.token, channel: "CSUPPORT", apiUrl: slack.apiUrl, log, signingSecret: "test-signing-secret", retryConfig: { retries: 1, factor: 1, minTimeout: 10, maxTimeout: 20 } });
  if (staff) http.use(staff.route());
  const webchat = await webchatFromSettings(app, { webchatOrigins: ["*"] }, log);
  http.use(webchat.route);
  http.use(consoleRoute(app, { flowsDir, localesDir: settings.localesDir, consoleUsers: [] }, log, [], { passwordCost: TEST_COST }));
  const port = await http.listen(0, "127.0.0.1");
  if (staff) {
    await staff.start(app.support);
    app.support.attachStaff(staff);
  }
  app.support.outbox.start();
  const users = new ConsoleUsers(app.db, [], TEST_COST);
  for (const u of Object.values(CONSOLE_USERS)) await users.add(u.name, u.role, u.password);
  return {
    app, base: `http://127.0.0.1:${port}`, webchat, slack, flowsDir,
    async close() {
      await webchat.channel.stop();
      await staff?.stop();
      await http.close(1_000);
      await app.close();
      await slack?.close();
      await dropDatabase(url);
      rmSync(flowsDir, { recursive: true, force: true });
    },
  };
}
