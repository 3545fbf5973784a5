import type { DataRights, EraseOutcome } from "../privacy/DataRights";
import type { ErasePlan } from "../privacy/eraseContact";

/**
 * `rapport contacts erase <contact> [--yes]`. Without --yes it prints what would happen and changes
 * nothing (exit 0); with it, erases (see DataRights.erase) and prints the pseudonymous id the
 * accounting rows now carry, and every Slack message that is still there, to remove by hand (exit 1
 * when any is left, so scripts notice).
 */
export async function runContactsErase(rights: DataRights, reference: string, yes: boolean, actor: string, out: NodeJS.WritableStream): Promise<number> {
  if (!yes) {
    const plan = await rights.plan(reference);
    printPlan(plan, out);
    out.write(`Nothing was changed. To erase, run again with --yes: rapport contacts erase ${reference} --yes\n`);
    return 0;
  }
  const outcome = await rights.erase(reference, actor);
  printOutcome(outcome, out);
  return outcome.staff.left.length > 0 ? 1 : 0;
}

function printPlan(plan: ErasePlan, out: NodeJS.WritableStream): void {
  out.write(`Erasing contact ${plan.contactId} will, in one transaction:\n`);
  for (const t of plan.tables.filter((x) => x.rows > 0)) {
    out.write(`  ${t.section.padEnd(16)} ${String(t.rows).padStart(6)}  ${t.action === "delete" ? "deleted" : "kept for accounting, without text or identifiers"}\n`);
  }
  out.write("  and move what is kept to a new pseudonymous id; their messages on any channel then start a new, empty contact.\n");
  const slack = plan.copies.reduce((n, c) => n + 1 + c.posted.length, 0);
  const staff = plan.copies.reduce((n, c) => n + c.staffReplies.length, 0);
  if (plan.copies.length > 0) out.write(`Then delete ${slack} Slack message(s) Rapport posted (${plan.copies.length} ticket card(s) and their thread messages); ${staff} staff repl${staff === 1 ? "y" : "ies"} in those threads must be removed by hand.\n`);
  out.write("This cannot be undone.\n");
}

function printOutcome(o: EraseOutcome, out: NodeJS.WritableStream): void {
  const rows = o.tables.reduce((n, t) => n + t.rows, 0);
  out.write(`erased: ${rows} rows; what accounting needs is kept under the pseudonymous contact ${o.pseudonym}\n`);
  if (o.staff.deleted.length + o.staff.redacted.length > 0) out.write(`Slack: ${o.staff.deleted.length} message(s) deleted, ${o.staff.redacted.length} blanked\n`);
  if (o.staff.left.length > 0) {
    out.write(`Still in Slack (${o.staff.left.length}); remove by hand:\n`);
    for (const l of o.staff.left) out.write(`  ${l.ref.channel} ${l.ref.ts}: ${l.reason}\n`);
  }
}
