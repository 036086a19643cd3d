import type { CliCommand } from "../types";
import { command as info } from "./info";
import { command as render } from "./render";

/** Every `unmask` subcommand; each lives in its own file in this folder. */
export const commands: CliCommand[] = [
  info,
  render,
];
