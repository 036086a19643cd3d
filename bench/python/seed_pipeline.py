#!/usr/bin/python3
"""The seed's scripts 2 and 3 (Provenzano et al. 2022), rewritten from the steps the paper's scripts take, timed
per step on the same DICOM folder: pydicom read, sort by z, HU, cubic zoom to 1 mm, marching cubes at
-300 HU (skimage), matplotlib Poly3DCollection render at view_init(0, 270), Haar (1.1, 4) on the grey render.

Usage: seed_pipeline.py DICOM_DIR OUT_PNG [--max-triangles N]
Prints one JSON object: seconds per step, triangle counts, faces found. Missing modules → {"absent": [...]}.
"""
import glob, json, os, sys, time

absent = []
try:
    import numpy as np
except ImportError:
    absent.append("numpy")
for mod in ("pydicom", "scipy.ndimage", "skimage.measure", "matplotlib", "cv2"):
    try:
        __import__(mod)
    except ImportError:
        absent.append(mod)
if absent:
    print(json.dumps({"absent": absent}))
    sys.exit(0)

import pydicom, scipy.ndimage, skimage.measure, cv2
from matplotlib_render import seed_render  # the same seed-style drawing as bench/render.bench.ts times

def main(folder, out_png, max_tri):
    t = {}
    t0 = time.perf_counter()
    slices = [pydicom.dcmread(f) for f in glob.glob(os.path.join(folder, "*.dcm"))]
    slices.sort(key=lambda s: float(s.ImagePositionPatient[2]))
    thickness = abs(slices[0].ImagePositionPatient[2] - slices[1].ImagePositionPatient[2])
    image = np.stack([s.pixel_array for s in slices]).astype(np.int16)
    image[image == -2000] = 0
    slope, icpt = float(slices[0].RescaleSlope), float(slices[0].RescaleIntercept)
    hu = (image.astype(np.float64) * slope + icpt).astype(np.int16)
    t["load"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    spacing = np.array([thickness] + list(map(float, slices[0].PixelSpacing)), dtype=np.float32)
    zoom = spacing / 1.0
    # scipy's default mode ("constant") as the seed called it; mode="nearest" would avoid the edge walls
    resampled = scipy.ndimage.zoom(hu, zoom, order=3)
    t["resample"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    p = resampled.transpose(2, 1, 0)
    verts, faces, _, _ = skimage.measure.marching_cubes(p, -300)
    t["surface"] = time.perf_counter() - t0
    tri = len(faces)
    drawn = faces
    if max_tri and tri > max_tri:
        drawn = faces[:: int(np.ceil(tri / max_tri))]
    t0 = time.perf_counter()
    seed_render(verts, drawn, (0, 0, 0), p.shape, out_png)
    t["render"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    img = cv2.imread(out_png)
    grey = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    cascade = cv2.CascadeClassifier(os.path.join(os.path.dirname(__file__), "..", "..", "data-samples", "opencv", "haarcascade_frontalface_default.xml"))
    found = cascade.detectMultiScale(grey, scaleFactor=1.1, minNeighbors=4)
    t["detect"] = time.perf_counter() - t0
    print(json.dumps({"seconds": t, "triangles": int(tri), "rendered_triangles": int(len(drawn)), "resampled_shape": list(resampled.shape), "faces": int(len(found))}))

if __name__ == "__main__":
    args = sys.argv[1:]
    max_tri = 0
    if "--max-triangles" in args:
        i = args.index("--max-triangles"); max_tri = int(args[i + 1]); del args[i:i + 2]
    main(args[0], args[1], max_tri)
