"""Load a DICOM series folder into a float32 volume the way unmask's loadSeries does (read every file,
decode its pixels, apply RescaleSlope/Intercept, order by position along the slice normal), with
pydicom and Debian's python3-gdcm as the decoder of compressed transfer syntaxes.
Usage: load_series_time.py FOLDER RUNS [OUT.f32] → one JSON line {ms, maxrss_mib, shape, decoder};
OUT.f32, when given, receives the volume as raw float32 (slice-major) for the caller to compare."""
import json
import os
import resource
import sys

import gdcm
import numpy as np
import pydicom
from pydicom.pixel_data_handlers import gdcm_handler, numpy_handler, rle_handler

from benchutil import best

# Native data through numpy, RLE through pydicom's own decoder (this pydicom's GDCM handler has no RLE),
# every JPEG family syntax through GDCM.
pydicom.config.pixel_data_handlers = [numpy_handler, rle_handler, gdcm_handler]


def load(folder):
    files = sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".dcm"))
    slices = []
    for f in files:
        ds = pydicom.dcmread(f)
        iop = np.array(ds.ImageOrientationPatient, dtype=float)
        normal = np.cross(iop[:3], iop[3:])
        z = float(np.dot(normal, np.array(ds.ImagePositionPatient, dtype=float)))
        slope = float(getattr(ds, "RescaleSlope", 1))
        intercept = float(getattr(ds, "RescaleIntercept", 0))
        slices.append((z, ds.pixel_array.astype(np.float32) * slope + intercept))
    slices.sort(key=lambda s: s[0])
    return np.stack([s[1] for s in slices])


def main():
    folder, runs = sys.argv[1], int(sys.argv[2])
    ms, vol = best(lambda: load(folder), runs)
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if len(sys.argv) > 3:
        vol.astype(np.float32).tofile(sys.argv[3])
    decoder = f"pydicom {pydicom.__version__} + GDCM {gdcm.Version.GetVersion()}"
    print(json.dumps({"ms": ms, "maxrss_mib": maxrss, "shape": list(vol.shape), "decoder": decoder}))


if __name__ == "__main__":
    main()
