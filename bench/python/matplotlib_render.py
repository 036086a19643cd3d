"""The seed's render of a mesh, timed: matplotlib Poly3DCollection (alpha 0.70, face colour
[0.45, 0.45, 0.75]), view_init(0, 270), 512 x 512 px savefig — as in the seed's "3D representation"
script. Input: <base>.f32 (xyz float32) and <base>.u32 (triangle indices uint32) written by
bench/render.bench.ts. Prints one JSON line: {"seconds", "triangles", "rendered_triangles"}.
Usage: matplotlib_render.py BASE OUT_PNG [--max-triangles N] (every k-th triangle above N)."""
import json
import sys
import time

try:
    import numpy as np
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from mpl_toolkits.mplot3d.art3d import Poly3DCollection
except ImportError as e:  # report, do not crash the benchmark
    print(json.dumps({"absent": [str(e)]}))
    sys.exit(0)


def seed_render(verts, faces, lo, hi, out_png):
    """Draw triangles as the seed did (translucent blue polygons, elevation 0, azimuth 270) and save."""
    fig = plt.figure(figsize=(5.12, 5.12), dpi=100)
    ax = fig.add_subplot(111, projection="3d")
    mesh = Poly3DCollection(verts[faces], alpha=0.70)
    mesh.set_facecolor([0.45, 0.45, 0.75])
    ax.add_collection3d(mesh)
    ax.set_xlim(lo[0], hi[0]); ax.set_ylim(lo[1], hi[1]); ax.set_zlim(lo[2], hi[2])
    ax.view_init(0, 270)
    ax.set_axis_off()
    fig.savefig(out_png)
    plt.close(fig)


def main(base, out_png, max_tri):
    verts = np.fromfile(base + ".f32", dtype=np.float32).reshape(-1, 3)
    faces = np.fromfile(base + ".u32", dtype=np.uint32).reshape(-1, 3)
    drawn = faces
    if max_tri and len(faces) > max_tri:
        drawn = faces[:: int(np.ceil(len(faces) / max_tri))]
    lo, hi = verts.min(axis=0), verts.max(axis=0)
    t0 = time.perf_counter()
    seed_render(verts, drawn, lo, hi, out_png)
    seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": seconds, "triangles": int(len(faces)), "rendered_triangles": int(len(drawn))}))


if __name__ == "__main__":
    args = sys.argv[1:]
    max_tri = 0
    if "--max-triangles" in args:
        i = args.index("--max-triangles"); max_tri = int(args[i + 1]); del args[i:i + 2]
    main(args[0], args[1], max_tri)
