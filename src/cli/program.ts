import { Argument, Command, InvalidArgumentError, Option } from "commander";
import { chatFileLogger, commandLogger, openApp, settings, TERMINAL_CHAT_LOG, withApp, withDatabase, withReader } from "./context";

// Why commander (v14: the last major that runs on Node 20, which we still support): every command
// and subcommand gets --help with usage, unknown options and commands are refused with the closest
// name ("Did you mean --all?"), extra arguments are refused, and choices are checked, with no
// dependencies (~40 kB of JavaScript, about 15 ms to load). Node's util.parseArgs is smaller still but
// has no subcommands, help or suggestions: we would be writing those ourselves again.
//
// Every action imports its command's code when it runs (a chunk of its own in the build): the
// definitions below are all that `rapport --help` loads.

/** Appended to a command's --help: how it is typically run. */
function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n`;
}

/** `--limit 20`: a whole number above zero, or a usage error naming the option. */
function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError("must be a whole number above 0.");
  return n;
}

/** `--as alice`: who an operator is in the ticket's history (operator:<name>). */
function operatorName(value: string): string {
  if (!/^[\w.@-]{1,64}$/.test(value)) throw new InvalidArgumentError("must be 1-64 letters, digits, . _ @ or -.");
  return value;
}

const asOption = () => new Option("--as <name>", "who you are in the ticket's history, as operator:<name> (default: your OS user name)").argParser(operatorName);

/**
 * Builds the `rapport` command tree. `done` receives the exit status of the command that ran; a
 * command line that cannot run throws commander's CommanderError (see main()).
 */
export function buildProgram(done: (code: number) => void): Command {
  const program = new Command("rapport")
    .description("Chat-bot customer engagement: flows, contact history, loyalty, support handoff.\nSettings come from the environment and .env (see README.md).")
    .usage("<command> [options]")
    .exitOverride()
    .configureOutput({ outputError: () => { /* main() prints the error, once, in Rapport's words */ } })
    .showHelpAfterError(false);
  program.helpCommand("help [command]", "show help for a command");

  program.command("start")
    .description("Serve HTTP on PORT (GET /healthz), every channel whose settings are present, the support outbox, scheduled work and the sweeper. With no channel set and a terminal attached, a terminal chat opens too; its logs then go to " + TERMINAL_CHAT_LOG + ".")
    .summary("run Rapport: HTTP, channels, timed work (npm start runs this)")
    .addHelpText("after", examples("rapport start", "TELEGRAM_BOT_TOKEN=123456:ABC… rapport start", "DATABASE_URL=postgresql://rapport@db:5432/rapport PORT=8080 rapport start"))
    .action(async () => {
      // Before start's code loads: loading it counts as starting (runStart releases it when ready).
      (await import("../core/startupHeap")).holdYoungGeneration();
      const s = settings();
      const terminalChat = !s.telegramBotToken && Boolean(process.stdin.isTTY);
      const { createLogger } = await import("../core/log");
      const log = terminalChat ? chatFileLogger(s.logLevel) : createLogger(s.logLevel);
      await (await import("./start")).runStart(s, log, { logFile: terminalChat ? TERMINAL_CHAT_LOG : undefined });
      done(0);
    });

  program.command("chat")
    .description(`Talk to the bot as customer terminal:<name>. On a terminal it is interactive (buttons are numbered; logs go to ${TERMINAL_CHAT_LOG}); with input piped in, each line is one message and the replies are printed, so a conversation can be scripted.`)
    .summary("talk to the bot as a customer, in the terminal")
    .option("--user <name>", "the customer's name: terminal:<name>", "local")
    .option("--locale <code>", "the customer's language: en, ru, pl, vi, zh-CN, zh-TW")
    .addHelpText("after", examples("rapport chat --user alice --locale ru", "printf '/start\\n1\\nhow long is delivery?\\n' | rapport chat --user demo"))
    .action(async (opts: { user: string; locale?: string }) => {
      const s = settings();
      const interactive = Boolean(process.stdin.isTTY);
      // On a terminal, a log line would land in the middle of the conversation: logs go to a file.
      const log = interactive ? chatFileLogger(s.logLevel) : commandLogger(s);
      const { runChat } = await import("./chat");
      // Broken flow files are named in the chat and left out; the valid ones are served. Like start,
      // the chat creates a missing SQLite database: it is how a newcomer first tries the bot.
      await withApp((app) => runChat(app, { user: opts.user, locale: opts.locale, input: process.stdin, output: process.stdout, logFile: interactive ? TERMINAL_CHAT_LOG : undefined }), { log, partialFlows: true, createDatabase: true });
      done(0);
    });

  const flows = program.command("flows").description("Check and test flow files.");
  flows.command("lint")
    .description("Check flow files (and the loyalty rules) and print every problem as file:line:col: message. Exit 1 when there are problems.")
    .summary("check flow files: file:line:col: message, exit 1 on problems")
    .argument("[paths...]", "flow files or folders (default: FLOWS_DIR, flows/)")
    .addHelpText("after", examples("rapport flows lint", "rapport flows lint flows/book-demo.yaml"))
    .action(async (paths: string[]) => {
      done((await import("./flowsLint")).runFlowsLint(paths, settings(), process.stdout, process.stderr));
    });
  flows.command("test")
    .description("Play transcripts (*.transcript: user:/bot: lines) against the flows in a throwaway database and print where the bot said something else. Exit 1 when any fails.")
    .summary("run flow transcripts against a throwaway database")
    .argument("[transcripts...]", "transcript files or folders (default: flows/tests/)")
    .option("--update", "after a copy change: re-record the bot's lines that no longer match (never the customer's), print the diff and rewrite the files")
    .addHelpText("after", examples("rapport flows test", "rapport flows test flows/tests/faq.transcript", "rapport flows test --update"))
    .action(async (paths: string[], opts: { update?: boolean }) => {
      done(await (await import("./flowsTest")).runFlowsTest(paths, settings(), process.stdout, process.stderr, { update: opts.update === true }));
    });

  const contacts = program.command("contacts").description("Look up customers, export or erase what is held about them.");
  contacts.command("history")
    .description("A customer's timeline, oldest first: messages, button presses, replies, flow events, points, tickets, each order's rating under the order. Prints message text: this is the operator's own customers' history.")
    .summary("a customer's timeline (--json for machines)")
    .argument("<contact>", "a contact id or <channel>:<external id>, e.g. terminal:alice or telegram:123456")
    .option("--json", "print JSON")
    .option("--limit <n>", "only the last n entries", positiveInt)
    .addHelpText("after", examples("rapport contacts history terminal:alice", "rapport contacts history telegram:123456 --limit 20 --json"))
    .action(async (contact: string, opts: { json?: boolean; limit?: number }) => {
      const { runContactsHistory } = await import("./contactsHistory");
      await withReader((db) => runContactsHistory(db, contact, Boolean(opts.json), opts.limit, process.stdout));
      done(0);
    });
  contacts.command("export")
    .description("Everything Rapport holds about a person as one JSON document (schemaVersion, profile, identities, history, ledger, purchases, referrals, tickets and their messages, survey answers, ideas and votes, scheduled work, audit rows), on stdout or into a file only you can read. Recorded in the audit log.")
    .summary("everything held about a person, as JSON")
    .argument("<contact>", "a contact id or <channel>:<external id>, e.g. telegram:123456")
    .option("--out <file>", "write the document here (mode 0600) instead of stdout")
    .option("--as <name>", "who you are in the audit log, as operator:<name> (default: your OS user name)")
    .addHelpText("after", examples("rapport contacts export telegram:123456 --out person.json"))
    .action(async (contact: string, opts: { out?: string; as?: string }) => {
      const [{ runContactsExport }, { operatorOf }] = await Promise.all([import("./contactsExport"), import("./ticketActions")]);
      done(await withApp((app) => runContactsExport(app.rights, contact, opts.out, operatorOf(opts.as), process.stdout)));
    });
  contacts.command("erase")
    .description("Erase a person: identities, conversation state and scheduled work deleted; every text they wrote and every identifier removed; what accounting needs kept under a new pseudonymous id; the ticket cards and the bot's thread messages deleted from Slack (what could not be is listed, exit 1). Without --yes it only says what would happen.")
    .summary("erase a person (without --yes: say what would happen)")
    .argument("<contact>", "a contact id or <channel>:<external id>, e.g. telegram:123456")
    .option("--yes", "erase; this cannot be undone")
    .option("--as <name>", "who you are in the audit log, as operator:<name> (default: your OS user name)")
    .addHelpText("after", examples("rapport contacts erase telegram:123456", "rapport contacts erase telegram:123456 --yes"))
    .action(async (contact: string, opts: { yes?: boolean; as?: string }) => {
      const [{ runContactsErase }, { operatorOf }] = await Promise.all([import("./contactsErase"), import("./ticketActions")]);
      done(await withApp((app) => runContactsErase(app.rights, contact, Boolean(opts.yes), operatorOf(opts.as), process.stdout)));
    });

  program.command("purchases").description("Record purchases.")
    .command("import")
    .description("Record purchases from a CSV file with the header customer,orderId,amount,currency,occurredAt (add sku,name,quantity,unitPrice for items: one row per order line, the order id repeated), through the same checks as POST /api/v1/purchases: a re-import only counts duplicates. Prints a progress bar, then imported/duplicates/rejected and file:line of each rejected row; exit 1 if any row was rejected.")
    .summary("record purchases in bulk from a CSV file")
    .argument("<file>", "the CSV file")
    .addHelpText("after", examples("rapport purchases import purchases.csv"))
    .action(async (file: string) => {
      const s = settings();
      const [{ runPurchasesImport }, { boundOldGeneration }] = await Promise.all([import("./purchasesImport"), import("../core/startupHeap")]);
      boundOldGeneration(); // memory flat with the file's size (bench/README.md "Purchase import")
      done(await runPurchasesImport(file, () => openApp(commandLogger(s)), { stdout: process.stdout, stderr: process.stderr }));
    });

  const loyalty = program.command("loyalty").description("The points ledger.");
  loyalty.command("verify")
    .description("Check that every customer's balance equals the sum of their ledger entries and is not negative; print each mismatch. Exit 1 on a mismatch.")
    .summary("every balance equals the sum of its ledger entries (exit 1 if not)")
    .addHelpText("after", examples("rapport loyalty verify"))
    .action(async () => {
      done(await withDatabase(async (db) => (await import("./loyaltyVerify")).runLoyaltyVerify(db, process.stdout)));
    });
  loyalty.command("sweep")
    .description("Run the timed work once now, as `rapport start` does every minute: expire points, send expiry reminders, pay referral rewards whose hold ended, remind unanswered tickets, recompute RFM segments when a day old. Prints how many of each.")
    .summary("run expiry, reminders and referral payouts now")
    .addHelpText("after", examples("rapport loyalty sweep"))
    .action(async () => {
      await withApp(async (app) => {
        process.stdout.write(`${JSON.stringify(await app.sweeper.tick())}\n`);
        await app.engine.idle();
      });
      done(0);
    });

  const referrals = program.command("referrals").description("Referral rewards held for review.");
  referrals.command("held")
    .description("List referrals held for review (a burst of sign-ups on one code, a friend who never wrote again), oldest first.")
    .summary("referrals held for review")
    .addHelpText("after", examples("rapport referrals held"))
    .action(async () => {
      done(await withDatabase(async (db) => (await import("./referralsReview")).runReferralsHeld(db, process.stdout)));
    });
  referrals.command("review")
    .description("Decide a held referral: approve pays the referrer; reject refuses it (and takes back a reward already paid, by a ledger entry).")
    .summary("approve or reject a held referral")
    .argument("<id>", "the referral's id (from `rapport referrals held`)")
    .addArgument(new Argument("<decision>", "approve or reject").choices(["approve", "reject"]))
    .addHelpText("after", examples("rapport referrals review 0mxb3k2a10000 approve"))
    .action(async (id: string, decision: string) => {
      const [{ runReferralsReview }, { REFERRALS }] = await Promise.all([import("./referralsReview"), import("../referrals/Referrals")]);
      done(await withApp((app) => runReferralsReview(app.services.get(REFERRALS), id, decision, process.stdout)));
    });

  const tickets = program.command("tickets")
    .description("The support queue, oldest first: tickets waiting for a person or being handled. Works without Slack; teams without Slack also claim, reply, resolve and hand back here (the running bot delivers to the customer).")
    .summary("the support queue (--all with closed ones, --json for machines)")
    .option("--all", "closed tickets too (newest 200)")
    .option("--json", "print JSON")
    .addHelpText("after", examples("rapport tickets", "rapport tickets --all --json", "rapport tickets reply 0mxb3k2a1 'Your parcel left today.' --as alice"))
    .action(async (opts: { all?: boolean; json?: boolean }) => {
      done(await withReader(async (db) => (await import("./tickets")).runTickets(db, { all: Boolean(opts.all), json: Boolean(opts.json) }, process.stdout)));
    });
  const ticketAction = (name: "claim" | "reply" | "resolve" | "hand-back", description: string, summary: string, example: string) => tickets.command(name)
    .description(`${description} Recorded in the contact history as operator:<name>.`)
    .summary(summary)
    .argument("<id>", "the ticket's id, or enough of its start to be unique (from `rapport tickets`)")
    .addOption(asOption())
    .addHelpText("after", examples(example));
  ticketAction("claim", "Take a ticket: it is yours in `rapport tickets` and the reports.", "take a ticket (without Slack)", "rapport tickets claim 0mxb3k2a1 --as alice")
    .action(async (id: string, opts: { as?: string }) => {
      done(await withApp(async (app) => (await import("./ticketActions")).runTicketClaim(app, id, opts.as, process.stdout)));
    });
  ticketAction("reply", "Send the customer a message, as a reply in the ticket's Slack thread would be: stored, then delivered by the running bot (npm start), retried until it arrives. Replying to an unclaimed ticket claims it.", "reply to the customer (without Slack)", "rapport tickets reply 0mxb3k2a1 'It ships tomorrow.' --as alice")
    .argument("<text...>", "the message (quote it, or the words are joined with spaces)")
    .action(async (id: string, words: string[], opts: { as?: string }) => {
      done(await withApp(async (app) => (await import("./ticketActions")).runTicketReply(app, id, words.join(" "), opts.as, process.stdout)));
    });
  ticketAction("resolve", "Close the ticket as resolved: the customer is told in their language, the bot has the chat again, and the satisfaction survey follows.", "resolve a ticket (without Slack)", "rapport tickets resolve 0mxb3k2a1")
    .action(async (id: string, opts: { as?: string }) => {
      done(await withApp(async (app) => (await import("./ticketActions")).runTicketClose(app, id, "resolved", opts.as, process.stdout)));
    });
  ticketAction("hand-back", "Give the chat back to the bot without resolving the ticket; the customer is told.", "hand the chat back to the bot (without Slack)", "rapport tickets hand-back 0mxb3k2a1")
    .action(async (id: string, opts: { as?: string }) => {
      done(await withApp(async (app) => (await import("./ticketActions")).runTicketClose(app, id, "handed_back", opts.as, process.stdout)));
    });

  const ideas = program.command("ideas")
    .description("The ideas board, most votes first: id, status, votes and text. Without --all only what customers still see (open and planned).")
    .summary("customers' ideas by votes")
    .option("--all", "done and declined ideas too")
    .addHelpText("after", examples("rapport ideas", "rapport ideas mark 0mxb3k2a1 planned"))
    .action(async (opts: { all?: boolean }) => {
      done(await withDatabase(async (db) => (await import("./ideas")).runIdeasList(db, process.stdout, { all: Boolean(opts.all) })));
    });
  ideas.command("mark")
    .description("Record a decision on an idea; its author and voters are told in their language by the running bot.")
    .summary("mark an idea planned, done or declined (tells the voters)")
    .argument("<id>", "the idea's id (from `rapport ideas`)")
    .addArgument(new Argument("<status>", "the decision").choices(["planned", "done", "declined"]))
    .addHelpText("after", examples("rapport ideas mark 0mxb3k2a1 planned"))
    .action(async (id: string, status: string) => {
      const [{ runIdeasMark }, { IDEAS }] = await Promise.all([import("./ideas"), import("../feedback/Ideas")]);
      done(await withApp((app) => runIdeasMark(app.services.get(IDEAS), id, status, process.stdout)));
    });

  ideas.command("review")
    .description("Ideas held for review (a link, phone number, e-mail address or review word), oldest first with the reasons; or, with an id, approve one (customers see it from now on) or reject it (nobody else ever does).")
    .summary("ideas held for review; approve or reject one")
    .argument("[id]", "the idea's id (from `rapport ideas review`)")
    .addArgument(new Argument("[decision]", "the decision").choices(["approve", "reject"]))
    .option("--as <name>", "who you are in the audit log, as operator:<name> (default: your OS user name)")
    .addHelpText("after", examples("rapport ideas review", "rapport ideas review 0mxb3k2a1 approve"))
    .action(async (id: string | undefined, decision: string | undefined, opts: { as?: string }) => {
      const [{ runIdeasHeld, runIdeasReview }, { IDEAS }, { operatorOf }] = await Promise.all([import("./ideas"), import("../feedback/Ideas"), import("./ticketActions")]);
      done(await withApp((app) => (id === undefined ? runIdeasHeld(app.services.get(IDEAS), process.stdout) : runIdeasReview(app.services.get(IDEAS), id, decision, operatorOf(opts.as), process.stdout))));
    });

  const consoleUsers = program.command("console").description("The browser console at /console on PORT (flows, playground, contacts, reports, tickets).")
    .command("users").description("Who may sign in to the console, with a role: marketer (flows, playground, reports), support_lead (also contacts, exports and tickets) or admin (also erasing). Users in CONSOLE_USERS come from the settings instead.");
  consoleUsers.command("add")
    .description("Add a console user, or set an existing one's role and password. The password is read from the terminal (asked twice, not shown) or from the first line of piped input; at least 10 characters. Stored as a bcrypt hash only.")
    .summary("add a console user (or change their role and password)")
    .argument("<name>", "the user name to sign in with: letters, digits, . _ @ -")
    .addOption(new Option("--role <role>", "what they may do").choices(["marketer", "support_lead", "admin"]).makeOptionMandatory())
    .addHelpText("after", examples("rapport console users add alice --role admin", "printf '%s\\n' \"$PASSWORD\" | rapport console users add bob --role marketer"))
    .action(async (name: string, opts: { role: string }) => {
      const [{ runConsoleUsersAdd, readPassword }, { ConsoleUsers }] = await Promise.all([import("./consoleUsers"), import("../console/auth/ConsoleUsers")]);
      const password = await readPassword(process.stdin, process.stderr);
      done(await withDatabase((db, s) => runConsoleUsersAdd(new ConsoleUsers(db, s.consoleUsers), name, opts.role, password, process.stdout), { createDatabase: true }));
    });
  consoleUsers.command("list")
    .description("List console users: name, role, and (CONSOLE_USERS) for those defined in the settings. Never a password or hash.")
    .summary("list console users and their roles")
    .option("--json", "print JSON: { users: [{ name, role, source }] }")
    .addHelpText("after", examples("rapport console users list", "rapport console users list --json"))
    .action(async (opts: { json?: boolean }) => {
      const [{ runConsoleUsersList }, { ConsoleUsers }] = await Promise.all([import("./consoleUsers"), import("../console/auth/ConsoleUsers")]);
      done(await withDatabase((db, s) => runConsoleUsersList(new ConsoleUsers(db, s.consoleUsers), Boolean(opts.json), process.stdout)));
    });
  consoleUsers.command("remove")
    .description("Remove a console user added with `console users add`; their open sessions end at once.")
    .summary("remove a console user")
    .argument("<name>", "the user name")
    .addHelpText("after", examples("rapport console users remove bob"))
    .action(async (name: string) => {
      const [{ runConsoleUsersRemove }, { ConsoleUsers }] = await Promise.all([import("./consoleUsers"), import("../console/auth/ConsoleUsers")]);
      done(await withDatabase((db, s) => runConsoleUsersRemove(new ConsoleUsers(db, s.consoleUsers), name, process.stdout)));
    });
  consoleUsers.command("hash")
    .description("Print a bcrypt hash of a password, for CONSOLE_USERS (name:role:hash;…) when users are configured by environment. Reads the password like `add`; opens no database.")
    .summary("a password hash for CONSOLE_USERS")
    .addHelpText("after", examples("rapport console users hash", "printf '%s\\n' \"$PASSWORD\" | rapport console users hash"))
    .action(async () => {
      const { runConsoleUsersHash, readPassword } = await import("./consoleUsers");
      done(await runConsoleUsersHash(await readPassword(process.stdin, process.stderr), process.stdout));
    });

  program.command("audit")
    .description("Who did what, when, to which record: staff in Slack (agent:<id>), operators (operator:<name>), API keys (api:<name>), customers erasing themselves. Oldest first; without filters the last 200. Never message text.")
    .summary("the audit log: staff, operator and API actions")
    .option("--since <date>", "from this time: YYYY-MM-DD (UTC) or an ISO 8601 date-time with a zone")
    .option("--actor <actor>", "one actor (agent:U012AB3CD, operator:alice, api:shop), or all of a kind (agent:)")
    .option("--json", "print JSON: { entries: [{ id, at, actor, action, target, detail }] }")
    .addHelpText("after", examples("rapport audit", "rapport audit --since 2026-11-01 --actor agent:", "rapport audit --actor api:shop --json"))
    .action(async (opts: { since?: string; actor?: string; json?: boolean }) => {
      done(await withDatabase(async (db) => (await import("./audit")).runAudit(db.prisma, { since: opts.since, actor: opts.actor, json: Boolean(opts.json) }, process.stdout)));
    });

  program.command("events").description("Start flows for many customers.")
    .command("send")
    .description("Start the flow a named event triggers (e.g. nps.ask) for listed customers, a segment or everyone, as a one-off campaign: each gets it once, from the running bot, paced behind conversation replies; never who said /stop (consent is not required first: this is how it is asked), later for who is busy in another conversation, in quiet hours or over the frequency cap. Follow, pause or cancel it with rapport campaigns status|pause|cancel <the name it prints>. The event must be one a flow listens to; a send to more than 20 customers shows how many and needs --yes.")
    .summary("start a flow's event (an NPS survey) for contacts, a segment or --all")
    .argument("<event>", "the event, as a flow's trigger names it (event: nps.ask)")
    .option("--contact <contacts>", "contact ids or <channel>:<id>, comma-separated")
    .addOption(new Option("--segment <name>", "an RFM segment: champions, loyal, potential, at_risk, lost, needs_attention").conflicts(["contact"]))
    .addOption(new Option("--all", "every customer").conflicts(["contact", "segment"]))
    .option("--data <json>", "event data for the flow, a JSON object")
    .option("--yes", "send to more than 20 customers (without it, only the count is shown)")
    .addHelpText("after", examples("rapport events send nps.ask --segment at_risk", "rapport events send nps.ask --all --yes", "rapport events send nps.ask --contact telegram:123456,terminal:alice --data '{\"campaign\":\"nov\"}'"))
    .addOption(asOption())
    .action(async (event: string, opts: { contact?: string; segment?: string; all?: boolean; data?: string; yes?: boolean; as?: string }) => {
      const [{ runEventsSend }, { operatorOf }] = await Promise.all([import("./eventsSend"), import("./ticketActions")]);
      const contacts = (opts.contact ?? "").split(",").map((c) => c.trim()).filter(Boolean);
      done(await withApp((app) => runEventsSend(app, event, { contacts, segment: opts.segment, all: Boolean(opts.all) }, { data: opts.data, yes: Boolean(opts.yes), actor: operatorOf(opts.as) }, process.stdout)));
    });

  const campaigns = program.command("campaigns").description("Campaign files in flows/campaigns/<name>.yaml: who gets what, when (see README, Campaigns). Consent, the frequency cap and quiet hours apply; the running bot (npm start) delivers.")
    .summary("preview, send and follow campaigns (flows/campaigns/*.yaml)");
  const campaignAction = (name: string, description: string, summary: string, ...example: string[]) => campaigns.command(name)
    .description(description).summary(summary)
    .argument("<name>", "the campaign: its file's name in flows/campaigns/ without .yaml")
    .option("--json", "print JSON")
    .addHelpText("after", examples(...example));
  campaigns.command("lint")
    .description("Check every campaign file against the flow files and texts on disk (no database needed): file:line:col: message. Exit 1 when there are problems.")
    .summary("check campaign files: file:line:col: message")
    .addHelpText("after", examples("rapport campaigns lint"))
    .action(async () => {
      done((await import("./campaignsLint")).runCampaignsLint(settings(), process.stdout, process.stderr));
    });
  campaignAction("preview", "Who the campaign's audience is now and what would happen to each: sent now, later (frequency cap, quiet hours), or skipped (opted out, no consent, unreachable), and the split per variant. Nothing is sent.", "audience size and skips by reason; nothing sent", "rapport campaigns preview winback", "rapport campaigns preview winback --json")
    .action(async (name: string, opts: { json?: boolean }) => {
      const { runCampaignsPreview } = await import("./campaigns");
      done(await withApp((app) => runCampaignsPreview(app, name, Boolean(opts.json), process.stdout)));
    });
  campaignAction("send", "Hand the campaign to the running bot (npm start), which delivers it at its time, paced under the channel's limit, once per customer. Without --yes only the preview is shown.", "send a campaign (needs --yes)", "rapport campaigns send winback --yes", "rapport campaigns send winback")
    .option("--yes", "really send it (without it, only who it would reach is shown)")
    .addOption(asOption())
    .action(async (name: string, opts: { json?: boolean; yes?: boolean; as?: string }) => {
      const [{ runCampaignsSend }, { operatorOf }] = await Promise.all([import("./campaigns"), import("./ticketActions")]);
      done(await withApp((app) => runCampaignsSend(app, name, { yes: Boolean(opts.yes), json: Boolean(opts.json), actor: operatorOf(opts.as) }, process.stdout)));
    });
  campaignAction("status", "The campaign's report, also per variant: audience, sent, delivered, failed, blocked, waiting, skipped by reason, replied, opted out after it, and converted (a purchase within the window, with revenue and points).", "a campaign's report (--json for machines)", "rapport campaigns status winback", "rapport campaigns status winback --json")
    .action(async (name: string, opts: { json?: boolean }) => {
      const { runCampaignsStatus } = await import("./campaigns");
      done(await withApp((app) => runCampaignsStatus(app, name, Boolean(opts.json), process.stdout)));
    });
  for (const [action, description, summary] of [
    ["pause", "Stop sending a campaign for now; nothing is lost. Resume it with rapport campaigns resume.", "pause a campaign"],
    ["resume", "Go on sending a paused campaign where it stopped; nobody gets it twice.", "resume a paused campaign"],
    ["cancel", "Stop a campaign for good: nothing more goes out; who was waiting is counted as cancelled.", "cancel a campaign"],
  ] as const) {
    campaignAction(action, description, summary, `rapport campaigns ${action} winback`)
      .addOption(asOption())
      .action(async (name: string, opts: { json?: boolean; as?: string }) => {
        const [{ runCampaignsChange }, { operatorOf }] = await Promise.all([import("./campaigns"), import("./ticketActions")]);
        done(await withApp((app) => runCampaignsChange(app, name, action, { json: Boolean(opts.json), actor: operatorOf(opts.as) }, process.stdout)));
      });
  }

  program.command("rfm")
    .description("Recompute the RFM segments now (the running bot does it daily) and chart how many customers each holds, with the rules that name them.")
    .summary("recompute RFM segments now and chart their sizes")
    .option("--json", "print JSON: { scored, cleared, sizes }")
    .addHelpText("after", examples("rapport rfm", "rapport rfm --json"))
    .action(async (opts: { json?: boolean }) => {
      done(await withDatabase(async (db) => (await import("./rfm")).runRfm(db, { json: Boolean(opts.json) }, process.stdout)));
    });

  program.command("report")
    .description("NPS, CSAT (distribution and per agent), ticket first-response and resolution times, tickets per agent, loyalty points, referral conversion, segment sizes and product ratings (per sku, response rate, low ratings that reached support) for a period (default: the 30 days up to now). A day given to --to includes that whole day.")
    .summary("NPS, CSAT, support times, points, referrals, segments, product ratings")
    .option("--from <date>", "start: YYYY-MM-DD (UTC) or an ISO 8601 date-time with a zone")
    .option("--to <date>", "end, excluded; a day means the end of that day")
    .option("--json", "print the same JSON as GET /api/v1/report")
    .addHelpText("after", examples("rapport report", "rapport report --from 2026-11-01 --to 2026-11-30", "rapport report --from 2026-11-01T09:00:00+01:00 --json"))
    .action(async (opts: { from?: string; to?: string; json?: boolean }) => {
      done(await withReader(async (db) => (await import("./report")).runReport(db, { from: opts.from, to: opts.to, json: Boolean(opts.json) }, process.stdout)));
    });

  return program;
}
