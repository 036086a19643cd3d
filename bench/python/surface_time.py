#!/usr/bin/python3
"""Python side of bench/surface.bench.ts: scikit-image marching_cubes and VTK vtkFlyingEdges3D on a raw
float32 volume (x fastest), timing only the extraction (best of RUNS after one warm-up).

Usage: surface_time.py RAW NX NY NZ SX SY SZ LEVEL RUNS
Prints one JSON line: {"skimage": {...} | {"absent": ...}, "vtk": {...} | {"absent": ...}}.
"""
import json
import sys
import time

from benchutil import best

import numpy as np


def main():
    raw = sys.argv[1]
    nx, ny, nz = (int(v) for v in sys.argv[2:5])
    sx, sy, sz = (float(v) for v in sys.argv[5:8])
    level = float(sys.argv[8])
    runs = int(sys.argv[9])
    vol = np.fromfile(raw, dtype=np.float32).reshape(nz, ny, nx)
    out = {}
    try:
        import skimage
        from skimage import measure
        ms, (verts, faces, _, _) = best(lambda: measure.marching_cubes(vol, level, spacing=(sz, sy, sx)), runs)
        out["skimage"] = {"ms": ms, "triangles": int(len(faces)), "vertices": int(len(verts)), "version": skimage.__version__}
    except ImportError as e:
        out["skimage"] = {"absent": str(e)}
    try:
        import vtk
        from vtk.util import numpy_support
        img = vtk.vtkImageData()
        img.SetDimensions(nx, ny, nz)
        img.SetSpacing(sx, sy, sz)
        img.GetPointData().SetScalars(numpy_support.numpy_to_vtk(vol.ravel(), deep=True))
        res = {"version": vtk.vtkVersion.GetVTKVersion(), "threads": vtk.vtkSMPTools.GetEstimatedNumberOfThreads(), "backend": vtk.vtkSMPTools.GetBackend()}
        for normals in (False, True):
            def run():
                fe = vtk.vtkFlyingEdges3D()
                fe.SetInputData(img)
                fe.SetValue(0, level)
                fe.SetComputeNormals(normals)
                fe.ComputeGradientsOff()
                fe.ComputeScalarsOff()
                fe.Update()
                return fe.GetOutput()
            ms, poly = best(run, runs)
            res["ms_normals" if normals else "ms"] = ms
            res["triangles"] = int(poly.GetNumberOfPolys())
        out["vtk"] = res
    except ImportError as e:
        out["vtk"] = {"absent": str(e)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
