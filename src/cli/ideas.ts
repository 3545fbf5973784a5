import type { Database } from "../db/Database";
import { IDEA_DECISIONS, type IdeaDecision, type Ideas } from "../feedback/Ideas";
import { UsageError } from "./UsageError";
import { operatorOf } from "./ticketActions";

const MARK_USAGE = `usage: rapport ideas mark <idea id> ${IDEA_DECISIONS.join("|")}`;

/**
 * `rapport ideas [--all]`: the ideas board for staff, most votes first: id, status, votes and text
 * (one line each, long texts cut). Without --all only what customers still see (open and planned).
 */
export async function runIdeasList(db: Database, out: NodeJS.WritableStream, options: { all?: boolean } = {}): Promise<number> {
  const rows = await db.prisma.idea.findMany({
    where: options.all ? {} : { status: { in: ["open", "planned"] } },
    orderBy: [{ votes: "desc" }, { createdAt: "asc" }, { id: "asc" }],
  });
  const idWidth = Math.max(2, ...rows.map((r) => r.id.length));
  out.write(`${"id".padEnd(idWidth)}  ${"status".padEnd(8)}  ${"votes".padStart(5)}  text\n`);
  for (const r of rows) {
    const chars = [...r.text];
    const text = chars.length > 80 ? `${chars.slice(0, 79).join("")}…` : r.text;
    out.write(`${r.id.padEnd(idWidth)}  ${r.status.padEnd(8)}  ${String(r.votes).padStart(5)}  ${text}\n`);
  }
  out.write(`${rows.length} idea${rows.length === 1 ? "" : "s"}${options.all ? "" : " open or planned (--all shows done and declined too)"}\n`);
  return 0;
}

/**
 * `rapport ideas mark <id> planned|done|declined`: records staff's decision; the author and every
 * voter are told in their language (flows/idea-update.yaml). Prints how many were told.
 */
export async function runIdeasMark(ideas: Ideas, id: string | undefined, status: string | undefined, out: NodeJS.WritableStream): Promise<number> {
  if (!id || !status) throw new UsageError(MARK_USAGE);
  if (!(IDEA_DECISIONS as readonly string[]).includes(status)) throw new UsageError(`unknown status "${status}"; ${MARK_USAGE}`);
  const told = await ideas.mark(id, status as IdeaDecision, operatorOf(undefined));
  out.write(`idea ${id}: ${status}; ${told} ${told === 1 ? "person" : "people"} told\n`);
  return 0;
}

/** `rapport ideas review`: ideas held for review, oldest first, with why (link, phone, email, word). */
export async function runIdeasHeld(ideas: Ideas, out: NodeJS.WritableStream): Promise<number> {
  const held = await ideas.held();
  for (const h of held) out.write(`${h.id}  ${h.createdAt.toISOString()}  [${h.reasons.join(", ")}]  ${h.text}\n`);
  out.write(`${held.length} idea${held.length === 1 ? "" : "s"} waiting for review${held.length > 0 ? "; decide with: rapport ideas review <id> approve|reject" : ""}\n`);
  return 0;
}

/** `rapport ideas review <id> approve|reject`: approved ideas are listed for everyone; rejected ones never are. */
export async function runIdeasReview(ideas: Ideas, id: string | undefined, decision: string | undefined, actor: string, out: NodeJS.WritableStream): Promise<number> {
  if (!id || (decision !== "approve" && decision !== "reject")) throw new UsageError("usage: rapport ideas review <idea id> approve|reject (rapport ideas review lists them)");
  const status = await ideas.review(id, decision === "approve", actor);
  out.write(`idea ${id}: ${status === "open" ? "approved; customers see it now" : "rejected; nobody else will see it"}\n`);
  return 0;
}
