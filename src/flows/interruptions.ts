import type { TriggerMatch } from "./FlowCatalog";
import { typeOf } from "./steps/ask";
import type { Answer, AnswerCheck } from "./types";

/**
 * What a message sent at an open question is (issue 12: "a conversation that never traps a
 * customer"). Commands are decided before this (they always interrupt); these rules cover presses
 * and typed text:
 * - a press of one of the question's buttons, or a typed button label, is the answer;
 * - a typed keyword of a flow (the whole message, in the customer's language or English) starts
 *   that flow and ends the one in progress, even where the text would be a valid answer: at a text
 *   question "operator" is a request, not a description of the problem;
 * - any other valid answer is the answer;
 * - free text (with a word in it) at a choice question is a digression: it goes to the fallback flow
 *   (the FAQ), which either answers and returns to the question, or takes the conversation over;
 *   "???" or a bare "2" is not a question for the FAQ, so it is asked again;
 * - anything else is invalid: asked again (`retry`), or passed on (`unmatched: pass`).
 * `interruptions: false` on the question turns keywords and digressions off: typed text is then an
 * answer or invalid, with one exception: the words of the flows that answer /cancel ("cancel") and
 * /stop ("stop", "unsubscribe": out of marketing, issue 15), so that a customer can always get out,
 * whatever the question. Types are not listed here
 * beyond "has buttons" and "is a choice", so a new question type follows these rules without a change.
 */
export type AtQuestion =
  | { kind: "answer"; value: unknown }
  | { kind: "interrupt"; match: TriggerMatch }
  | { kind: "digress" }
  | { kind: "invalid" };

/** The fields of an ask step the rules read (its spec as written in the flow file). */
export interface QuestionSpec {
  type?: string;
  choices?: unknown[];
  interruptions?: boolean;
  unmatched?: "pass";
}

/** What the runtime knows when a message arrives at an open question. */
export interface AtQuestionInput {
  question: QuestionSpec;
  answer: Answer;
  /** The question's own verdict on the answer (its step kind's `accept`). */
  check: AnswerCheck;
  /** The flow whose keyword the whole typed message is, if any. */
  keyword?: TriggerMatch;
  /** That flow is the one answering /cancel or /stop: its words interrupt even where interruptions are off. */
  keywordCancels?: boolean;
  /** A fallback flow (the FAQ) exists to digress to. */
  canDigress: boolean;
}

/** Decides what a message at an open question is; pure, so the rules are testable one by one. */
export function readAtQuestion({ question, answer, check, keyword, keywordCancels, canDigress }: AtQuestionInput): AtQuestion {
  const type = typeOf(question as never);
  const typed = answer.kind === "text";
  const open = typed && question.interruptions !== false;
  const buttons = type === "choice" || type === "rating";
  if (check.ok && (!typed || buttons)) return { kind: "answer", value: check.value };
  if (typed && keyword && (open || keywordCancels)) return { kind: "interrupt", match: keyword };
  if (check.ok) return { kind: "answer", value: check.value };
  if (open && type === "choice" && question.unmatched !== "pass" && canDigress && /\p{L}/u.test(answer.text)) return { kind: "digress" };
  return { kind: "invalid" };
}
