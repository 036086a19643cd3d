import type { CliCommand } from "../types";

/** Every `unmask` subcommand; each lives in its own file in this folder. */
export const commands: CliCommand[] = [];
