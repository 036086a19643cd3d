/** One `unmask` subcommand. `run` returns the process exit code. */
export interface CliCommand {
  name: string;
  /** One line for `unmask --help`. */
  summary: string;
  /** Full usage text for `unmask NAME --help`. */
  usage: string;
  run(args: string[]): Promise<number>;
}
