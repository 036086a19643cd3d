"""pydicom side of bench/anonymize.bench.ts: the seed's CT->MRI-like conversion (stored < 0 -> 0, as the seed
script did; and HU < 0 -> 0 with intercept 0) and a header de-identification of the same attributes, over a
DICOM folder, reading and writing every file. Prints one JSON line with best-of-runs times in ms.

  anonymize_time.py RUNS DICOM_DIR SCRATCH_DIR
"""
import json
import os
import shutil
import sys

import numpy as np
import pydicom
from pydicom.uid import generate_uid

from benchutil import best

runs, src, scratch = int(sys.argv[1]), sys.argv[2], sys.argv[3]
files = sorted(os.path.join(src, f) for f in os.listdir(src) if f.endswith(".dcm"))


def fresh(name):
    out = os.path.join(scratch, name)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    return out


def convert(mode):
    out = fresh(f"py-{mode}")
    series = generate_uid()
    for n, f in enumerate(files):
        ds = pydicom.dcmread(f)
        arr = ds.pixel_array
        if mode == "seed":
            arr = arr.copy()
            arr[arr < 0] = 0  # the seed's rule, on stored values
            ds.PixelData = arr.astype(arr.dtype).tobytes()
        else:
            hu = arr.astype(np.float64) * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
            hu[hu < 0] = 0
            ds.PixelData = np.rint(hu).astype(np.uint16).tobytes()
            ds.PixelRepresentation, ds.RescaleIntercept, ds.RescaleSlope = 0, 0, 1
            ds.BitsStored, ds.HighBit = 16, 15
        ds.ImageType = ["DERIVED", "SECONDARY"]
        ds.DerivationDescription = f"{mode} conversion"
        ds.SeriesInstanceUID = series
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.save_as(os.path.join(out, f"IM{n + 1:04d}.dcm"))
    return len(files)


# The attributes the shipped CT holds that Table E.1-1 lists, with the actions unmask applies to them.
EMPTY = ["StudyDate", "StudyTime", "AccessionNumber", "ReferringPhysicianName", "PatientName", "PatientBirthDate", "PatientSex", "StudyID"]
REMOVE = ["StudyDescription", "SeriesDescription", "PatientAge"]
DUMMY = {"SeriesDate": "19000101", "InstitutionName": "ANONYMIZED", "PatientID": "ANONYMIZED"}
UIDS = ["SOPInstanceUID", "StudyInstanceUID", "SeriesInstanceUID", "FrameOfReferenceUID"]


def deidentify():
    import hashlib
    import hmac
    out = fresh("py-deid")
    key = b"k" * 32

    def uid(u):
        return "2.25." + str(int.from_bytes(hmac.new(key, u.encode(), hashlib.sha256).digest()[:16], "big"))

    for n, f in enumerate(files):
        ds = pydicom.dcmread(f)
        ds.remove_private_tags()
        for k in EMPTY:
            if k in ds:
                setattr(ds, k, "")
        for k in REMOVE:
            if k in ds:
                delattr(ds, k)
        for k, v in DUMMY.items():
            if k in ds:
                setattr(ds, k, v)
        for k in UIDS:
            if k in ds:
                setattr(ds, k, uid(getattr(ds, k)))
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.PatientIdentityRemoved = "YES"
        ds.DeidentificationMethod = "pydicom benchmark"
        ds.save_as(os.path.join(out, f"IM{n + 1:04d}.dcm"))
    return len(files)


seed_ms, _ = best(lambda: convert("seed"), runs)
hu_ms, _ = best(lambda: convert("hu"), runs)
deid_ms, _ = best(deidentify, runs)
print(json.dumps({"pydicom": pydicom.__version__, "files": len(files), "seed": seed_ms, "hu": hu_ms, "deidentify": deid_ms}))
