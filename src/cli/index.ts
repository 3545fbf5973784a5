import { loadSettings } from "../config";
import { createLogger, type Logger } from "../core/log";
import type { App } from "../app/createApp";
import type { Database } from "../db/Database";
import { parseArgs, UsageError } from "./args";

// Each command's code is imported when that command runs (a separate chunk in the build, see
// scripts/build.mjs): `rapport --help` loads no database driver, and a read-only command such as
// `tickets` opens the database without loading flows, channels or the engine.

/** The full core (flows, engine, services), for commands that change state through the domains. */
async function openApp(settings: ReturnType<typeof loadSettings>, log: Logger): Promise<App> {
  const { createApp } = await import("../app/createApp");
  return createApp({ settings: { ...settings, hotReload: false }, log });
}

/** Just the database, migrated, for commands that only read tables. */
async function openDb(settings: ReturnType<typeof loadSettings>): Promise<Database> {
  const [{ openDatabase }, { migrate }] = await Promise.all([import("../db/Database"), import("../db/migrate")]);
  const db = await openDatabase(settings.databaseUrl);
  try {
    await migrate(db);
    return db;
  } catch (error) {
    await db.close();
    throw error;
  }
}

const USAGE = `Usage: rapport <command>

  start                          serve HTTP, channels, and a terminal chat when no token is set
  chat [--user NAME] [--locale L] talk to the bot as customer terminal:NAME (default: local)
  flows lint [FILES|DIRS…]       check flow files (default: flows/)
  flows test [TRANSCRIPTS…]      run transcript tests (default: flows/tests/)
  contacts history CONTACT [--json] [--limit N]
                                 a contact's timeline; CONTACT is an id or channel:id (terminal:alice)
  purchases import FILE.csv      record purchases (customer,orderId,amount,currency,occurredAt); exit 1 if rows were rejected
  loyalty verify                 check every balance equals the sum of its ledger entries; exit 1 on a mismatch
  loyalty sweep                  run the timed work now: expire points, send reminders, confirm referral rewards
  referrals held                 list referrals held for review
  referrals review ID approve|reject
                                 decide a held referral (approve pays the referrer; reject takes a paid reward back)
  tickets [--all] [--json]       the support queue: tickets waiting for a person or being handled
  ideas [--all]                  the ideas board, most votes first (--all adds done and declined)
  ideas mark ID planned|done|declined
                                 decide an idea; its author and voters are told by the running bot
  events send EVENT (--contact C[,C…] | --segment S | --all) [--data JSON]
                                 start the flow of EVENT (e.g. nps.ask) for those customers; the running bot delivers
  rfm [--json]                   recompute RFM segments now and show their sizes (the sweeper does it daily)
  report [--from DATE] [--to DATE] [--json]
                                 NPS, CSAT, support times, points, referrals, segments (default: last 30 days)
  help                           this text

Settings come from the environment and .env (see README.md).`;

