#!/usr/bin/python3
"""VTK side of the mesh-utility table in bench/surface.bench.ts, on a PLY written by unmask.

Usage: mesh_ops_time.py MESH.ply TARGET_TRIANGLES RUNS
Times (best of RUNS after a warm-up): vtkQuadricClustering (vertex clustering, like unmask's decimate;
divisions chosen so its output lands near TARGET), vtkPolyDataConnectivityFilter (largest region),
vtkWindowedSincPolyDataFilter (10 iterations, a Taubin-like low-pass). Prints one JSON line.
"""
import json
import sys
import time

from benchutil import best


def main():
    path, target, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    try:
        import vtk
    except ImportError as e:
        print(json.dumps({"absent": str(e)}))
        return
    reader = vtk.vtkPLYReader()
    reader.SetFileName(path)
    reader.Update()
    mesh = reader.GetOutput()
    out = {"version": vtk.vtkVersion.GetVTKVersion(), "input_triangles": mesh.GetNumberOfPolys()}

    def clustering(div):
        f = vtk.vtkQuadricClustering()
        f.SetInputData(mesh)
        f.SetNumberOfDivisions(div, div, div)
        f.AutoAdjustNumberOfDivisionsOff()
        f.Update()
        return f.GetOutput()

    # Pick the division count whose output is closest under the target (bisection on divisions).
    lo, hi = 4, 400  # larger grids exhaust memory (the quadric table is dense)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if clustering(mid).GetNumberOfPolys() <= target:
            lo = mid
        else:
            hi = mid
    ms, poly = best(lambda: clustering(lo), runs)
    out["clustering"] = {"ms": ms, "triangles": poly.GetNumberOfPolys(), "divisions": lo}

    def connectivity():
        f = vtk.vtkPolyDataConnectivityFilter()
        f.SetInputData(mesh)
        f.SetExtractionModeToLargestRegion()
        f.Update()
        return f.GetOutput()
    ms, poly = best(connectivity, runs)
    out["largest"] = {"ms": ms, "triangles": poly.GetNumberOfPolys()}

    def smooth():
        f = vtk.vtkWindowedSincPolyDataFilter()
        f.SetInputData(mesh)
        f.SetNumberOfIterations(10)
        f.Update()
        return f.GetOutput()
    ms, _ = best(smooth, runs)
    out["smooth"] = {"ms": ms}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
