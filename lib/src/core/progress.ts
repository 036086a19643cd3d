/** Progress callback: long functions report `done` of `total` units with a short label. */
export type ProgressFn = (done: number, total: number, label: string) => void;

/** Warning callback: non-fatal problems (a skipped file) also travel in results as `warnings`. */
export type WarningFn = (message: string) => void;
