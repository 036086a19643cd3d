/**
 * Fusion of face detections from many renders into one verdict. Pure functions over plain data:
 * evidence items already projected to patient millimetres, the head's centre and anterior reach,
 * and the fitted parameters. Also the fit itself (logistic regression + recall-first thresholds),
 * used by scripts/fit-presence.ts, the tests (leave-one-scan-out) and the benchmark.
 */
import type { Box } from "../image/types";
import type { Vec3 } from "../volume/types";

/** One detection: which detector on which variant, its score, its box and where it lies on the skin. */
export interface PresenceEvidence {
  /** Detector name ("human", "haar", … or "profile" for the geometric one). */
  detector: string;
  /** Variant name ("view/light/margin/size"), or "volume" for a detector that works on the volume. */
  variant: string;
  /** The detector's score 0–1. */
  score: number;
  /** Box in the variant's image pixels (null for a detector without an image). */
  box: Box | null;
  /** Skin point under the box centre (patient LPS mm); null when the centre misses the surface. */
  position: Vec3 | null;
  /** How far the skin under the box's centre stands out from its fitted plane (mm): a nose does, a cut surface does not. */
  relief: number | null;
  /**
   * How far the skin at the box's centre (where the nose is) stands out from a quadric fitted to the rest
   * of the box (mm): a nose does; a dome (skull, brain) or a cut surface does not. Absent in evidence
   * collected before it was measured.
   */
  nose?: number | null;
  /** Found on the despeckled render (PresenceOptions.despeckle), not the plain one. */
  despeckled?: boolean;
  /** (position − head centre) · anterior / anterior reach: 1 at the most anterior skin point, < 0 behind the centre. */
  anterior: number | null;
  /** Index into FacePresence.clusters, −1 when the item joined none (off the surface). */
  cluster: number;
}

/** Where the head is: its centre, the patient's anterior direction and how far the skin reaches that way. */
export interface HeadGeometry {
  center: Vec3;
  /** Unit anterior direction in LPS ([0, −1, 0] for patient coordinates). */
  anterior: Vec3;
  /** Largest (vertex − center) · anterior over the surface, mm. */
  reach: number;
}

/** Fitted fusion parameters (see scripts/fit-presence.ts). */
export interface FusionParams {
  /** Logistic bias. */
  bias: number;
  /** Weight of each detector's support: the score-weighted fraction of its variants that put a face in the cluster. */
  support: Record<string, number>;
  /** Weight of the cluster's anterior position (clamped to [−1, 1]). */
  anterior: number;
  /** Weight of the cluster's median relief in units of 20 mm (clamped to [0, 2]). */
  relief: number;
  /** Probability at or above which the verdict is "yes". */
  yes: number;
  /** Probability below which the verdict is "no" (between: "uncertain"). */
  no: number;
  /** Clustering radius, mm. */
  radius: number;
  /** Clusters whose anterior position is below this are not a face (occiput, head holder). */
  minAnterior: number;
  /**
   * Clusters flatter than this (median relief, mm) are not a face: a nose stands 12 mm or more out of
   * the face (adult nasal tip projection ≈ 20–30 mm); half that allows for the plane being fitted over
   * the nose itself and for coarse voxels. A rule set a priori, not fitted.
   */
  minRelief: number;
  /**
   * Clusters whose median nose relief (mm) is below this are not a face: no nose stands out of the
   * middle of the box. A rule set a priori (a nose projects 15–30 mm; half of the lower end allows for
   * coarse voxels, a mask's shell over the nose and oblique views), not fitted. Default 6 mm.
   */
  minNose?: number;
  /** What the parameters were fitted on (free text, for the record). */
  fittedOn?: string;
}

/** A 3D cluster of detections and its fused probability. */
export interface PresenceCluster {
  /** Score-weighted mean position of its items (patient mm). */
  position: Vec3;
  anterior: number;
  /** Median relief of its items (mm; 0 when none was measured). */
  relief: number;
  /** Median nose relief of its items (mm; null when none was measured). */
  nose: number | null;
  /** Per detector: score-weighted fraction of that detector's variants with a detection here. */
  support: Record<string, number>;
  /** Fused probability that this cluster is a face (0 when gated out). */
  probability: number;
  /** Items (indices into the evidence list). */
  items: number[];
  /** Why it was rejected, when it was. */
  rejected?: string;
}

