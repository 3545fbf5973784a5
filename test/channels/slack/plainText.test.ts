/**
 * Staff replies read as a customer should see them (src/channels/slack/plainText.ts): Slack's
 * escapes undone, links and mentions unwrapped to readable words.
 */
import { describe, expect, it } from "vitest";
import { plainText } from "../../../src/channels/slack/plainText";

describe("plainText", () => {
  it("leaves plain text unchanged", () => {
    expect(plainText("Your parcel ships today: 2 boxes, 1 letter!")).toBe("Your parcel ships today: 2 boxes, 1 letter!");
    expect(plainText("")).toBe("");
  });

  it("undoes Slack's &lt; &gt; &amp; escapes", () => {
    expect(plainText("a &lt; b &gt; c &amp; d")).toBe("a < b > c & d");
  });

  it("unescapes once: an escaped entity stays an entity", () => {
    expect(plainText("&amp;lt;")).toBe("&lt;");
    expect(plainText("&amp;amp;")).toBe("&amp;");
  });

  it("does not turn escaped brackets into a mention or link", () => {
    expect(plainText("&lt;@U123&gt; &lt;https://a.io|x&gt;")).toBe("<@U123> <https://a.io|x>");
  });

  it("shows a link labelled with its own address once", () => {
    expect(plainText("<https://a.io|a.io>")).toBe("a.io");
  });

  it("shows a link whose label is the full address once", () => {
    expect(plainText("<https://a.io/x|https://a.io/x>")).toBe("https://a.io/x");
  });

  it("keeps the address of a link with another label", () => {
    expect(plainText("<https://a.io/x|track it>")).toBe("track it (https://a.io/x)");
    expect(plainText("see <http://a.io/x|here>.")).toBe("see here (http://a.io/x).");
  });

  it("shows an unlabelled link as its address", () => {
    expect(plainText("<https://a.io>")).toBe("https://a.io");
  });

  it("unescapes & in a link's address", () => {
    expect(plainText("<https://a.io/?a=1&amp;b=2>")).toBe("https://a.io/?a=1&b=2");
  });

  it("shows an e-mail link as the address without mailto:", () => {
    expect(plainText("<mailto:a@b.c|a@b.c>")).toBe("a@b.c");
    expect(plainText("<mailto:a@b.c>")).toBe("a@b.c");
  });

  it("shows a user mention as its label, or the id without one", () => {
    expect(plainText("<@U123>")).toBe("U123");
    expect(plainText("<@U123|anna>")).toBe("anna");
  });

  it("shows a channel mention as its name", () => {
    expect(plainText("<#C1|support>")).toBe("support");
  });

  it("shows a special mention as its word", () => {
    expect(plainText("<!here>")).toBe("here");
  });

  it("handles several links and mentions in one message", () => {
    expect(plainText("Hi <@U1|anna>, see <https://a.io/t|tracking> &amp; <#C1|support>")).toBe("Hi anna, see tracking (https://a.io/t) & support");
  });
});
