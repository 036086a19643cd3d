"""NumPy/SciPy quickshear on the same volume as unmask's benchmark: the plane cut (everything in front of
a plane set to air) after a SciPy Gaussian smoothing of the brain mask's projection is not needed here:
the plane is given (the one unmask found), so this times the voxel work of a plane cut in NumPy.
Usage: quickshear_time.py RAW NX NY NZ SX SY SZ NX_ NY_ NZ_ D RUNS; prints one JSON line."""
import json, sys, time
import numpy as np
raw, nx, ny, nz = sys.argv[1], *map(int, sys.argv[2:5])
sx, sy, sz = map(float, sys.argv[5:8])
n = np.array(list(map(float, sys.argv[8:11])))
d = float(sys.argv[11]); runs = int(sys.argv[12])
vol = np.fromfile(raw, dtype=np.float32).reshape(nz, ny, nx)
best = 1e9
for _ in range(runs):
    t = time.perf_counter()
    k, j, i = np.ogrid[0:nz, 0:ny, 0:nx]
    side = (i * sx) * n[0] + (j * sy) * n[1] + (k * sz) * n[2] > d
    out = vol.copy(); out[side] = -1024
    best = min(best, time.perf_counter() - t)
print(json.dumps({"numpy": np.__version__, "ms": best * 1000, "changed": int((out != vol).sum())}))
