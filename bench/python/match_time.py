#!/usr/bin/python3
"""OpenCV (Debian python3-opencv) side of bench/match.bench.ts: the seed's script 4 timed.

Usage: match_time.py RUNS SIFT_IMAGE... -- PAIR_A PAIR_B
Prints one JSON line: SIFT detect+describe ms per image (default threads and 1 thread), FLANN
(kd-tree, 5 trees, 50 checks, k=2) ms and recall against brute force on the pair, ORB pipeline ms.
"""
import json, sys, time
import cv2

def best(f, runs):
    f()  # warm-up
    ts = []
    for _ in range(runs):
        t = time.perf_counter(); r = f(); ts.append((time.perf_counter() - t) * 1000)
    return min(ts), r

def gray(p):
    return cv2.cvtColor(cv2.imread(p, cv2.IMREAD_COLOR), cv2.COLOR_BGR2GRAY)

def main():
    runs = int(sys.argv[1])
    rest = sys.argv[2:]
    k = rest.index("--")
    sift_images, (pa, pb) = rest[:k], rest[k + 1:]
    out = {"opencv": cv2.__version__, "threads": cv2.getNumThreads(), "sift": []}
    sift = cv2.SIFT_create()
    for p in sift_images:
        g = gray(p)
        ms, (kps, _) = best(lambda: sift.detectAndCompute(g, None), runs)
        cv2.setNumThreads(1)
        ms1, _ = best(lambda: sift.detectAndCompute(g, None), runs)
        cv2.setNumThreads(-1)
        out["sift"].append({"image": p, "ms": ms, "ms1": ms1, "keypoints": len(kps)})
    ga, gb = gray(pa), gray(pb)
    _, da = sift.detectAndCompute(ga, None)
    _, db = sift.detectAndCompute(gb, None)
    bf = cv2.BFMatcher(cv2.NORM_L2).knnMatch(da, db, k=2)
    def flann():
        m = cv2.FlannBasedMatcher(dict(algorithm=1, trees=5), dict(checks=50))
        return m.knnMatch(da, db, k=2)
    ms, knn = best(flann, runs)
    recall = sum(1 for x, y in zip(knn, bf) if x[0].distance <= y[0].distance + 1e-3) / len(knn)
    good = sum(1 for m, n in knn if m.distance < 0.7 * n.distance)
    out["flann"] = {"ms": ms, "queries": len(da), "train": len(db), "recall": recall, "good": good}
    ms, _ = best(lambda: cv2.BFMatcher(cv2.NORM_L2).knnMatch(da, db, k=2), runs)
    out["bf"] = {"ms": ms}
    orb = cv2.ORB_create()
    def orb_pipeline():
        ka, oa = orb.detectAndCompute(ga, None)
        kb, ob = orb.detectAndCompute(gb, None)
        m = sorted(cv2.BFMatcher(cv2.NORM_HAMMING, crossCheck=True).match(oa, ob), key=lambda x: x.distance)
        return m
    ms, m = best(orb_pipeline, runs)
    out["orb"] = {"ms": ms, "matches": len(m), "good40": sum(1 for x in m if x.distance < 40)}
    print(json.dumps(out))

if __name__ == "__main__":
    main()
