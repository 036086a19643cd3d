"""Load one DICOM series folder into a float32 HU volume with pydicom, pixel data decoded by GDCM
(python3-gdcm) where it can: the comparison for bench/load.bench.ts. Prints JSON: ms, peak RSS growth."""
import json
import os
import resource
import sys
import time

import numpy as np
import pydicom
from pydicom.pixel_data_handlers import gdcm_handler, numpy_handler, rle_handler

pydicom.config.pixel_data_handlers = [gdcm_handler, numpy_handler, rle_handler]


def rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def load(folder):
    datasets = [pydicom.dcmread(os.path.join(folder, f)) for f in sorted(os.listdir(folder)) if f.endswith(".dcm")]
    datasets.sort(key=lambda d: float(d.ImagePositionPatient[2]))
    first = datasets[0]
    vol = np.empty((len(datasets), first.Rows, first.Columns), dtype=np.float32)
    for k, d in enumerate(datasets):
        vol[k] = d.pixel_array * float(d.RescaleSlope) + float(d.RescaleIntercept)
    return vol


folder = sys.argv[1]
before = rss_kib()
t = time.perf_counter()
vol = load(folder)
ms = (time.perf_counter() - t) * 1000
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"ms": ms, "peakGrowthMiB": (peak - before) / 1024, "volumeMiB": vol.nbytes / 2**20, "handler": "gdcm" if gdcm_handler.is_available() else "numpy"}))
