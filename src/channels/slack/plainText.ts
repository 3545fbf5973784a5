/**
 * Slack message text as a customer should read it: Slack escapes `&`, `<` and `>` and wraps links
 * and mentions in angle brackets (`<https://x.io|x.io>`, `<mailto:a@b.c|a@b.c>`, `<@U123>`). Links
 * keep their address; a labelled link reads "label (address)" unless the label is the address (as
 * Slack writes a typed "a.io": `<http://a.io|a.io>`), which then reads as typed.
 */
export function plainText(slackText: string): string {
  return slackText
    .replace(/<((?:https?|mailto):[^|>]+)(?:\|([^>]+))?>/g, (_, url: string, label?: string) => {
      const bare = url.replace(/^mailto:/, "");
      const sameAsAddress = (l: string) => [bare, url, bare.replace(/^https?:\/\//, "")].some((a) => a.replace(/\/$/, "") === l.replace(/\/$/, ""));
      if (!label) return bare;
      return sameAsAddress(label) ? label : `${label} (${bare})`;
    })
    .replace(/<[@#!]([^|>]+)(?:\|([^>]+))?>/g, (_, id: string, label?: string) => label ?? id)
    .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}
