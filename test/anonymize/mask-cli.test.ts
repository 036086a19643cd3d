import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { cli } from "../helpers/cli";
import { CT_DIR, tempDir } from "../helpers/paths";

interface Comparison { shape: number[]; changed: number; changedInFront: number; maxAbsUnchanged: number; affine?: number[][] }

/**
 * pydicom (outside reference) reads the written series — or nibabel the written NIfTI — and the original
 * series; how many voxels differ, and how many of those lie in front of row `frontRow`.
 */
function compareWithPython(output: string, frontRow: number, toleranceHu = 0.5): Comparison {
  const py = `
import sys, glob, json, numpy as np, pydicom
def series(d):
    ds = sorted((pydicom.dcmread(f) for f in glob.glob(d + "/*.dcm") + glob.glob(d + "/*/*.dcm")), key=lambda x: float(x.ImagePositionPatient[2]))
    return np.stack([x.pixel_array * float(x.RescaleSlope) + float(x.RescaleIntercept) for x in ds], axis=-1).transpose(1, 0, 2)
v = series(sys.argv[2]); out = {}
if sys.argv[1].endswith(".nii"):
    import nibabel as nib
    img = nib.load(sys.argv[1]); a = np.asarray(img.dataobj).astype(np.float64); out["affine"] = img.affine.tolist()
else:
    a = series(sys.argv[1])
diff = np.abs(a - v) > float(sys.argv[4])
rows = np.nonzero(diff)[1]
out.update({"shape": list(a.shape), "changed": int(diff.sum()), "changedInFront": int((rows <= float(sys.argv[3])).sum()),
  "maxAbsUnchanged": float(np.abs(a - v)[~diff].max())})
print(json.dumps(out))
`;
  const r = spawnSync("/usr/bin/python3", ["-c", py, output, CT_DIR, String(frontRow), String(toleranceHu)], { encoding: "utf8", maxBuffer: 1 << 24 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test("unmask mask simulate writes a DICOM series (pydicom reads it: changes only in front of the head); strip takes it off again", async () => {
  const dir = tempDir();
  try {
    const out = path.join(dir, "masked");
    const r = await cli(["mask", "simulate", CT_DIR, "-o", out, "--standoff", "3", "--thickness", "2", "--hole", "3", "--pitch", "5", "--hu", "200", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const res = JSON.parse(r.stdout);
    assert.equal(res.format, "DICOM series");
    assert.equal(res.openAreaFraction, 0.36);
    assert.deepEqual(res.touchPoints.map((t: { name: string }) => t.name), ["nose", "brow"]);
    // Rows run anterior → posterior; the shell ends at the coronal plane through the head centre (plus one voxel of partial volume).
    const centreRow = (res.headCentre[1] - -244.043) / 0.957031;
    const c = compareWithPython(out, centreRow + 1);
    assert.deepEqual(c.shape, [256, 256, 108]);
    assert.ok(c.changed > 20000, `changed voxels ${c.changed}`);
    assert.equal(c.changedInFront, c.changed, "every change in front of the head's centre");
    assert.equal(c.maxAbsUnchanged, 0);

    // Existing output: refused without --force; bad options named.
    const again = await cli(["mask", "simulate", CT_DIR, "-o", out]);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /exists|--force/);
    const bad = await cli(["mask", "simulate", CT_DIR, "-o", path.join(dir, "x"), "--hole", "6", "--pitch", "5"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /smaller than pitchMm/);

    // Strip the written series: the mask goes, the result is close to the original again.
    const stripped = path.join(dir, "stripped");
    const s = await cli(["mask", "strip", out, "-o", stripped, "--json"]);
    assert.equal(s.code, 0, s.stderr);
    const sr = JSON.parse(s.stdout);
    assert.ok(sr.removed.voxels > 10000, `removed ${sr.removed.voxels}`);
    assert.ok(sr.objectsLeft.some((o: { kind: string }) => o.kind === "posterior support"), "holder left and listed");
    // Voxels more than 300 HU off the original (air noise set to the air value does not count).
    const maskedOff = compareWithPython(out, centreRow + 1, 300).changed;
    const back = compareWithPython(stripped, centreRow + 1, 300).changed;
    assert.ok(maskedOff > 20000 && back < 0.02 * maskedOff, `voxels > 300 HU off the original: masked ${maskedOff}, stripped ${back}`);

    // The scan without a mask: nothing found, written unchanged (NIfTI output; nibabel reads the geometry).
    const nii = path.join(dir, "unchanged.nii");
    const n = await cli(["mask", "strip", CT_DIR, "-o", nii]);
    assert.equal(n.code, 0, n.stderr);
    assert.match(n.stdout, /no mask found/);
    assert.match(n.stdout, /left in place: posterior support/);
    const u = compareWithPython(nii, 0);
    assert.equal(u.changed, 0);
    assert.ok(Math.abs(u.affine![2][2] - 1.5) < 1e-4);
    assert.ok(!fs.readdirSync(dir).some((f) => f.includes(".tmp")), "no temp file left");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
