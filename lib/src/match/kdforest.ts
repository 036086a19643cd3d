/**
 * Randomized kd-forest for approximate nearest neighbours, after FLANN's KDTreeIndex (Muja & Lowe
 * 2009), which is what cv2.FlannBasedMatcher uses with `dict(algorithm=1, trees=5)` and
 * `dict(checks=50)`: each tree splits at the mean of a dimension drawn at random from the 5 of
 * highest variance (estimated on ≤ 100 points), down to single points; a query descends every tree
 * and then explores the closest unexplored branches from one shared priority queue until `checks`
 * points have been compared. Distances are Euclidean (FLANN compares squared L2 internally).
 */
import { InvalidArgumentError } from "../core/errors";
import { seededRandom } from "../core/random";

/** One match, as cv::DMatch: indices into the query and train sets and the Euclidean distance. */
export interface DescriptorMatch {
  queryIdx: number;
  trainIdx: number;
  distance: number;
}

/** Options of KdForest; defaults are FLANN's KDTreeIndexParams(trees = 5) as the seed used them. */
export interface KdForestOptions {
  /** Number of randomized trees (5). */
  trees?: number;
  /** Seed of the pseudo-random generator, for reproducible trees (1). */
  seed?: number;
}

/** Search options; `checks` as FLANN's SearchParams(checks = 50). */
export interface KnnOptions {
  /** Maximum number of points compared per query (50); Infinity = exact search. */
  checks?: number;
}

const SAMPLE_MEAN = 100;
const RAND_DIM = 5;


/** Min-heap of (distance, node) branch records, reused across queries. */
class BranchHeap {
  dist = new Float64Array(256);
  node = new Int32Array(256);
  size = 0;
  clear(): void {
    this.size = 0;
  }
  push(d: number, n: number): void {
    if (this.size === this.dist.length) {
      const nd = new Float64Array(this.size * 2);
      nd.set(this.dist);
      this.dist = nd;
      const nn = new Int32Array(this.size * 2);
      nn.set(this.node);
      this.node = nn;
    }
    let i = this.size++;
    const dist = this.dist, node = this.node;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (dist[p] <= d) break;
      dist[i] = dist[p];
      node[i] = node[p];
      i = p;
    }
    dist[i] = d;
    node[i] = n;
  }
  /** Pop the closest branch into `out` ([distance, node]); false when empty. */
  pop(out: Float64Array): boolean {
    if (this.size === 0) return false;
    const dist = this.dist, node = this.node;
    out[0] = dist[0];
    out[1] = node[0];
    const n = --this.size;
    const d = dist[n], v = node[n];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && dist[c + 1] < dist[c]) c++;
      if (dist[c] >= d) break;
      dist[i] = dist[c];
      node[i] = node[c];
      i = c;
    }
    dist[i] = d;
    node[i] = v;
    return true;
  }
}

/** A forest of randomized kd-trees over n points of `dim` dimensions (row-major Float32Array). */
export class KdForest {
  readonly dim: number;
  readonly size: number;
  readonly trees: number;
  private readonly data: Float32Array;
  // Flat node arrays shared by all trees: for inner nodes, the split dimension and value and the two
  // children; for leaves, divFeat = -1 and child1 = the point index.
  private divFeat: Int32Array;
  private divVal: Float32Array;
  private child1: Int32Array;
  private child2: Int32Array;
  private nodeCount = 0;
  private readonly roots: number[] = [];
  private readonly heap = new BranchHeap();
  private checkedStamp: Int32Array;
  private stamp = 0;

  /** Build the forest (FLANN's KDTreeIndex::buildIndex). */
  constructor(data: Float32Array, dim: number, opts: KdForestOptions = {}) {
    if (!(dim > 0) || data.length % dim !== 0) {
      throw new InvalidArgumentError(`KdForest: data length ${data.length} is not a multiple of dim ${dim}`);
    }
    this.dim = dim;
    this.size = data.length / dim;
    this.trees = opts.trees ?? 5;
    if (!(this.trees >= 1)) throw new InvalidArgumentError("KdForest: trees must be ≥ 1");
    this.data = data;
    const maxNodes = Math.max(1, 2 * this.size) * this.trees;
    this.divFeat = new Int32Array(maxNodes);
    this.divVal = new Float32Array(maxNodes);
    this.child1 = new Int32Array(maxNodes);
    this.child2 = new Int32Array(maxNodes);
    this.checkedStamp = new Int32Array(this.size);
    const random = seededRandom(opts.seed ?? 1);
    if (this.size === 0) return;
    const ind = new Int32Array(this.size);
    const mean = new Float64Array(dim);
    const variance = new Float64Array(dim);
    for (let t = 0; t < this.trees; t++) {
      for (let i = 0; i < this.size; i++) ind[i] = i;
      // Shuffle so that each tree estimates its split statistics on different points.
      for (let i = this.size - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        const tmp = ind[i];
        ind[i] = ind[j];
        ind[j] = tmp;
      }
      this.roots.push(this.divideTree(ind, 0, this.size, mean, variance, random));
    }
  }

