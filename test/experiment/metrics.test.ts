import { test } from "node:test";
import assert from "node:assert/strict";
import { rankOfTruth, ranks, rankRate, cmc, roc, auc, eer, bootstrapInterval, galleryModel, seededRandom } from "unmask/experiment";

// A 4-probe × 4-identity distance matrix worked out by hand: the true identity of probe p is p.
//   probe 0: truth 0.1 is the smallest → rank 1
//   probe 1: truth 0.5; 0.2 and 0.4 are smaller → rank 3
//   probe 2: truth 0.3 ties with one impostor (0.3) → rank 2 (ties count against the probe)
//   probe 3: no face (Infinity) → ranked last, rank 4
const D = [
  [0.1, 0.6, 0.7, 0.8],
  [0.2, 0.5, 0.4, 0.9],
  [0.9, 0.3, 0.3, 0.8],
  [Infinity, Infinity, Infinity, Infinity],
];
const truth = [0, 1, 2, 3];

test("rank of the true identity: smaller first, ties against the probe, no face ranked last", () => {
  assert.deepEqual(ranks(D, truth), [1, 3, 2, 4]);
  assert.equal(rankOfTruth([0.5, 0.5, 0.5], 0), 3);
  assert.equal(rankOfTruth([0.1, NaN, 0.3], 1), 3);
  assert.throws(() => rankOfTruth([0.1], 2), /outside the gallery/);
});

test("rank-k rates and the CMC on the hand-made matrix", () => {
  const r = ranks(D, truth);
  assert.equal(rankRate(r, 1), 0.25);
  assert.equal(rankRate(r, 2), 0.5);
  assert.equal(rankRate(r, 5), 1);
  const c = cmc(r, 4);
  assert.deepEqual(c, [0.25, 0.5, 0.75, 1]);
  assert.equal(c[0], rankRate(r, 1));
});

test("ROC, AUC and EER with known answers", () => {
  // Genuine {0.1, 0.3}, impostor {0.2, 0.4}: 3 of the 4 genuine/impostor pairs are ordered right → AUC 0.75.
  assert.equal(auc([0.1, 0.3], [0.2, 0.4]), 0.75);
  // The ROC staircase: (0,0) → (0,.5) at 0.1 → (.5,.5) at 0.2 → (.5,1) at 0.3 → (1,1) at 0.4 → (1,1).
  assert.deepEqual(roc([0.1, 0.3], [0.2, 0.4]).map((p) => [p.threshold, p.fpr, p.tpr]), [
    [-Infinity, 0, 0], [0.1, 0, 0.5], [0.2, 0.5, 0.5], [0.3, 0.5, 1], [0.4, 1, 1], [Infinity, 1, 1],
  ]);
  // FNR = FPR = 0.5 at threshold 0.2.
  assert.deepEqual(eer([0.1, 0.3], [0.2, 0.4]), { eer: 0.5, threshold: 0.2 });
  // Perfect separation: AUC 1, EER 0; reversed: AUC 0, EER 1.
  assert.equal(auc([0.1, 0.2], [0.5, 0.6]), 1);
  assert.equal(eer([0.1, 0.2], [0.5, 0.6]).eer, 0);
  assert.equal(auc([0.5, 0.6], [0.1, 0.2]), 0);
  assert.equal(eer([0.5, 0.6], [0.1, 0.2]).eer, 1);
  // Ties count one half; two no-face pairs (Infinity) tie with each other.
  assert.equal(auc([0.3], [0.3]), 0.5);
  assert.equal(auc([Infinity], [Infinity, 0.2]), 0.25);
  // EER interpolated between operating points: genuine {0.1, 0.2, 0.6}, impostor {0.3, 0.4, 0.5, 0.7}.
  // At 0.2: FNR 1/3, FPR 0; at 0.3: FNR 1/3, FPR 1/4; at 0.4: FNR 1/3, FPR 1/2 → crossing at FPR = FNR = 1/3 between 0.3 and 0.4.
  const e = eer([0.1, 0.2, 0.6], [0.3, 0.4, 0.5, 0.7]);
  assert.ok(Math.abs(e.eer - 1 / 3) < 1e-12, `eer ${e.eer}`);
  assert.ok(e.threshold > 0.3 && e.threshold < 0.4, `threshold ${e.threshold}`);
});