/** Runs the CLI with `argv` (without node and script); returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  const [command, sub, ...rest] = argv;
  if (!command || command === "help" || command === "--help" || command === "-h") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const settings = loadSettings();
  switch (command) {
    case "start": {
      parseArgs([sub, ...rest].filter((x): x is string => x !== undefined), [], []);
      const { runStart } = await import("./start");
      await runStart(settings, createLogger(settings.logLevel));
      return 0;
    }
    case "chat": {
      const args = parseArgs([sub, ...rest].filter((x): x is string => x !== undefined), ["user", "locale"], []);
      if (args.positional.length > 0) throw new UsageError(`rapport chat takes no arguments, got "${args.positional[0]}"`);
      // The chat prints replies on stdout; warnings and errors still reach stderr.
      const { runChat } = await import("./chat");
      const app = await openApp(settings, createLogger(settings.logLevel === "debug" ? "debug" : "warn"));
      try {
        await runChat(app, { user: (args.options.get("user") as string | undefined) ?? "local", locale: args.options.get("locale") as string | undefined, input: process.stdin, output: process.stdout });
      } finally {
        await app.close();
      }
      return 0;
    }
    case "flows": {
      if (sub === "lint") {
        const args = parseArgs(rest, [], []);
        const { runFlowsLint } = await import("./flowsLint");
        return runFlowsLint(args.positional, settings, process.stdout, process.stderr);
      }
      if (sub === "test") {
        const args = parseArgs(rest, [], []);
        const { runFlowsTest } = await import("./flowsTest");
        return runFlowsTest(args.positional, settings, process.stdout, process.stderr);
      }
      throw new UsageError(`unknown command "flows ${sub ?? ""}"; use "flows lint" or "flows test"`);
    }
    case "contacts": {
      if (sub !== "history") throw new UsageError(`unknown command "contacts ${sub ?? ""}"; use "contacts history <contact>"`);
      const args = parseArgs(rest, ["limit"], ["json"]);
      const reference = args.positional[0];
      if (!reference) throw new UsageError("contacts history needs a contact: an id or <channel>:<external id>, e.g. terminal:alice");
      const limit = args.options.has("limit") ? Number(args.options.get("limit")) : undefined;
      if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new UsageError("--limit must be a positive whole number");
      const { runContactsHistory } = await import("./contactsHistory");
      const db = await openDb(settings);
      try {
        await runContactsHistory(db.prisma, reference, args.options.has("json"), limit, process.stdout);
      } finally {
        await db.close();
      }
      return 0;
    }
    case "purchases": {
      if (sub !== "import") throw new UsageError(`unknown command "purchases ${sub ?? ""}"; use "purchases import <file.csv>"`);
      const args = parseArgs(rest, [], []);
      const [file, extra] = args.positional;
      if (!file || extra) throw new UsageError("purchases import takes one CSV file with the header customer,orderId,amount,currency,occurredAt");
      const log = createLogger(settings.logLevel === "debug" ? "debug" : "warn");
      const { runPurchasesImport } = await import("./purchasesImport");
      return runPurchasesImport(file, () => openApp(settings, log), { stdout: process.stdout, stderr: process.stderr });
    }
    case "loyalty":
    case "referrals": {
      const known = command === "loyalty" ? ["verify", "sweep"] : ["held", "review"];
      if (!sub || !known.includes(sub)) throw new UsageError(`unknown command "${command} ${sub ?? ""}"; use ${known.map((k) => `"${command} ${k}"`).join(" or ")}`);
      if (sub === "verify" || sub === "held") {
        const db = await openDb(settings);
        try {
          if (sub === "verify") return await (await import("./loyaltyVerify")).runLoyaltyVerify(db, process.stdout);
          return await (await import("./referralsReview")).runReferralsHeld(db, process.stdout);
        } finally {
          await db.close();
        }
      }
      const app = await openApp(settings, createLogger(settings.logLevel === "debug" ? "debug" : "warn"));
      try {
        if (sub === "sweep") {
          process.stdout.write(`${JSON.stringify(await app.sweeper.tick())}\n`);
          await app.engine.idle();
          return 0;
        }
        const [{ runReferralsReview }, { REFERRALS }] = await Promise.all([import("./referralsReview"), import("../referrals/Referrals")]);
        return await runReferralsReview(app.services.get(REFERRALS), rest[0], rest[1], process.stdout);
      } finally {
        await app.close();
      }
    }
    case "tickets": {
      const args = parseArgs([sub, ...rest].filter((x): x is string => x !== undefined), [], ["all", "json"]);
      if (args.positional.length > 0) throw new UsageError(`rapport tickets takes no arguments, got "${args.positional[0]}"; use --all or --json`);
      const { runTickets } = await import("./tickets");
      const db = await openDb(settings);
      try {
        return await runTickets(db, { all: args.options.has("all"), json: args.options.has("json") }, process.stdout);
      } finally {
        await db.close();
      }
    }
    case "ideas": {
      const marking = sub === "mark";
      const args = parseArgs((marking ? rest : [sub, ...rest]).filter((x): x is string => x !== undefined), [], marking ? [] : ["all"]);
      if (!marking && args.positional.length > 0) throw new UsageError(`unknown command "ideas ${args.positional[0]}"; use "ideas [--all]" or "ideas mark <id> planned|done|declined"`);
      const { runIdeasList, runIdeasMark } = await import("./ideas");
      if (!marking) {
        const db = await openDb(settings);
        try {
          return await runIdeasList(db, process.stdout, { all: args.options.has("all") });
        } finally {
          await db.close();
        }
      }
      const app = await openApp(settings, createLogger(settings.logLevel === "debug" ? "debug" : "warn"));
      try {
        const { IDEAS } = await import("../feedback/Ideas");
        return await runIdeasMark(app.services.get(IDEAS), args.positional[0], args.positional[1], process.stdout);
      } finally {
        await app.close();
      }
    }
    case "events": {
      if (sub !== "send") throw new UsageError(`unknown command "events ${sub ?? ""}"; use "events send <event> --segment <name>"`);
      const args = parseArgs(rest, ["contact", "segment", "data"], ["all"]);
      const { runEventsSend } = await import("./eventsSend");
      const app = await openApp(settings, createLogger(settings.logLevel === "debug" ? "debug" : "warn"));
      try {
        const contacts = ((args.options.get("contact") as string | undefined) ?? "").split(",").map((c) => c.trim()).filter(Boolean);
        return await runEventsSend(app.db, app.jobs, args.positional[0], { contacts, segment: args.options.get("segment") as string | undefined, all: args.options.has("all") }, args.options.get("data") as string | undefined, process.stdout, process.stderr);
      } finally {
        await app.close();
      }
    }
    case "rfm": {
      const args = parseArgs([sub, ...rest].filter((x): x is string => x !== undefined), [], ["json"]);
      if (args.positional.length > 0) throw new UsageError(`rapport rfm takes no arguments, got "${args.positional[0]}"; use --json for JSON`);
      const { runRfm } = await import("./rfm");
      const db = await openDb(settings);
      try {
        return await runRfm(db, { json: args.options.has("json") }, process.stdout);
      } finally {
        await db.close();
      }
    }
    case "report": {
      const args = parseArgs([sub, ...rest].filter((x): x is string => x !== undefined), ["from", "to"], ["json"]);
      if (args.positional.length > 0) throw new UsageError(`rapport report takes no arguments, got "${args.positional[0]}"; use --from, --to or --json`);
      const { runReport } = await import("./report");
      const db = await openDb(settings);
      try {
        return await runReport(db, { from: args.options.get("from") as string | undefined, to: args.options.get("to") as string | undefined, json: args.options.has("json") }, process.stdout);
      } finally {
        await db.close();
      }
    }
    default:
      throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
  }
}
