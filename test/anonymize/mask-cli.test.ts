import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { cli } from "../helpers/cli";
import { CT_DIR, tempDir } from "../helpers/paths";

/** nibabel (outside reference) reads the NIfTI; pydicom reads the original series: compare geometry and values. */
function compareWithPython(nii: string, frontRow = 0): { shape: number[]; affine: number[][]; changed: number; changedAnterior: number; maxAbsUnchanged: number } {
  const py = `
import sys, glob, json, numpy as np, nibabel as nib, pydicom
img = nib.load(sys.argv[1]); a = np.asarray(img.dataobj).astype(np.float32)
ds = sorted((pydicom.dcmread(f) for f in glob.glob(sys.argv[2] + "/*.dcm")), key=lambda d: float(d.ImagePositionPatient[2]))
v = np.stack([d.pixel_array * float(d.RescaleSlope) + float(d.RescaleIntercept) for d in ds], axis=-1).transpose(1, 0, 2)  # (cols, rows, slices)
diff = np.abs(a - v) > 0.5
rows = np.nonzero(diff)[1]
print(json.dumps({"shape": list(a.shape), "affine": img.affine.tolist(), "changed": int(diff.sum()),
  "changedAnterior": int((rows <= float(sys.argv[3])).sum()), "maxAbsUnchanged": float(np.abs(a - v)[~diff].max())}))
`;
  const r = spawnSync("/usr/bin/python3", ["-c", py, nii, CT_DIR, String(frontRow)], { encoding: "utf8", maxBuffer: 1 << 24 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test("unmask mask simulate writes a NIfTI that nibabel reads with the CT's geometry; strip finds no mask on the shipped CT", async () => {
  const dir = tempDir();
  try {
    const out = path.join(dir, "masked.nii");
    const r = await cli(["mask", "simulate", CT_DIR, "-o", out, "--standoff", "3", "--thickness", "2", "--hole", "3", "--pitch", "5", "--hu", "200", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const res = JSON.parse(r.stdout);
    assert.equal(res.openAreaFraction, 0.36);
    assert.deepEqual(res.touchPoints.map((t: { name: string }) => t.name), ["nose", "brow"]);
    // Rows run anterior → posterior; the shell ends at the coronal plane through the head centre (plus one voxel of partial volume).
    const centreRow = (res.headCentre[1] - -244.043) / 0.957031;
    const c = compareWithPython(out, centreRow + 1);
    assert.deepEqual(c.shape, [256, 256, 108]);
    // LPS → RAS: x and y negated; voxel (0,0,0) at the first slice's ImagePositionPatient.
    assert.ok(Math.abs(c.affine[0][0] + 0.957031) < 1e-4 && Math.abs(c.affine[1][1] + 0.957031) < 1e-4 && Math.abs(c.affine[2][2] - 1.5) < 1e-4);
    assert.ok(Math.abs(c.affine[0][3] - 244.043) < 1e-3 && Math.abs(c.affine[1][3] - 244.043) < 1e-3);
    assert.ok(c.changed > 20000, `changed voxels ${c.changed}`);
    assert.equal(c.changedAnterior, c.changed, "every change in front of the head's centre");
    assert.equal(c.maxAbsUnchanged, 0);

    // Existing output: refused without --force.
    const again = await cli(["mask", "simulate", CT_DIR, "-o", out]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /INVALID_ARGUMENT: .*exists; pass --force/);
    const bad = await cli(["mask", "simulate", CT_DIR, "-o", path.join(dir, "x.nii"), "--hole", "6", "--pitch", "5"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /smaller than pitchMm/);

    const stripped = path.join(dir, "stripped.nii");
    const s = await cli(["mask", "strip", CT_DIR, "-o", stripped]);
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout, /no mask found/);
    assert.match(s.stdout, /left in place: posterior support/);
    assert.equal(compareWithPython(stripped).changed, 0);
    assert.ok(!fs.readdirSync(dir).some((f) => f.endsWith(".tmp")), "no temp file left");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
