import type { CliCommand } from "../types";
import { command as info } from "./info";
import { command as render } from "./render";
import { command as detect } from "./detect";
import { command as compare } from "./compare";
import { command as surface } from "./surface";
import { command as match } from "./match";
import { command as view } from "./view";
import { command as convert } from "./convert";
import { command as deidentify } from "./deidentify";
import { command as experiment } from "./experiment";
import { command as observer } from "./observer";
import { command as audit } from "./audit";
import { command as deface } from "./deface";
import { command as worker } from "./worker";
import { command as mask } from "./mask";

/** Every `unmask` subcommand; each lives in its own file in this folder. */
export const commands: CliCommand[] = [
  info,
  render,
  detect,
  compare,
  surface,
  match,
  view,
  convert,
  deidentify,
  experiment,
  observer,
  deface,
  audit,
  worker,
  mask,
];
