"""Reference readers for the DICOM writer tests: the voxels of a written series as pydicom and as
dcm2niix (+ nibabel) see them, written as float32 raw in unmask's order (slice k, row j, column i).

  reference_voxels.py pydicom DICOM_DIR OUT.raw
  reference_voxels.py nifti FILE.nii OUT.raw GEOMETRY.json   (GEOMETRY: LPS positions of voxels
      (0,0,0), (1,0,0), (0,1,0), (0,0,1) of unmask's volume, and its shape [nx, ny, nz])
"""
import json
import os
import sys

import numpy as np


def pydicom_volume(folder):
    import pydicom
    slices = [pydicom.dcmread(os.path.join(folder, f)) for f in sorted(os.listdir(folder)) if f.endswith(".dcm")]
    iop = np.array(slices[0].ImageOrientationPatient, dtype=float)
    normal = np.cross(iop[:3], iop[3:])
    slices.sort(key=lambda s: float(np.dot(normal, np.array(s.ImagePositionPatient, dtype=float))))
    # pixel_array honours BitsStored and PixelRepresentation; the modality LUT is slope/intercept.
    planes = [s.pixel_array.astype(np.float64) * float(getattr(s, "RescaleSlope", 1)) + float(getattr(s, "RescaleIntercept", 0)) for s in slices]
    return np.stack(planes).astype(np.float32)  # (k, j, i)


def nifti_volume(path, geometry):
    import nibabel as nib
    im = nib.load(path)
    data = np.asanyarray(im.dataobj).astype(np.float64)  # scaled by scl_slope/inter when set
    g = json.load(open(geometry))
    p0, pi, pj, pk = (np.array(g[k], dtype=float) for k in ("p000", "p100", "p010", "p001"))
    ours = np.eye(4)
    ours[:3, 0], ours[:3, 1], ours[:3, 2], ours[:3, 3] = pi - p0, pj - p0, pk - p0, p0
    lps = np.diag([-1.0, -1.0, 1.0, 1.0]) @ im.affine  # NIfTI world is RAS
    m = np.linalg.inv(ours) @ lps  # NIfTI voxel index -> unmask voxel index
    nx, ny, nz = g["shape"]
    out = np.full((nz, ny, nx), np.nan, dtype=np.float32)
    idx = np.indices(data.shape[:3]).reshape(3, -1)
    ijk = np.rint(m[:3, :3] @ idx + m[:3, 3:4]).astype(int)
    ok = (ijk[0] >= 0) & (ijk[0] < nx) & (ijk[1] >= 0) & (ijk[1] < ny) & (ijk[2] >= 0) & (ijk[2] < nz)
    out[ijk[2, ok], ijk[1, ok], ijk[0, ok]] = data.reshape(-1)[ok] if data.ndim == 3 else data[..., 0].reshape(-1)[ok]
    return out


if __name__ == "__main__":
    kind = sys.argv[1]
    vol = pydicom_volume(sys.argv[2]) if kind == "pydicom" else nifti_volume(sys.argv[2], sys.argv[4])
    vol.astype("<f4").tofile(sys.argv[3])
