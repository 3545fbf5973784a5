import type { Translator } from "../../i18n/Translator";
import { SUPPORTED_LOCALES } from "../../i18n/locales";
import { html, type Raw } from "../http/html";

/** A table of translation keys in every supported language (plural forms on their own lines; missing ones marked). */
export function textsTable(keys: readonly string[], translator: Translator): Raw {
  return html`<table class="texts"><caption>Texts in every language</caption><thead><tr><th scope="col">Key</th>${SUPPORTED_LOCALES.map((l) => html`<th scope="col">${l}</th>`)}</tr></thead><tbody>
${keys.map((k) => html`<tr><th scope="row"><code>${k}</code></th>${SUPPORTED_LOCALES.map((l) => {
    const forms = translator.forms(l, k);
    return html`<td lang="${l}">${forms.length === 0 ? html`<em class="bad">missing</em>` : forms.map((x, n) => html`${n > 0 ? html`<br>` : ""}${forms.length > 1 ? html`<small>${x.key.split("_").pop()}:</small> ` : ""}${x.text}`)}</td>`;
  })}</tr>`)}
</tbody></table>`;
}