const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
/** Default of FusionParams.minNose (mm). */
export const MIN_NOSE_MM = 6;
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** Anterior coordinate of a point: 1 at the most anterior skin, 0 at the head's centre. */
export function anteriorOf(p: Vec3, head: HeadGeometry): number {
  return dot(sub(p, head.center), head.anterior) / Math.max(head.reach, 1e-6);
}

/**
 * Group positioned evidence into 3D clusters (greedy, best score first, `radius` mm from the
 * cluster's running mean) and compute each cluster's features. `runs` = variants each detector
 * was run on (the denominator of support). Mutates nothing: returns the cluster index per item.
 */
export function clusterEvidence(
  evidence: readonly Omit<PresenceEvidence, "cluster">[],
  head: HeadGeometry,
  runs: Record<string, number>,
  radius: number,
): { clusters: Omit<PresenceCluster, "probability">[]; assignment: number[] } {
  const order = evidence.map((_, i) => i).filter((i) => evidence[i].position).sort((a, b) => evidence[b].score - evidence[a].score);
  const acc: { sum: Vec3; w: number; items: number[] }[] = [];
  const assignment = evidence.map(() => -1);
  for (const i of order) {
    const p = evidence[i].position as Vec3;
    const w = Math.max(evidence[i].score, 1e-3);
    let best = -1, bestD = radius;
    acc.forEach((c, k) => {
      const m: Vec3 = [c.sum[0] / c.w, c.sum[1] / c.w, c.sum[2] / c.w];
      const d = Math.hypot(...sub(p, m));
      if (d <= bestD) { bestD = d; best = k; }
    });
    if (best < 0) { acc.push({ sum: [0, 0, 0], w: 0, items: [] }); best = acc.length - 1; }
    const c = acc[best];
    c.sum = [c.sum[0] + w * p[0], c.sum[1] + w * p[1], c.sum[2] + w * p[2]];
    c.w += w;
    c.items.push(i);
    assignment[i] = best;
  }
  const clusters = acc.map((c) => {
    const position: Vec3 = [c.sum[0] / c.w, c.sum[1] / c.w, c.sum[2] / c.w];
    // Support: per detector, the best score on each variant summed, over the variants it ran on.
    const perVariant = new Map<string, number>();
    for (const i of c.items) {
      const e = evidence[i];
      const key = `${e.detector}\u0000${e.variant}`;
      perVariant.set(key, Math.max(perVariant.get(key) ?? 0, e.score));
    }
    const support: Record<string, number> = {};
    for (const [key, s] of perVariant) {
      const d = key.split("\u0000")[0];
      support[d] = (support[d] ?? 0) + s / Math.max(1, runs[d] ?? 1);
    }
    const reliefs = c.items.map((i) => evidence[i].relief).filter((r): r is number => r !== null).sort((a, b) => a - b);
    const relief = reliefs.length ? reliefs[reliefs.length >> 1] : 0;
    const noses = c.items.map((i) => evidence[i].nose).filter((r): r is number => r !== null && r !== undefined).sort((a, b) => a - b);
    const nose = noses.length ? noses[noses.length >> 1] : null;
    return { position, anterior: anteriorOf(position, head), relief, nose, support, items: c.items };
  });
  return { clusters, assignment };
}

/** Logistic score of a cluster's features (before gating). */
export function clusterProbability(c: Pick<PresenceCluster, "support" | "anterior" | "relief">, params: FusionParams): number {
  let z = params.bias + params.anterior * Math.max(-1, Math.min(1, c.anterior)) + params.relief * reliefFeature(c.relief);
  for (const [d, w] of Object.entries(params.support)) z += w * (c.support[d] ?? 0);
  return sigmoid(z);
}

const reliefFeature = (mm: number): number => Math.max(0, Math.min(2, mm / 20));

/** The fused result before it is dressed as a FacePresence. */
export interface FusedVerdict {
  present: "yes" | "no" | "uncertain";
  /** Best cluster's probability (0 with no cluster). */
  score: number;
  clusters: PresenceCluster[];
  /** Index of the best cluster, −1 when there is none. */
  best: number;
  evidence: PresenceEvidence[];
  reason: string;
}

