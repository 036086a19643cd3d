#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { UnmaskError } from "../core/errors";
import { commands } from "./commands";
import type { CliCommand } from "./types";

const PROGRAM_DESCRIPTION = "unmask: show, measure and remove the face in head CT and MRI";

/**
 * Build the commander program for `unmask` from the command definitions. `exit.code` receives the
 * exit code of the command that ran. Exported so tests can walk every command's declared options.
 */
export function buildProgram(exit: { code: number } = { code: 0 }): Command {
  const program = new Command("unmask")
    .description(PROGRAM_DESCRIPTION)
    .usage("COMMAND [options]")
    .addHelpCommand(false)
    .showSuggestionAfterError(true);
  for (const c of commands) addCommand(program, c, exit);
  return program;
}

function addCommand(parent: Command, c: CliCommand, exit: { code: number }): void {
  const cmd = parent.command(c.name).summary(c.summary).description(c.summary);
  // Commander's own messages are rewritten as `INVALID_ARGUMENT: …` in main(): keep them off stderr here.
  cmd.exitOverride().configureOutput({ writeErr: () => {}, outputError: () => {} });
  cmd.allowExcessArguments(false);
  if (c.subcommands?.length) {
    for (const s of c.subcommands) addCommand(cmd, s, exit);
    return;
  }
  c.configure(cmd);
  cmd.action(async (...args: unknown[]) => {
    const self = args[args.length - 1] as Command;
    exit.code = await c.run(self.args, self.opts());
  });
}

/** Entry point of the `unmask` CLI: dispatch to a subcommand, print `CODE: message` on bad input. */
export async function main(argv: string[]): Promise<number> {
  const exit = { code: 0 };
  const program = buildProgram(exit);
  program.exitOverride().configureOutput({ writeErr: () => {}, outputError: () => {} });
  if (argv.length === 0) {
    process.stdout.write(program.helpInformation());
    return 1;
  }
  try {
    await program.parseAsync(argv, { from: "user" });
    return exit.code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.help" || e.code === "commander.version") return 0;
      const where = commandPath(program, argv);
      const msg = e.message.replace(/^error: /, "").replace(/'/g, "").replace(/\s*\n\s*/g, " ");
      process.stderr.write(`INVALID_ARGUMENT: ${where}: ${msg} (see ${where} --help)\n`);
      return 2;
    }
    if (e instanceof UnmaskError) {
      process.stderr.write(`${e.code}: ${e.message}\n`);
      return e.code === "INVALID_ARGUMENT" ? 2 : 1;
    }
    throw e;
  }
}

/** "unmask render" for the words of argv that name (sub)commands. */
function commandPath(program: Command, argv: string[]): string {
  const names = ["unmask"];
  let cur: Command | undefined = program;
  for (const a of argv) {
    const next: Command | undefined = cur?.commands.find((c) => c.name() === a);
    if (!next) break;
    names.push(a);
    cur = next;
  }
  return names.join(" ");
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    // Exit explicitly: model runtimes and the WebGL context keep handles open.
    (code) => { process.stdout.write("", () => process.exit(code)); },
    (e) => { process.stderr.write(`unmask: internal error: ${e?.stack ?? e}\n`); process.exitCode = 70; },
  );
}
