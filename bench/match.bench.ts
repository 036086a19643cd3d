/**
 * Keypoint matching benchmark (seed script 4): unmask's TypeScript SIFT (detect + describe) next to
 * OpenCV's cv2.SIFT_create in Debian's python3-opencv on the same images, the kd-forest matcher next
 * to cv2.FlannBasedMatcher (5 trees, 50 checks, k = 2) on the same photo pair, and the ORB pipeline
 * (opencv-wasm) next to python3-opencv's — all in the same run, best of runs after a warm-up.
 * Run: npx tsc -b && node build/bench/match.bench.js
 */
import * as path from "node:path";
import * as os from "node:os";
import { readImage } from "unmask";
import { toGray } from "unmask/image";
import { KdForest, bruteForceKnn, describeKeypoints, matchKeypoints, type GrayPixels } from "unmask/match";

const SIFT_DESCRIPTOR_SIZE = 128;
const sift = (g: GrayPixels) => describeKeypoints(g, { method: "sift" }) as ReturnType<typeof describeKeypoints> & { descriptors: Float32Array };
import { ROOT, fmt, printTable, ratio, runPython, timeIt } from "./common";

const FACES = path.join(ROOT, "data-samples", "faces");
const SIFT_IMAGES = ["collins-1.png", "obama-1.jpg"];
const PAIR = ["obama-1.jpg", "obama-2.jpg"];
const RUNS = 3;

interface PyOut {
  opencv: string;
  threads: number;
  sift: { image: string; ms: number; ms1: number; keypoints: number }[];
  flann: { ms: number; queries: number; train: number; recall: number; good: number };
  bf: { ms: number };
  orb: { ms: number; matches: number; good40: number };
  error?: string;
}

async function main(): Promise<void> {
  console.log(`match benchmark: ${os.cpus().length} cores, node ${process.version}; best of ${RUNS} after a warm-up`);
  const py = runPython("match_time.py", [String(RUNS), ...SIFT_IMAGES.map((f) => path.join(FACES, f)), "--", ...PAIR.map((f) => path.join(FACES, f))]) as unknown as PyOut;
  if (py.error) console.log(`python3-opencv comparison unavailable: ${py.error}`);

  // SIFT detect + describe per image.
  const siftRows: (string | number)[][] = [];
  for (const [i, f] of SIFT_IMAGES.entries()) {
    const img = await readImage(path.join(FACES, f));
    const g = toGray(img);
    const t = await timeIt(() => sift(g), RUNS);
    const cv = py.sift?.[i];
    siftRows.push([
      `${f} (${img.width}×${img.height})`, t.result.keypoints.length, cv?.keypoints ?? "n/a", t.ms, cv?.ms ?? NaN, ratio(t.ms, cv?.ms ?? NaN),
      cv?.ms1 ?? NaN, ratio(t.ms, cv?.ms1 ?? NaN),
    ]);
  }
  printTable(
    `SIFT detect + describe, ms per image (unmask: TypeScript + WebAssembly SIMD blur, 1 thread; vs OpenCV ${py.opencv ?? "?"} cv2.SIFT_create, ${py.threads ?? "?"} threads and 1 thread)`,
    ["image", "unmask kp", "OpenCV kp", "unmask ms", "OpenCV ms", "unmask vs OpenCV", "OpenCV 1-thread ms", "vs OpenCV 1 thread"],
    siftRows,
  );

  // kd-forest vs FLANN on the photo pair (each on its own SIFT descriptors; the counts agree to ±1).
  const a = sift(toGray(await readImage(path.join(FACES, PAIR[0]))));
  const b = sift(toGray(await readImage(path.join(FACES, PAIR[1]))));
  const kd = await timeIt(() => new KdForest(b.descriptors, SIFT_DESCRIPTOR_SIZE, { trees: 5 }).knnMatch(a.descriptors, 2, { checks: 50 }), RUNS);
  const bfT = await timeIt(() => bruteForceKnn(a.descriptors, b.descriptors, SIFT_DESCRIPTOR_SIZE, 2), 1, 0);
  const exact = bfT.result;
  const recall = kd.result.filter((row, q) => row[0].distance <= exact[q][0].distance + 1e-3).length / kd.result.length;
  const good = matchKeypoints(a, b).goodCount;
  printTable(
    `SIFT matching ${PAIR.join(" → ")}: ${a.keypoints.length} queries × ${b.keypoints.length} train descriptors, k = 2 (ms; recall = share of true nearest neighbours found)`,
    ["matcher", "unmask ms", "OpenCV ms", "unmask vs OpenCV", "unmask recall", "OpenCV recall", "good (ratio 0.7) unmask / OpenCV"],
    [
      ["kd-forest 5 trees, 50 checks (build + search)", kd.ms, py.flann?.ms ?? NaN, ratio(kd.ms, py.flann?.ms ?? NaN), recall, py.flann?.recall ?? NaN, `${good} / ${py.flann?.good ?? "n/a"}`],
      ["brute force (exact)", bfT.ms, py.bf?.ms ?? NaN, ratio(bfT.ms, py.bf?.ms ?? NaN), 1, 1, ""],
    ],
  );

  // ORB pipeline: grey, detect both, cross-checked Hamming matches sorted.
  const ia = await readImage(path.join(FACES, PAIR[0]));
  const ib = await readImage(path.join(FACES, PAIR[1]));
  const orb = await timeIt(() => matchKeypoints(ia, ib, { method: "orb" }), RUNS);
  printTable(
    `ORB (500 keypoints) + BFMatcher(NORM_HAMMING, crossCheck) on ${PAIR.join(" / ")} (ms; unmask = opencv-wasm 4.3 incl. grey conversion)`,
    ["pipeline", "unmask ms", "OpenCV ms", "unmask vs OpenCV", "cross-checked unmask / OpenCV", "Hamming < 40 unmask / OpenCV"],
    [["ORB detect ×2 + match", orb.ms, py.orb?.ms ?? NaN, ratio(orb.ms, py.orb?.ms ?? NaN), `${orb.result.matches.length} / ${py.orb?.matches ?? "n/a"}`, `${orb.result.goodCount} / ${py.orb?.good40 ?? "n/a"}`]],
  );
  void fmt;
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
