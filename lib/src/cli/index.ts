/**
 * The `unmask` command line as a library: {@link main} runs it on an argument list and resolves to
 * the exit code; {@link buildProgram} returns the commander program (every command with its declared
 * arguments and options) for tools that generate docs or check the help.
 * @module
 */
export { main, buildProgram } from "./main";
export type { CliCommand } from "./types";
