import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { ROOT } from "./paths";

const run = promisify(execFile);
/** The CLI's entry point as users run it (`npx unmask` links to it). */
export const CLI = path.join(ROOT, "lib", "bin", "unmask.js");

/** Run `unmask ARGS…` in a child process; never throws on a non-zero exit, returns it. */
export async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [CLI, ...args], { maxBuffer: 64 << 20, timeout: 300_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}
