import { newId } from "../core/ids";
import { RapportError } from "../core/errors";
import { ServiceKey } from "../core/services";
import type { Database } from "../db/Database";
import type { Tx } from "../db/lockContact";
import { isUniqueViolation } from "../db/retry";
import { recordInteraction } from "../history/recordInteraction";

/** The surveys Rapport runs and their scales: CSAT 1-5 after support, NPS 0-10. */
export const SURVEY_SCALES = { csat: { min: 1, max: 5 }, nps: { min: 0, max: 10 } } as const;

/** A survey Rapport knows. */
export type SurveyName = keyof typeof SURVEY_SCALES;

/** One answer to store. `key` makes a retried turn store it once. */
export interface SurveyAnswer {
  survey: SurveyName;
  score: number;
  comment?: string | null;
  ticketId?: string | null;
  agent?: string | null;
  key: string;
  /** Runs in the transaction that stores the answer, before commit (a flow action stores its own answer with it). */
  within?: (tx: Tx) => Promise<void>;
}

/** A score outside the survey's scale (a flow passing the wrong variable). */
export class SurveyScoreError extends RapportError {
  readonly code = "rapport_survey_score";
  constructor(survey: SurveyName, score: unknown) {
    super(`${survey} takes a whole score from ${SURVEY_SCALES[survey].min} to ${SURVEY_SCALES[survey].max}, got ${JSON.stringify(score)}`);
  }
}

/** NPS groups: promoters 9-10, passives 7-8, detractors 0-6. */
export function npsGroup(score: number): "promoter" | "passive" | "detractor" {
  return score >= 9 ? "promoter" : score >= 7 ? "passive" : "detractor";
}

/**
 * Survey answers (CSAT, NPS): stored once per survey run with the rated ticket and agent, and in the
 * contact history in the same transaction, where reports and the contact's timeline read them.
 */
export class Surveys {
  constructor(private readonly db: Database) {}

  /** Stores an answer; returns false when this run's answer was stored before. */
  async record(contactId: string, a: SurveyAnswer): Promise<boolean> {
    const { min, max } = SURVEY_SCALES[a.survey];
    if (!Number.isInteger(a.score) || a.score < min || a.score > max) throw new SurveyScoreError(a.survey, a.score);
    const comment = a.comment?.trim() ? a.comment.trim().slice(0, 2000) : null;
    try {
      await this.db.prisma.$transaction(async (tx) => {
        await tx.surveyResponse.create({ data: { id: newId(), contactId, survey: a.survey, score: a.score, comment, ticketId: a.ticketId || null, agent: a.agent || null, idempotencyKey: a.key } });
        await recordInteraction(tx, contactId, {
          direction: "event", kind: `survey.${a.survey}`, actor: "customer", text: comment ?? undefined,
          data: { score: a.score, ...(a.survey === "nps" ? { group: npsGroup(a.score) } : {}), ticketId: a.ticketId || null, agent: a.agent || null },
        });
        await a.within?.(tx as never);
      });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }
}

/** The surveys service key, for flow actions. */
export const SURVEYS = new ServiceKey<Surveys>("feedback.surveys");
