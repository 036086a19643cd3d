/** Scoring a person's answers from the observer quiz against the truth, like a recognizer's rank-1. */
import * as fs from "node:fs";
import { FileNotFoundError } from "../core/errors";
import { ManifestError, parseCsv } from "./manifest";
import { optionId, probeId, type CohortImage, type GalleryIdentity } from "./cohort";
import { bootstrapInterval, type BootstrapOptions, type Interval } from "./metrics";

/** One answer: the quiz's probe id and the chosen gallery option id. */
export interface ObserverAnswer {
  probe: string;
  choice: string;
}

/** The observer's score. */
export interface ObserverResult {
  probes: number;
  answered: number;
  correct: number;
  /** Unanswered probes count as misses. */
  rank1: Interval;
}

/** Read the quiz's exported answers (CSV with columns probe,choice). */
export function readObserverAnswers(file: string): ObserverAnswer[] {
  if (!fs.existsSync(file)) throw new FileNotFoundError(file, "observer answers");
  const rows = parseCsv(fs.readFileSync(file, "utf8")).filter((r) => r.some((f) => f.trim()));
  if (!rows.length) throw new ManifestError(file, "empty answers file (expected a header probe,choice)");
  const h = rows[0].map((x) => x.trim().toLowerCase());
  const ip = h.indexOf("probe"), ic = h.indexOf("choice");
  if (ip < 0 || ic < 0) throw new ManifestError(file, `expected columns probe,choice (header: ${h.join(",")})`);
  return rows.slice(1).map((r, n) => {
    const probe = (r[ip] ?? "").trim(), choice = (r[ic] ?? "").trim();
    if (!probe) throw new ManifestError(file, "empty probe", n + 1);
    return { probe, choice };
  });
}

/** Score answers: the last answer per probe counts; answers naming unknown probes are warned about. */
export function scoreObserver(
  probes: CohortImage[], identities: GalleryIdentity[], truth: number[], answers: ObserverAnswer[], boot: BootstrapOptions, warn: (w: string) => void,
): ObserverResult {
  const byProbe = new Map<string, string>();
  const ids = new Set(probes.map(probeId));
  for (const a of answers) {
    if (!ids.has(a.probe)) { warn(`observer answer for unknown probe "${a.probe}" ignored`); continue; }
    byProbe.set(a.probe, a.choice);
  }
  const correct = probes.map((p, i) => byProbe.get(probeId(p)) === optionId(identities[truth[i]].label));
  return {
    probes: probes.length,
    answered: probes.filter((p) => byProbe.has(probeId(p)) && byProbe.get(probeId(p)) !== "").length,
    correct: correct.filter(Boolean).length,
    rank1: bootstrapInterval(probes.length, (ix) => ix.filter((i) => correct[i]).length / ix.length, boot),
  };
}
