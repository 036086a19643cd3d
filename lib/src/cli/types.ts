import type { Command } from "commander";

/**
 * One `unmask` subcommand. `configure` declares its arguments, options and long description on a
 * commander Command (so `--help` is generated from the same definition the parser uses); `run` gets
 * the parsed positionals and options (camelCase keys) and returns the process exit code.
 */
export interface CliCommand {
  name: string;
  /** One line for `unmask --help`. */
  summary: string;
  /** Declare arguments and options: `cmd.argument("<dir>").option("-o, --output <file>", "…")`. */
  configure(cmd: Command): void;
  /** Run with commander's positionals (strings) and options; returns the exit code. */
  run(positionals: string[], options: Record<string, any>): Promise<number>;
  /** A command group (`unmask mask simulate`): its subcommands; `configure`/`run` of the group are unused. */
  subcommands?: CliCommand[];
}