  private newNode(): number {
    return this.nodeCount++;
  }

  private divideTree(ind: Int32Array, start: number, count: number, mean: Float64Array, variance: Float64Array, random: () => number): number {
    const node = this.newNode();
    if (count === 1) {
      this.divFeat[node] = -1;
      this.child1[node] = ind[start];
      return node;
    }
    const dim = this.dim, data = this.data;
    // Mean and variance of every dimension on the first ≤ 100 points (FLANN's meanSplit).
    mean.fill(0);
    variance.fill(0);
    const cnt = Math.min(SAMPLE_MEAN + 1, count);
    // One pass: Σx and Σx² (variance = Σx² − cnt·mean², in float64).
    for (let j = 0; j < cnt; j++) {
      const o = ind[start + j] * dim;
      for (let k = 0; k < dim; k++) {
        const v = data[o + k];
        mean[k] += v;
        variance[k] += v * v;
      }
    }
    for (let k = 0; k < dim; k++) {
      mean[k] /= cnt;
      variance[k] -= cnt * mean[k] * mean[k];
    }
    // Split on a random one of the RAND_DIM dimensions of highest variance.
    const top: number[] = [];
    for (let k = 0; k < dim; k++) {
      if (top.length < RAND_DIM || variance[k] > variance[top[top.length - 1]]) {
        let p = top.length < RAND_DIM ? top.length : top.length - 1;
        top[p] = k;
        while (p > 0 && variance[top[p]] > variance[top[p - 1]]) {
          const tmp = top[p];
          top[p] = top[p - 1];
          top[p - 1] = tmp;
          p--;
        }
      }
    }
    const cutFeat = top[Math.floor(random() * top.length)];
    const cutVal = mean[cutFeat];
    // planeSplit: [< cutVal | == cutVal | > cutVal].
    let left = 0;
    let right = count - 1;
    for (;;) {
      while (left <= right && data[ind[start + left] * dim + cutFeat] < cutVal) left++;
      while (left <= right && data[ind[start + right] * dim + cutFeat] >= cutVal) right--;
      if (left > right) break;
      const tmp = ind[start + left];
      ind[start + left] = ind[start + right];
      ind[start + right] = tmp;
      left++;
      right--;
    }
    const lim1 = left;
    right = count - 1;
    for (;;) {
      while (left <= right && data[ind[start + left] * dim + cutFeat] <= cutVal) left++;
      while (left <= right && data[ind[start + right] * dim + cutFeat] > cutVal) right--;
      if (left > right) break;
      const tmp = ind[start + left];
      ind[start + left] = ind[start + right];
      ind[start + right] = tmp;
      left++;
      right--;
    }
    const lim2 = left;
    let index: number;
    if (lim1 > count / 2) index = lim1;
    else if (lim2 < count / 2) index = lim2;
    else index = Math.floor(count / 2);
    // All values equal along the cut: split in the middle so both children are non-empty.
    if (lim1 === count || lim2 === 0 || index === 0 || index === count) index = Math.floor(count / 2);
    this.divFeat[node] = cutFeat;
    this.divVal[node] = cutVal;
    const c1 = this.divideTree(ind, start, index, mean, variance, random);
    const c2 = this.divideTree(ind, start + index, count - index, mean, variance, random);
    this.child1[node] = c1;
    this.child2[node] = c2;
    return node;
  }

