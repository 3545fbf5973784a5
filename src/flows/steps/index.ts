import type { StepKind } from "./defineStep";
import { action } from "./action";
import { ask } from "./ask";
import { branch } from "./branch";
import { end } from "./end";
import { goto } from "./goto";
import { returnStep } from "./return";
import { say } from "./say";
import { wait } from "./wait";

/** Every step kind, looked up by the YAML key that names it. Each module owns its own `kind`. */
export const stepKinds: ReadonlyMap<string, StepKind> = new Map(
  ([say, ask, branch, action, goto, end, returnStep, wait] as StepKind[]).map((k) => [k.kind, k]),
);

export type { StepKind } from "./defineStep";
