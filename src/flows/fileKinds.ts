import type { FlowProblem } from "../core/errors";
import type { Translator } from "../i18n/Translator";

/** A flow file's path and text, as read from disk or given by a test. */
export interface FlowSource {
  file: string;
  source: string;
  /** When the file was last changed (ms since 1970); lint blames the newer of two clashing files. */
  modifiedAt?: number;
}

/**
 * A kind of file that lives in flows/ beside the flows but is not one (the loyalty rules in
 * `flows/loyalty.yaml`). Its domain registers it, so marketers edit and lint it like a flow, and
 * the flow loader passes it over, without flows/ importing the domain.
 */
export interface FlowDirFileKind {
  name: string;
  /** True when this file is of this kind (by its top-level key, say). */
  claims(source: FlowSource): boolean;
  /** Every problem in the file, positioned like flow problems. */
  lint(source: FlowSource, translator: Translator): FlowProblem[];
}

const kinds: FlowDirFileKind[] = [];

/** Registers a file kind; domains call this from their own folder. */
export function registerFileKind(kind: FlowDirFileKind): void {
  if (!kinds.some((k) => k.name === kind.name)) kinds.push(kind);
}

/** The kind that claims a file, or undefined for a flow. */
export function fileKindOf(source: FlowSource): FlowDirFileKind | undefined {
  return kinds.find((k) => k.claims(source));
}
