import { z } from "zod";
import { registerAction } from "../../flows/actions/registry";
import { IDEA_TEXT, IDEAS, IdeaTextError } from "../Ideas";
import { cleanCustomerText } from "../moderation";

/** Long ideas are cut in the list (the full text stays stored); five of them still fit one message. */
const LIST_TEXT_MAX = 200;

/**
 * `ideas.propose`: stores the customer's idea (5–500 characters). A text of the wrong length is not
 * an error of the flow: it answers `{ ok: false, error: "too_short" | "too_long" }` so the flow can
 * ask again in the customer's language. Idempotent per step run (a retried turn stores one idea).
 * `held: true` means others will see it only after a person approved it (`rapport ideas review`).
 */
export const ideasPropose = registerAction({
  name: "ideas.propose",
  description: "Stores the customer's idea for others to vote on (held for review first when it has a link, phone number, e-mail address or review word); answers ok, ideaId, held, or error too_short / too_long.",
  returns: ["ok", "ideaId", "held", "duplicate", "error", "min", "max"],
  params: z.object({ text: z.string() }),
  effect: true, // a re-run of the turn answers as the first run did, not duplicate: true (issue 13)
  async run({ text }, ctx) {
    const answer = (idea: { id: string; duplicate: boolean; held: boolean }) => ({ ok: true, ideaId: idea.id, duplicate: idea.duplicate, held: idea.held });
    try {
      return answer(await ctx.services.get(IDEAS).propose(ctx.contact.id, text, ctx.stepKey, (tx, idea) => ctx.effect.store(tx, answer(idea))));
    } catch (error) {
      if (error instanceof IdeaTextError) return { ok: false, ideaId: null, error: error.reason, min: IDEA_TEXT.min, max: IDEA_TEXT.max };
      throw error;
    }
  },
});

/**
 * `ideas.top`: the most-voted open and planned ideas as ONE numbered text in the customer's language
 * ("1. text — 👍 12", with the customer's own and already-voted ideas marked), plus their `ids` in
 * list order: flows cannot make buttons per idea, so the customer answers with a number and
 * `ideas.vote` maps it back through `ids`.
 */
export const ideasTop = registerAction({
  name: "ideas.top",
  description: "Lists the most-voted open and planned ideas as one numbered text (list) with their ids, for ideas.vote.",
  returns: ["count", "list", "ids"],
  params: z.object({ limit: z.number().int().min(1).max(10).default(5) }).default({ limit: 5 }),
  async run({ limit }, ctx) {
    const ideas = await ctx.services.get(IDEAS).top(limit, ctx.contact.id);
    const lines = ideas.map((idea, i) => {
      const tags = [
        idea.status === "planned" ? ctx.t("ideas:tag.planned") : undefined,
        idea.own ? ctx.t("ideas:tag.own") : undefined,
        idea.votedByViewer ? ctx.t("ideas:tag.voted") : undefined,
      ].filter((t): t is string => t !== undefined);
      // Another customer's words: shown cleaned (no invisible or reordering characters), never trusted.
      const chars = [...cleanCustomerText(idea.text)];
      const text = chars.length > LIST_TEXT_MAX ? `${chars.slice(0, LIST_TEXT_MAX - 1).join("")}…` : chars.join("");
      return ctx.t("ideas:top.line", {
        n: i + 1, text, votes: idea.votes,
        tags: tags.length > 0 ? ctx.t("ideas:top.tags", { tags: tags.join(ctx.t("ideas:top.tag_separator")) }) : "",
      });
    });
    return { count: ideas.length, list: lines.join("\n"), ids: ideas.map((i) => i.id) };
  },
});

/**
 * `ideas.vote`: a vote for the idea at position `number` (1-based) of the list last shown, whose ids
 * the flow passes back (`ids: "{{vars.top.ids}}"`). A number outside the list answers `unknown`.
 * Answers `{ status: voted | already | own | closed | unknown, votes, number }`.
 */
export const ideasVote = registerAction({
  name: "ideas.vote",
  description: "Votes for the idea at a position of the list ideas.top showed; answers status (voted, already, own, closed, unknown) and votes.",
  returns: ["status", "votes", "number"],
  params: z.object({ number: z.number(), ids: z.array(z.string().min(1).max(64)).max(50) }),
  effect: true, // a re-run of the turn answers voted, not already (issue 13)
  async run({ number, ids }, ctx) {
    const id = Number.isInteger(number) && number >= 1 ? ids[number - 1] : undefined;
    if (!id) return { status: "unknown", votes: 0, number };
    return { ...(await ctx.services.get(IDEAS).vote(ctx.contact.id, id, ctx.stepKey, (tx, voted) => ctx.effect.store(tx, { ...voted, number }))), number };
  },
});
