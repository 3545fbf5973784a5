import { recordAudit } from "../audit/record";
import type { Logger } from "../core/log";
import { ServiceKey } from "../core/services";
import type { Database } from "../db/Database";
import { withDbRetry } from "../db/retry";
import { resolveContactId } from "../history/timeline";
import type { StaffRef } from "../support/StaffDesk";
import { eraseContact, planErase, type ErasePlan } from "./eraseContact";
import { exportContact, type ContactExport } from "./exportContact";
import type { StaffRedactor } from "./StaffRedactor";

/** The data-rights service's key, for flow actions, the API and the CLI. */
export const DATA_RIGHTS = new ServiceKey<DataRights>("privacy.rights");

/** What an erase did: the pseudonym the accounting rows live on, rows per section, and the Slack copies. */
export interface EraseOutcome {
  pseudonym: string;
  tables: ErasePlan["tables"];
  staff: {
    deleted: StaffRef[];
    redacted: StaffRef[];
    /** Still there: remove these by hand (staff members' own replies, or calls that failed). */
    left: { ref: StaffRef; reason: string }[];
  };
}

/**
 * A person's rights over their data (issue 16): a copy of everything held about them, and erasure.
 * Both are recorded in the audit log with who asked. Used by `rapport contacts export|erase`, the API
 * (`/api/v1/contacts/<customer>/export|erase`) and the chat's `/forget_me`.
 */
export class DataRights {
  private redactor: StaffRedactor | undefined;

  constructor(private readonly db: Database, private readonly log: Logger) {}

  /** Where staff copies are removed from (Slack); without it, erasing lists every copy as left. */
  useStaffRedactor(redactor: StaffRedactor | undefined): void {
    this.redactor = redactor;
  }

  /** The export document for a contact (id or `<channel>:<external id>`); recorded as `contact.export`. */
  async export(reference: string, actor: string): Promise<ContactExport> {
    const contactId = await resolveContactId(this.db, reference);
    const doc = await exportContact(this.db.prisma, contactId);
    await withDbRetry(() => recordAudit(this.db.prisma, { actor, action: "contact.export", target: { type: "contact", id: contactId } }));
    this.log.info("contact exported", { contactId, actor });
    return doc;
  }

  /** What erasing would do, changing nothing (the CLI without --yes). */
  async plan(reference: string): Promise<ErasePlan> {
    return planErase(this.db.prisma, await resolveContactId(this.db, reference));
  }

  /** Erases a contact (see eraseContact), then removes the Slack copies; what could not be removed is listed. */
  async erase(reference: string, actor: string): Promise<EraseOutcome> {
    const contactId = await resolveContactId(this.db, reference);
    const { pseudonym, plan } = await eraseContact(this.db.prisma, contactId, actor);
    this.log.info("contact erased", { pseudonym, actor });
    const staff: EraseOutcome["staff"] = { deleted: [], redacted: [], left: [] };
    for (const copy of plan.copies) {
      if (!this.redactor) {
        const reason = "Slack is not configured in this process (SLACK_BOT_TOKEN); delete it by hand";
        for (const ref of [copy.card, ...copy.posted, ...copy.staffReplies]) staff.left.push({ ref, reason });
        continue;
      }
      try {
        const removed = await this.redactor.removeTicket(copy.card, copy.posted);
        staff.deleted.push(...removed.deleted);
        staff.redacted.push(...removed.redacted);
        staff.left.push(...removed.left);
      } catch (error) {
        staff.left.push({ ref: copy.card, reason: `${this.redactor.name}: ${(error as Error).message}` });
      }
    }
    if (staff.left.length > 0) this.log.warn("erase: staff copies left in place; remove them by hand", { pseudonym, left: staff.left.map((l) => `${l.ref.channel}/${l.ref.ts}`) });
    return { pseudonym, tables: plan.tables, staff };
  }
}