  /**
   * The k approximate nearest neighbours of query row q of `queries` (FLANN's getNeighbors);
   * writes indices and squared distances (ascending) into the given arrays, returns how many were found.
   */
  knnSearchOne(queries: Float32Array, q: number, k: number, outIdx: Int32Array, outDist: Float64Array, checks = 50): number {
    const dim = this.dim;
    const qo = q * dim;
    let found = 0;
    for (let i = 0; i < k; i++) {
      outIdx[i] = -1;
      outDist[i] = Infinity;
    }
    if (this.size === 0) return 0;
    this.stamp++;
    if (this.stamp === 0x7fffffff) {
      this.checkedStamp.fill(0);
      this.stamp = 1;
    }
    const stamp = this.stamp;
    const heap = this.heap;
    heap.clear();
    let checkCount = 0;
    const data = this.data;
    const divFeat = this.divFeat, divVal = this.divVal, child1 = this.child1, child2 = this.child2;
    const checked = this.checkedStamp;

    // Descend from `node` to a leaf, queueing the other branches; FLANN's searchLevel.
    const searchLevel = (start: number, mindist: number): void => {
      let node = start;
      for (;;) {
        const f = divFeat[node];
        if (f < 0) {
          const idx = child1[node];
          if (checked[idx] === stamp) return;
          const full = found === k;
          if (checkCount >= checks && full) return;
          checked[idx] = stamp;
          checkCount++;
          // Squared L2 with early exit once it exceeds the current worst (FLANN's L2 functor).
          const worst = outDist[k - 1];
          const po = idx * dim;
          let d = 0;
          let j = 0;
          for (; j + 4 <= dim; j += 4) {
            const t0 = data[po + j] - queries[qo + j];
            const t1 = data[po + j + 1] - queries[qo + j + 1];
            const t2 = data[po + j + 2] - queries[qo + j + 2];
            const t3 = data[po + j + 3] - queries[qo + j + 3];
            d += t0 * t0 + t1 * t1 + t2 * t2 + t3 * t3;
            if ((j & 12) === 12 && d > worst) break;
          }
          if (d <= worst) {
            for (; j < dim; j++) {
              const t = data[po + j] - queries[qo + j];
              d += t * t;
            }
          }
          if (d < worst || !full) {
            let p = found < k ? found : k - 1;
            if (found < k) found++;
            while (p > 0 && outDist[p - 1] > d) {
              outDist[p] = outDist[p - 1];
              outIdx[p] = outIdx[p - 1];
              p--;
            }
            outDist[p] = d;
            outIdx[p] = idx;
          }
          return;
        }
        const diff = queries[qo + f] - divVal[node];
        const best = diff < 0 ? child1[node] : child2[node];
        const other = diff < 0 ? child2[node] : child1[node];
        const newDist = mindist + diff * diff;
        if (newDist < outDist[k - 1] || found < k) heap.push(newDist, other);
        node = best;
      }
    };

    for (const root of this.roots) searchLevel(root, 0);
    const branch = new Float64Array(2);
    while ((checkCount < checks || found < k) && heap.pop(branch)) searchLevel(branch[1], branch[0]);
    return found;
  }

  /** k nearest train points of every query row, each list sorted by distance (cv::DescriptorMatcher::knnMatch). */
  knnMatch(queries: Float32Array, k = 2, opts: KnnOptions = {}): DescriptorMatch[][] {
    if (queries.length % this.dim !== 0) {
      throw new InvalidArgumentError(`knnMatch: query length ${queries.length} is not a multiple of dim ${this.dim}`);
    }
    const checks = opts.checks ?? 50;
    const nq = queries.length / this.dim;
    const idx = new Int32Array(k);
    const dist = new Float64Array(k);
    const out: DescriptorMatch[][] = new Array(nq);
    for (let q = 0; q < nq; q++) {
      const n = this.knnSearchOne(queries, q, k, idx, dist, checks);
      const row: DescriptorMatch[] = [];
      for (let i = 0; i < n; i++) row.push({ queryIdx: q, trainIdx: idx[i], distance: Math.sqrt(dist[i]) });
      out[q] = row;
    }
    return out;
  }
}

/** Exact k nearest neighbours by brute force (cv::BFMatcher(NORM_L2).knnMatch), the reference for KdForest. */
export function bruteForceKnn(queries: Float32Array, train: Float32Array, dim: number, k = 2): DescriptorMatch[][] {
  const nq = queries.length / dim;
  const nt = train.length / dim;
  const out: DescriptorMatch[][] = new Array(nq);
  const bi = new Int32Array(k);
  const bd = new Float64Array(k);
  for (let q = 0; q < nq; q++) {
    bi.fill(-1);
    bd.fill(Infinity);
    const qo = q * dim;
    for (let t = 0; t < nt; t++) {
      const to = t * dim;
      let d = 0;
      for (let j = 0; j < dim; j++) {
        const x = train[to + j] - queries[qo + j];
        d += x * x;
      }
      if (d < bd[k - 1]) {
        let p = k - 1;
        while (p > 0 && bd[p - 1] > d) {
          bd[p] = bd[p - 1];
          bi[p] = bi[p - 1];
          p--;
        }
        bd[p] = d;
        bi[p] = t;
      }
    }
    const row: DescriptorMatch[] = [];
    for (let i = 0; i < k && bi[i] >= 0; i++) row.push({ queryIdx: q, trainIdx: bi[i], distance: Math.sqrt(bd[i]) });
    out[q] = row;
  }
  return out;
}
