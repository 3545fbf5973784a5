import type { ConsoleSession } from "../auth/sessions";
import { can, type ConsolePermission } from "../auth/roles";
import { html, type Raw } from "./html";

const NAV: { path: string; label: string; needs: ConsolePermission }[] = [
  { path: "/console/flows", label: "Flows", needs: "flows" },
  { path: "/console/playground", label: "Playground", needs: "playground" },
  { path: "/console/contacts", label: "Contacts", needs: "contacts" },
  { path: "/console/reports", label: "Reports", needs: "reports" },
  { path: "/console/tickets", label: "Tickets", needs: "tickets" },
];

/**
 * A whole console page: navigation for what the user's role allows, the user and a sign-out button,
 * then `body`. The CSRF token is in a meta tag for the console's script (fetch requests send it as
 * X-CSRF-Token) and in every form as a hidden field.
 */
export function page(title: string, session: ConsoleSession | undefined, body: Raw, active?: string, scripts: string[] = []): Raw {
  const nav = session ? NAV.filter((n) => can(session.role, n.needs)) : [];
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Rapport console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/console/assets/console.css">
${session ? html`<meta name="csrf-token" content="${session.csrfToken}">` : ""}
<script src="/console/assets/console.js" defer></script>
${scripts.map((s) => html`<script src="${s}" defer></script>`)}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <span class="brand">Rapport console</span>
  ${nav.length > 0 ? html`<nav aria-label="Console sections"><ul>${nav.map((n) => html`<li><a href="${n.path}"${active === n.path ? html` aria-current="page"` : ""}>${n.label}</a></li>`)}</ul></nav>` : ""}
  ${session ? html`<form class="who" method="post" action="/console/sign-out">${csrfField(session)}<span>${session.user} (${session.role.replace("_", " ")})</span> <button type="submit">Sign out</button></form>` : ""}
</header>
<main id="main">
<h1>${title}</h1>
${body}
</main>
</body>
</html>`;
}

/** The hidden CSRF field every console form carries. */
export function csrfField(session: ConsoleSession): Raw {
  return html`<input type="hidden" name="_csrf" value="${session.csrfToken}">`;
}
