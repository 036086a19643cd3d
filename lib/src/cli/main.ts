#!/usr/bin/env node
import { UnmaskError } from "../core/errors";
import { commands } from "./commands";

/** Entry point of the `unmask` CLI: dispatch to a subcommand, print `code: message` on bad input. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    const width = Math.max(...commands.map((c) => c.name.length));
    process.stdout.write(
      "unmask: show, measure and remove the face in head CT and MRI\n\nUsage: unmask COMMAND [options]\n\nCommands:\n" +
        commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join("\n") +
        "\n\nRun `unmask COMMAND --help` for a command's options.\n",
    );
    return name ? 0 : 1;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`unmask: unknown command "${name}" (try unmask --help)\n`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(cmd.usage.trimEnd() + "\n");
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof UnmaskError) {
      process.stderr.write(`${e.code}: ${e.message}\n`);
      return e.code === "INVALID_ARGUMENT" ? 2 : 1;
    }
    throw e;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    // Exit explicitly: model runtimes and the WebGL context keep handles open.
    (code) => { process.stdout.write("", () => process.exit(code)); },
    (e) => { process.stderr.write(`unmask: internal error: ${e?.stack ?? e}\n`); process.exitCode = 70; },
  );
}
