import { html, type Raw } from "../http/html";
import { page } from "../http/layout";

/** The sign-in form; `problem` is shown above it (a wrong password, too many attempts). */
export function signInPage(next: string, problem?: string, insecure?: boolean): Raw {
  return page("Sign in", undefined, html`
${problem ? html`<p class="problem" role="alert" id="sign-in-problem">${problem}</p>` : ""}
${insecure ? html`<p class="problem" role="alert">This page was reached over plain HTTP by a name other than localhost, so the browser will not keep the session cookie (it is Secure). Serve the console over HTTPS, or try it at http://localhost.</p>` : ""}
<form method="post" action="/console/sign-in" class="card narrow">
  <input type="hidden" name="next" value="${next}">
  <p><label for="name">User name</label><br><input id="name" name="name" autocomplete="username" required autofocus></p>
  <p><label for="password">Password</label><br><input id="password" name="password" type="password" autocomplete="current-password" required></p>
  <p><button type="submit">Sign in</button></p>
</form>
<p class="hint">No user yet? On the server: <code>npx rapport console users add &lt;name&gt; --role admin</code>.</p>`);
}

/** A page saying the user's role does not allow what they asked for. */
export function forbiddenPage(session: Parameters<typeof page>[1], what: string): Raw {
  return page("Not allowed", session, html`<p role="alert">Your role (${session?.role.replace("_", " ")}) cannot ${what}. Ask an admin.</p>`);
}

/** A page for a path the console does not have. */
export function notFoundPage(session: Parameters<typeof page>[1], problem = "There is no such page."): Raw {
  return page("Not found", session, html`<p role="alert">${problem}</p>`);
}
