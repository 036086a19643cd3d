# The fuzz suite's outside reference: pydicom (Debian python3-pydicom) reads each file named on stdin
# (one path a line) in this one process, and prints one JSON line per file: whether it yields pixels,
# their shape, and the SHA-1 of the modality values (RescaleSlope/Intercept applied, as float32, with
# unmask's padding convention: PixelPaddingValue, and -2000 in CT, become air = min(-1000, intercept)).
import hashlib
import json
import sys
import warnings

import numpy as np
import pydicom
from pydicom.pixel_data_handlers.util import apply_modality_lut

warnings.simplefilter("ignore")


def read(path):
    ds = pydicom.dcmread(path)
    raw = ds.pixel_array
    if raw.ndim != 2:
        return {"ok": True, "shape": list(raw.shape), "sha1": None}
    modality = np.asarray(apply_modality_lut(raw, ds), dtype=np.float64)
    intercept = float(ds.get("RescaleIntercept", 0) or 0)
    is_ct = str(ds.get("Modality", "")).upper() == "CT" or str(ds.get("RescaleType", "")).upper() == "HU"
    air = min(-1000.0, intercept) if is_ct else 0.0
    pad = ds.get("PixelPaddingValue", None)
    mask = np.zeros(raw.shape, dtype=bool)
    if isinstance(pad, int):
        mask |= raw == pad
    if str(ds.get("Modality", "")).upper() == "CT":
        mask |= raw == -2000
    modality[mask] = air
    values = modality.astype(np.float32)
    return {
        "ok": True,
        "shape": list(raw.shape),
        "sha1": hashlib.sha1(values.tobytes()).hexdigest(),
        "first": float(values.flat[0]),
        "min": float(values.min()),
        "max": float(values.max()),
    }


for line in sys.stdin:
    path = line.rstrip("\n")
    if not path:
        continue
    try:
        out = read(path)
    except BaseException as e:  # noqa: BLE001 — every failure is an outcome here
        out = {"ok": False, "error": f"{type(e).__name__}: {str(e)[:200]}"}
    out["path"] = path
    print(json.dumps(out), flush=True)