/** Cluster the evidence, score each cluster, gate posterior ones, and apply the thresholds. */
export function fuseEvidence(
  evidence: readonly Omit<PresenceEvidence, "cluster" | "anterior">[],
  head: HeadGeometry,
  runs: Record<string, number>,
  params: FusionParams,
): FusedVerdict {
  const withAnterior = evidence.map((e) => ({ ...e, anterior: e.position ? anteriorOf(e.position, head) : null }));
  const { clusters: raw, assignment } = clusterEvidence(withAnterior, head, runs, params.radius);
  const clusters: PresenceCluster[] = raw.map((c) => {
    if (c.anterior < params.minAnterior) {
      return { ...c, probability: 0, rejected: `lies ${c.anterior < 0 ? "behind" : "too close to"} the head's centre (anterior ${c.anterior.toFixed(2)} < ${params.minAnterior})` };
    }
    if (c.relief < (params.minRelief ?? 0)) {
      return { ...c, probability: 0, rejected: `is too flat for a face: relief ${c.relief.toFixed(1)} mm < ${params.minRelief} mm (no nose)` };
    }
    const minNose = params.minNose ?? MIN_NOSE_MM;
    if (c.nose !== null && c.nose < minNose) {
      return { ...c, probability: 0, rejected: `has no nose: the middle of the box stands ${c.nose.toFixed(1)} mm out of the surface around it (< ${minNose} mm)` };
    }
    return { ...c, probability: clusterProbability(c, params) };
  });
  const out: PresenceEvidence[] = withAnterior.map((e, i) => ({ ...e, cluster: assignment[i] }));
  let best = -1;
  clusters.forEach((c, k) => { if (best < 0 || c.probability > clusters[best].probability) best = k; });
  const runText = Object.entries(runs).map(([d, n]) => `${d} on ${n}`).join(", ");
  if (best < 0) {
    const off = evidence.length;
    return {
      present: "no", score: 0, clusters, best, evidence: out,
      reason: off === 0 ? `no detector found a face (${runText} variants)` : `${off} detection(s), none on the skin surface (${runText} variants)`,
    };
  }
  const c = clusters[best];
  const p = c.probability;
  const supportText = Object.keys(runs).map((d) => `${d} support ${(c.support[d] ?? 0).toFixed(2)}`).join(", ") + `, relief ${c.relief.toFixed(0)} mm` + (c.nose !== null ? `, nose ${c.nose.toFixed(0)} mm` : "");
  const where = `at [${c.position.map((v) => v.toFixed(0)).join(", ")}] mm, anterior ${c.anterior.toFixed(2)}`;
  if (c.rejected) {
    return { present: "no", score: 0, clusters, best, evidence: out, reason: `every detection cluster was rejected; the best ${c.rejected}` };
  }
  if (p >= params.yes) return { present: "yes", score: p, clusters, best, evidence: out, reason: `face ${where}: ${supportText}; fused ${p.toFixed(2)} ≥ ${params.yes.toFixed(2)}` };
  if (p < params.no) return { present: "no", score: p, clusters, best, evidence: out, reason: `best cluster ${where} is too weak: ${supportText}; fused ${p.toFixed(2)} < ${params.no.toFixed(2)}` };
  return {
    present: "uncertain", score: p, clusters, best, evidence: out,
    reason: `the detectors disagree: best cluster ${where}, ${supportText}; fused ${p.toFixed(2)} lies between the "no" threshold ${params.no.toFixed(2)} and the "yes" threshold ${params.yes.toFixed(2)}`,
  };
}

/** One labelled case for fitting: its evidence, head geometry, runs per detector, and whether it shows a face. */
export interface FitCase {
  name: string;
  face: boolean;
  evidence: readonly Omit<PresenceEvidence, "cluster" | "anterior">[];
  head: HeadGeometry;
  runs: Record<string, number>;
}

