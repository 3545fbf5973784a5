import type { App } from "../../app/createApp";
import { isPlaygroundVisitor } from "../../channels/webchat/visitor";
import { sendJson } from "../../http/server";
import { timeline } from "../../history/timeline";
import { SUPPORTED_LOCALES } from "../../i18n/locales";
import { triggerLabel } from "../diagram/flowGraph";
import type { ConsolePage } from "../http/consoleRoutes";
import { html } from "../http/html";
import { page } from "../http/layout";
import { sendHtml } from "../http/respond";

/**
 * The playground: the web chat widget itself, inline, as a test customer (`webchat:pg-…`), in any
 * language, with buttons as buttons; beside it the conversation's variables and the newest history
 * rows, refreshed after every message. Reset forgets the test customer (the next message starts a
 * new one); "Start at" begins any flow, also one no command starts.
 */
export function playgroundPages(app: App): ConsolePage[] {
  const contactOf = async (visitor: string) => {
    if (!isPlaygroundVisitor(visitor)) return undefined; // only test customers: never a real visitor's chat
    const identity = await app.db.prisma.channelIdentity.findUnique({ where: { channel_externalId: { channel: "webchat", externalId: visitor } } });
    return identity?.contactId;
  };
  return [
    {
      method: "GET", pattern: /^\/console\/playground$/, needs: "playground", what: "use the playground",
      handle({ res, url, session }) {
        const locale = (SUPPORTED_LOCALES as readonly string[]).includes(url.searchParams.get("locale") ?? "") ? url.searchParams.get("locale")! : "en";
        const flows = app.catalog.all().sort((a, b) => a.id.localeCompare(b.id));
        const body = html`
<form class="row" method="get" action="/console/playground" id="locale-form">
  <p><label for="locale">Language of the test customer</label><br>
  <select id="locale" name="locale">${SUPPORTED_LOCALES.map((l) => html`<option value="${l}"${l === locale ? html` selected` : ""}>${l}</option>`)}</select></p>
  <p><button type="submit" class="secondary">Use this language (new test customer)</button></p>
</form>
<div class="row">
  <p><label for="start-flow">Start at</label><br>
  <select id="start-flow">${flows.map((f) => {
    const command = f.triggers.find((t) => t.command && !t.payload)?.command;
    return html`<option value="${f.id}" data-command="${command ?? ""}">${f.id}${f.triggers.length > 0 ? ` (${f.triggers.map(triggerLabel).join(", ")})` : ""}</option>`;
  })}</select></p>
  <p><button type="button" id="start-button">Start this flow</button> <button type="button" id="reset-button" class="secondary">Reset</button></p>
</div>
<div class="grid2">
  <div id="playground-chat" data-locale="${locale}"></div>
  <div>
    <h2>Variables</h2>
    <p id="pg-position" class="hint">No conversation yet.</p>
    <pre class="vars" id="pg-vars" tabindex="0" role="region" aria-label="Variables of the conversation">{}</pre>
    <h2>History</h2>
    <table class="timeline" id="pg-history"><caption>Newest history rows of the test customer</caption><thead><tr><th scope="col">Time</th><th scope="col">Kind</th><th scope="col">Flow / step</th><th scope="col">Text</th></tr></thead><tbody></tbody></table>
  </div>
</div>
<script src="/webchat/widget.js" data-target="#playground-chat" data-title="Playground" data-locale="${locale}" data-token-prefix="pg." data-storage-key="rapport-playground-${session.user}-${locale}" defer></script>`;
        sendHtml(res, 200, page("Playground", session, body, "/console/playground", ["/console/assets/playground.js"]));
      },
    },
    {
      method: "GET", pattern: /^\/console\/api\/playground\/state$/, needs: "playground", what: "use the playground",
      async handle({ res, url }) {
        const contactId = await contactOf(url.searchParams.get("visitor") ?? "");
        if (!contactId) return sendJson(res, 200, { flow: null, step: null, variables: {}, history: [] });
        const state = await app.db.prisma.conversationState.findUnique({ where: { contactId } });
        const history = await timeline(app.db, contactId, 25);
        sendJson(res, 200, {
          flow: state?.flowId ? `${state.flowId}@${state.flowVersion}` : null,
          step: state?.stepId ?? null,
          variables: state ? JSON.parse(state.variables) as unknown : {},
          history: history.reverse().map((h) => ({ at: h.at, kind: `${h.direction} ${h.kind}`, where: [h.flow, h.step].filter(Boolean).join(" / "), text: h.text ?? "" })),
        });
      },
    },
    {
      method: "POST", pattern: /^\/console\/api\/playground\/start$/, needs: "playground", what: "use the playground",
      async handle({ res, form }) {
        const flowId = form.get("flow") ?? "";
        const contactId = await contactOf(form.get("visitor") ?? "");
        if (!app.catalog.current(flowId)) return sendJson(res, 404, { error: "unknown_flow", message: `no flow "${flowId}" is served` });
        if (!contactId) return sendJson(res, 409, { error: "no_test_customer", message: "say something in the chat first, so the test customer exists" });
        const visitor = form.get("visitor")!;
        const result = await app.engine.startFlow(contactId, flowId, { channel: "webchat", externalChatId: visitor, externalUserId: visitor });
        sendJson(res, 200, { result });
      },
    },
  ];
}
