import { CommanderError, type Command } from "commander";
import { suggest } from "../flows/suggest";
import { buildProgram } from "./program";
import { UsageError } from "./UsageError";

/**
 * Runs the CLI with `argv` (without node and script); returns the exit status. A command line that
 * cannot run throws UsageError (exit 2) after nothing was done; help (`--help`, `help`, no command at
 * all) prints and returns 0 without reading settings or opening the database.
 */
export async function main(argv: string[]): Promise<number> {
  let status = 0;
  const program = buildProgram((code) => { status = code; });
  const commands = allCommands(program);
  for (const cmd of commands) cmd.exitOverride((error) => { throw Object.assign(error, { command: cmd }); });
  program.configureHelp({ formatHelp: () => rootHelp(program, commands) });
  try {
    await program.parseAsync(argv.length === 0 ? ["help"] : argv, { from: "user" });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.exitCode === 0) return 0; // help was asked for and printed
    throw usageError(error, (error as CommanderError & { command?: Command }).command ?? program);
  }
  return status;
}

/** The program and every command under it. */
function allCommands(cmd: Command): Command[] {
  return [cmd, ...cmd.commands.flatMap(allCommands)];
}

/** `tickets claim`: a command's words after `rapport`. */
function pathOf(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/** Commander's refusal in Rapport's words: what was wrong, the closest name, where the usage is. */
function usageError(error: CommanderError, cmd: Command): UsageError {
  const path = pathOf(cmd);
  const see = `\n  see: rapport ${path ? `${path} ` : ""}--help`;
  if (error.code === "commander.help") return new UsageError(`${path || "rapport"} needs a command: ${cmd.commands.map((c) => c.name()).filter((n) => n !== "help").join(", ")}${see}`);
  if (error.code === "commander.excessArguments") {
    const extra = cmd.args.slice(cmd.registeredArguments.length);
    const subcommands = cmd.commands.map((c) => c.name()).filter((n) => n !== "help");
    if (subcommands.length > 0 && cmd.registeredArguments.length === 0) {
      const hint = suggest(extra[0]!, subcommands);
      return new UsageError(`unknown command "${path} ${extra[0]}"${hint ? `; did you mean "${path} ${hint}"?` : `; ${path} has ${subcommands.join(", ")}`}${see}`);
    }
    return new UsageError(`${path} takes ${cmd.registeredArguments.length === 0 ? "no arguments" : `at most ${cmd.registeredArguments.length}`}; unexpected: ${extra.map((a) => JSON.stringify(a)).join(" ")}${see}`);
  }
  const message = error.message.replace(/^error: /, "").replace(/\.?\n\(Did you mean (.*)\?\)$/, "; did you mean $1?");
  return new UsageError(`${message}${see}`);
}

/** `rapport --help`: every runnable command with its arguments and options, one line each. */
function rootHelp(program: Command, commands: Command[]): string {
  // A command that only groups others (flows, contacts) has no arguments or options of its own.
  const runnable = commands.filter((c) => c !== program && c.name() !== "help"
    && (c.commands.every((s) => s.name() === "help") || c.registeredArguments.length > 0 || c.options.length > 0));
  const rows = runnable.map((c) => {
    const args = c.registeredArguments.map((a) => (a.required ? `<${a.name()}${a.variadic ? "..." : ""}>` : `[${a.name()}${a.variadic ? "..." : ""}]`));
    const options = c.options.map((o) => `[${o.flags}]`);
    return [[pathOf(c), ...args, ...options].join(" "), c.summary() || c.description()] as const;
  });
  rows.push(["help [command]", "show a command's options and examples (also: rapport <command> --help)"]);
  const width = 40;
  const lines = rows.map(([term, text]) => (term.length < width ? `  ${term.padEnd(width)}${text}` : `  ${term}\n  ${" ".repeat(width)}${text}`));
  return `Usage: rapport <command> [options]\n\n${program.description()}\n\nCommands:\n${lines.join("\n")}\n`;
}
