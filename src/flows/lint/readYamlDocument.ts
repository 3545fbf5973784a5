import { LineCounter, parseDocument, type Document } from "yaml";
import type { FlowProblem } from "../../core/errors";
import type { Position } from "../types";
import { positionOf } from "../loadFlowFile";
import { yamlSyntaxProblems } from "./yamlProblems";

/** A YAML file parsed for linting: the document and the ways to point at a place in it. */
export interface YamlDocument {
  doc: Document;
  /** Problems so far (YAML syntax first); callers add their own through `report`. */
  problems: FlowProblem[];
  report(at: Position, message: string): void;
  /** line:col of a character offset in the source. */
  posOf(offset: number | undefined): Position;
  /** Where the value (or, for `keyAt`, the key) at `path` is, or the nearest place above it. */
  nodeAt(path: (string | number)[]): Position;
  keyAt(path: (string | number)[]): Position;
}

/**
 * Parses a flow or campaign file with positions and reports YAML syntax problems in a marketer's
 * words; flows and campaigns share it so both point at file:line:col the same way.
 */
export function readYamlDocument(file: string, source: string): YamlDocument {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problems: FlowProblem[] = [];
  const posOf = (offset: number | undefined): Position => {
    const p = lines.linePos(offset ?? 0);
    return { line: p.line, col: p.col };
  };
  const report = (at: Position, message: string) => { problems.push({ file, line: at.line, col: at.col, message }); };
  for (const p of yamlSyntaxProblems(source, doc.errors, lines)) report(p, p.message);
  return {
    doc, problems, report, posOf,
    nodeAt: (path) => positionOf(doc, path, posOf, false),
    keyAt: (path) => positionOf(doc, path, posOf, true),
  };
}
