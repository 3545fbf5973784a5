import { RapportError } from "../core/errors";

/** A command line the CLI cannot act on; the message says what was wrong and what is accepted. */
export class UsageError extends RapportError {
  readonly code = "rapport_usage";
}

/** Parsed `--name value` / `--flag` options and positional arguments. */
export interface ParsedArgs {
  positional: string[];
  options: Map<string, string | true>;
}

/** Parses argv; `valued` lists the options that take a value. Unknown options are a UsageError. */
export function parseArgs(argv: string[], valued: string[], flags: string[]): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith("--")) { positional.push(a); continue; }
    const [name, inline] = a.slice(2).split("=", 2) as [string, string | undefined];
    if (valued.includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      options.set(name, value);
    } else if (flags.includes(name)) options.set(name, true);
    else throw new UsageError(`unknown option --${name}; accepted: ${[...valued, ...flags].map((o) => `--${o}`).join(", ") || "(none)"}`);
  }
  return { positional, options };
}