/** A simulated cohort: n probes, each identified at rank 1 with probability p (genuine vs impostor distances drawn accordingly). */
function simulate(n: number, p: number, G: number, rnd: () => number): { D: number[][]; truth: number[] } {
  const Dm: number[][] = [], t: number[] = [];
  for (let i = 0; i < n; i++) {
    const hit = rnd() < p;
    const row = Array.from({ length: G }, () => 0.5 + rnd());
    // A hit: the genuine distance below every impostor; a miss: above the smallest impostor.
    row[0] = hit ? 0.4 * rnd() : Math.min(...row.slice(1)) + 0.01 + 0.5 * rnd();
    Dm.push(row);
    t.push(0);
  }
  return { D: Dm, truth: t };
}

test("the 95 % bootstrap interval contains the true rank-1 rate on simulated cohorts about 95 % of the time", () => {
  const rnd = seededRandom(2022);
  const trueRate = 0.7;
  let covered = 0;
  const trials = 200;
  let widthSum = 0;
  for (let k = 0; k < trials; k++) {
    const { D: Dm, truth: t } = simulate(35, trueRate, 20, rnd);
    const r = ranks(Dm, t);
    const ci = bootstrapInterval(r.length, (ix) => rankRate(ix.map((i) => r[i]), 1), { samples: 400, seed: k + 1 });
    assert.ok(ci.low <= ci.value && ci.value <= ci.high);
    widthSum += ci.high - ci.low;
    if (ci.low <= trueRate && trueRate <= ci.high) covered++;
  }
  // Percentile bootstrap on 35 probes: coverage near the nominal 95 % (binomial sd over 200 trials ≈ 1.5 %).
  assert.ok(covered / trials >= 0.88 && covered / trials <= 0.99, `coverage ${covered}/${trials}`);
  // And the interval is informative: ~ ±1.96·sqrt(0.7·0.3/35) ≈ ±0.15 → width ≈ 0.3.
  assert.ok(widthSum / trials > 0.2 && widthSum / trials < 0.4, `mean width ${widthSum / trials}`);
  // Same seed, same interval.
  const r = ranks(simulate(35, trueRate, 20, seededRandom(5)).D, Array(35).fill(0));
  const f = (ix: number[]) => rankRate(ix.map((i) => r[i]), 1);
  assert.deepEqual(bootstrapInterval(35, f, { seed: 9 }), bootstrapInterval(35, f, { seed: 9 }));
});

test("gallery-size model: rank-1 = detected fraction at gallery size 1, near the empirical survival at 2, falling towards 0 by 13,233", () => {
  const genuine = [0.2, 0.3, 0.4, Infinity];
  const impostor = Array.from({ length: 200 }, (_v, i) => 0.3 + (0.6 * i) / 199);
  const m = galleryModel(genuine, impostor, [1, 2, 10, 100, 13233], { samples: 200, seed: 1 });
  // Gallery of one identity: every probe with a face is rank 1; the no-face probe never is.
  assert.ok(Math.abs(m[0].rank1 - 0.75) < 1e-12);
  for (let i = 1; i < m.length; i++) assert.ok(m[i].rank1 <= m[i - 1].rank1, "non-increasing in gallery size");
  for (const p of m) assert.ok(p.low <= p.rank1 + 1e-9 && p.rank1 <= p.high + 1e-9, `interval around the model at ${p.gallerySize}`);
  // Gallery of two: each probe beats one impostor with the empirical survival S(d) = P(impostor > d):
  // S(0.2) = 1, S(0.3) = 199/200, S(0.4) = 166/200 → (1 + 0.995 + 0.83) / 4 ≈ 0.706; smoothing moves it a little.
  assert.ok(Math.abs(m[1].rank1 - (1 + 199 / 200 + 166 / 200) / 4) < 0.05, `rank-1 at 2: ${m[1].rank1}`);
  // 13,232 impostors: the kernel-smoothed tail below the smallest measured impostor beats every probe.
  assert.ok(m[4].rank1 < 0.05, `rank-1 at 13,233: ${m[4].rank1}`);
  assert.throws(() => galleryModel([0.1], [0.5], [2]), /needs/);
});