/** The features of the cluster with the most total support (parameter-free choice), or null. */
function caseFeatures(c: FitCase, detectors: readonly string[], radius: number, minAnterior: number, minRelief: number): number[] | null {
  const ev = c.evidence.map((e) => ({ ...e, anterior: e.position ? anteriorOf(e.position, c.head) : null }));
  const { clusters } = clusterEvidence(ev, c.head, c.runs, radius);
  let best: (typeof clusters)[number] | undefined, bestS = -1;
  for (const k of clusters) {
    // No gating here: the gates apply at inference; the fit learns from every non-face's detections
    // (with the gates applied, a fit split whose non-faces are all gated out teaches nothing).
    void minAnterior; void minRelief;
    const s = detectors.reduce((a, d) => a + (k.support[d] ?? 0), 0);
    if (s > bestS) { bestS = s; best = k; }
  }
  if (!best) return null;
  return [...detectors.map((d) => best!.support[d] ?? 0), Math.max(-1, Math.min(1, best.anterior)), reliefFeature(best.relief)];
}

/**
 * Fit fusion parameters on labelled cases: L2-regularised logistic regression on the best
 * cluster's features, then recall-first thresholds from the fitted probabilities (a positive is
 * never below "no", a negative never at or above "yes"; a gap between the classes is split into
 * no | uncertain | yes quarters-half-quarter).
 */
export function fitFusion(cases: readonly FitCase[], detectors: readonly string[], opts: { radius?: number; minAnterior?: number; minRelief?: number; l2?: number; fittedOn?: string } = {}): FusionParams {
  const radius = opts.radius ?? 40, minAnterior = opts.minAnterior ?? 0, minRelief = opts.minRelief ?? 6, l2 = opts.l2 ?? 0.05;
  const rows: { x: number[]; y: number }[] = [];
  for (const c of cases) {
    const x = caseFeatures(c, detectors, radius, minAnterior, minRelief);
    // A case without any cluster is "no" whatever the weights: it carries no information for them.
    if (x) rows.push({ x, y: c.face ? 1 : 0 });
  }
  const n = detectors.length + 2;
  const w = new Array(n).fill(0);
  let b = 0;
  const pos = rows.filter((r) => r.y === 1).length, neg = rows.length - pos;
  // Class-balanced weights: a handful of negatives must count as much as many positives.
  const cw = (y: number): number => (y === 1 ? rows.length / (2 * Math.max(pos, 1)) : rows.length / (2 * Math.max(neg, 1)));
  const lr = 0.5;
  for (let it = 0; it < 4000 && rows.length > 0; it++) {
    const gw = new Array(n).fill(0);
    let gb = 0;
    for (const r of rows) {
      const z = b + r.x.reduce((a, v, k) => a + v * w[k], 0);
      const e = (sigmoid(z) - r.y) * cw(r.y);
      for (let k = 0; k < n; k++) gw[k] += e * r.x[k];
      gb += e;
    }
    for (let k = 0; k < n; k++) w[k] -= lr * (gw[k] / rows.length + l2 * w[k]);
    b -= lr * (gb / rows.length);
  }
  const params: FusionParams = {
    bias: b,
    support: Object.fromEntries(detectors.map((d, k) => [d, w[k]])),
    anterior: w[n - 2],
    relief: w[n - 1],
    yes: 0.5, no: 0.5, radius, minAnterior, minRelief,
    ...(opts.fittedOn ? { fittedOn: opts.fittedOn } : {}),
  };
  const probs = rows.map((r) => ({ y: r.y, p: clusterProbability(featuresToCluster(r.x, detectors), params) }));
  // No positive row at all: a fit that saw no gated-in face cannot place the thresholds from data.
  const minPos = Math.min(...probs.filter((r) => r.y === 1).map((r) => r.p), 1);
  const maxNeg = Math.max(...probs.filter((r) => r.y === 0).map((r) => r.p), 0);
  if (minPos > maxNeg) {
    const gap = minPos - maxNeg;
    params.no = maxNeg + 0.25 * gap;
    params.yes = minPos - 0.25 * gap;
  } else {
    params.no = Math.max(0, minPos - 1e-6);
    params.yes = Math.min(1, maxNeg + 1e-6);
  }
  return params;
}

function featuresToCluster(x: number[], detectors: readonly string[]): { support: Record<string, number>; anterior: number; relief: number } {
  // relief is stored as its feature value; undo the scaling so clusterProbability rescales it.
  return { support: Object.fromEntries(detectors.map((d, k) => [d, x[k]])), anterior: x[detectors.length], relief: x[detectors.length + 1] * 20 };
}
