import { InvalidArgumentError } from "../../core/errors";
import { runQueueWorker } from "../../audit/queue";
import { numberOption } from "../options";
import type { CliCommand } from "../types";

/** `unmask worker --queue redis://HOST:PORT`: run audit jobs from the queue until stopped. */
export const command: CliCommand = {
  name: "worker",
  summary: "run audit jobs from a BullMQ queue (unmask audit --queue) until SIGINT/SIGTERM",
  configure(cmd) {
    cmd
      .description(`Runs on any number of machines that share the audited files and the report folder.
A worker killed mid-job loses nothing: its job is retried after the lock expires and
reported exactly once.`)
      .option("--queue <url>", "redis://HOST:PORT (required)")
      .option("--concurrency <n>", "jobs at a time in this process (default 1)")
      .option("--lock-ms <ms>", "job lock duration: a dead worker's job is retried after it (default 30000)")
      .option("--stalled-ms <ms>", "how often stalled jobs are looked for (default 30000)");
  },
  async run(_positionals, options) {
    if (!options.queue) throw new InvalidArgumentError("unmask worker: --queue redis://HOST:PORT is required");
    const w = runQueueWorker({
      queue: String(options.queue),
      concurrency: numberOption(options.concurrency, "concurrency", 1),
      lockDuration: numberOption(options.lockMs, "lock-ms", 30_000),
      stalledInterval: numberOption(options.stalledMs, "stalled-ms", 30_000),
      onJob: (item, verdict) => process.stdout.write(`${verdict.padEnd(10)} ${item.label}\n`),
    });
    process.stdout.write(`worker ready on ${options.queue}\n`);
    await new Promise<void>((resolve) => {
      const stop = () => { w.close().then(resolve, resolve); };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    return 0;
  },
};
