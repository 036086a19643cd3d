import { InvalidArgumentError } from "../core/errors";

export { printJson, textTable } from "./format";

/** A numeric option value, or the default when absent; a non-number is an error naming the option. */
export function numberOption(value: unknown, name: string, dflt: number): number;
export function numberOption(value: unknown, name: string, dflt?: number): number | undefined;
export function numberOption(value: unknown, name: string, dflt?: number): number | undefined {
  if (value === undefined || value === true) return dflt;
  const x = Number(value);
  if (typeof value !== "string" && typeof value !== "number") throw new InvalidArgumentError(`--${name} must be a number`);
  if (value === "" || !Number.isFinite(x)) throw new InvalidArgumentError(`--${name} must be a number, got "${value}"`);
  return x;
}

/** A progress reporter for the terminal: a single updating line on stderr when it is a TTY. */
export function terminalProgress(enabled = true): (done: number, total: number, label: string) => void {
  let last = 0;
  return (done, total, label) => {
    if (!enabled) return;
    const now = Date.now();
    if (done < total && now - last < 200) return;
    last = now;
    const pct = total ? Math.round((100 * done) / total) : 0;
    if (process.stderr.isTTY) {
      process.stderr.write(`\r${label} ${pct}% (${done}/${total})` + (done >= total ? "\n" : ""));
    }
  };
}

/** Print a loader warning on stderr as it happens (every command that loads a series uses this). */
export function printWarning(message: string): void {
  process.stderr.write(`warning: ${message}\n`);
}

/** The `--skip-damaged` option of every command that loads a series. */
export const SKIP_DAMAGED_FLAGS = "--skip-damaged";
export const SKIP_DAMAGED_HELP = "skip damaged or unreadable files with a warning instead of failing (strict: false)";

/** loadSeries options from a command's options: --series, --skip-damaged, progress and warnings on stderr. */
export function seriesLoadOptions(options: Record<string, unknown>, onProgress?: (done: number, total: number, label: string) => void) {
  return {
    seriesUid: typeof options.series === "string" ? options.series : undefined,
    strict: !options.skipDamaged,
    onProgress,
    onWarning: printWarning,
  };
}
