import { InvalidArgumentError } from "../core/errors";

/** Parsed command line: positionals plus --flag / --key value options. */
export interface ParsedArgs {
  positionals: string[];
  options: Record<string, string | boolean>;
}

/**
 * Parse `args` given the names of options that take a value (`valued`) and boolean flags (`flags`).
 * Unknown options are an error, so a typo never silently changes a run.
 */
export function parseArgs(args: string[], spec: { valued?: string[]; flags?: string[]; aliases?: Record<string, string> }): ParsedArgs {
  const valued = new Set(spec.valued ?? []);
  const flags = new Set([...(spec.flags ?? []), "help", "json"]);
  const positionals: string[] = [];
  const options: Record<string, string | boolean> = {};
  for (let n = 0; n < args.length; n++) {
    let a = args[n];
    if (a === "--") { positionals.push(...args.slice(n + 1)); break; }
    if (!a.startsWith("-") || /^-\d/.test(a)) { positionals.push(a); continue; }
    if (spec.aliases?.[a]) a = spec.aliases[a];
    let key = a.replace(/^--?/, "");
    let value: string | undefined;
    const eq = key.indexOf("=");
    if (eq >= 0) { value = key.slice(eq + 1); key = key.slice(0, eq); }
    if (valued.has(key)) {
      if (value === undefined) {
        if (n + 1 >= args.length) throw new InvalidArgumentError(`option --${key} needs a value`);
        value = args[++n];
      }
      options[key] = value;
    } else if (flags.has(key)) {
      options[key] = true;
    } else {
      throw new InvalidArgumentError(`unknown option ${a}`);
    }
  }
  return { positionals, options };
}

/** A numeric option, or the default; a non-number is an error naming the option. */
export function numberOption(opts: ParsedArgs["options"], key: string, dflt: number): number {
  const v = opts[key];
  if (v === undefined || v === true) return dflt;
  const x = Number(v);
  if (!Number.isFinite(x)) throw new InvalidArgumentError(`--${key} must be a number, got "${v}"`);
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
