import * as os from "node:os";
import * as path from "node:path";

/**
 * A pipeline cache shared by the experiment's CLI, quiz and notebook tests (content-addressed, so
 * sharing is safe; it only saves recomputing the shipped cohort's renders). The cache-count test
 * uses its own fresh folder.
 */
export const SHARED_EXPERIMENT_CACHE = path.join(os.tmpdir(), "unmask-test-experiment-cache");
