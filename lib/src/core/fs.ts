import * as fs from "node:fs";
import * as path from "node:path";
import { InvalidArgumentError, UnmaskError } from "./errors";

/** Write a file atomically: write to a temp file in the same folder, then rename over the target. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const dir = path.dirname(path.resolve(file));
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** Options for {@link writeFolderAtomic}. */
export interface WriteFolderOptions {
  /** Replace an existing folder (default false: an existing output is an error). */
  force?: boolean;
  /** Folders the output must neither be, lie inside, nor contain (the inputs: never modified). */
  protect?: string[];
}

/** An output that exists already and was not to be overwritten (no --force). */
export class OutputExistsError extends UnmaskError {
  constructor(path: string) {
    super("OUTPUT_EXISTS", `${path}: output exists already; choose another folder or pass --force (force: true) to replace it`, path);
  }
}

function inside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

/**
 * Fill a folder atomically: `fill` writes into a fresh temporary sibling folder, which is renamed to
 * `outDir` only when `fill` returns; on any error the temporary folder is removed and `outDir` is
 * left as it was. An existing `outDir` is replaced only with `force`.
 */
export async function writeFolderAtomic<T>(outDir: string, fill: (tmpDir: string) => T | Promise<T>, opts: WriteFolderOptions = {}): Promise<T> {
  const out = path.resolve(outDir);
  for (const p of opts.protect ?? []) {
    const input = path.resolve(p);
    if (inside(out, input) || inside(input, out)) {
      throw new InvalidArgumentError(`${outDir}: the output folder must not be, hold or lie inside the input ${p} (inputs are never modified)`);
    }
  }
  const exists = fs.existsSync(out);
  if (exists && !opts.force) throw new OutputExistsError(out);
  const parent = path.dirname(out);
  fs.mkdirSync(parent, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(parent, `.${path.basename(out)}.tmp-`));
  let result: T;
  try {
    result = await fill(tmp);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  if (exists) {
    // Move the old folder aside first so that a failed rename still leaves one complete folder.
    const old = `${tmp}.old`;
    fs.renameSync(out, old);
    try {
      fs.renameSync(tmp, out);
    } catch (e) {
      fs.renameSync(old, out);
      fs.rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
    fs.rmSync(old, { recursive: true, force: true });
  } else {
    fs.renameSync(tmp, out);
  }
  return result;
}
