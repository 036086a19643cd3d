import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadSeries } from "unmask/dicom";
import { readNifti, writeNifti, NiftiError } from "unmask/nifti";
import { voxelToPatient } from "unmask/volume";
import { MRI_DIR, CT_DIR, tempDir } from "../helpers/paths";

// nibabel (Debian python3-nibabel) as the outside reader and writer: affine (RAS) and voxels.
const NIB = `
import sys, json, nibabel as nib, numpy as np
im = nib.load(sys.argv[1]); d = np.asarray(im.dataobj, dtype=np.float64)
print(json.dumps({"shape": list(d.shape), "affine": im.affine.tolist(), "sum": float(d.sum()), "v": float(d[10, 20, 30])}))
`;

test("writeNifti: nibabel reads the same voxels and an affine that maps voxels to the DICOM's patient positions", async () => {
  for (const dir of [MRI_DIR, CT_DIR]) {
    const { volume } = await loadSeries(dir);
    const file = path.join(tempDir(), "v.nii.gz");
    writeNifti(file, volume);
    const nib = JSON.parse(execFileSync("/usr/bin/python3", ["-c", NIB, file]).toString());
    assert.deepEqual(nib.shape, volume.shape);
    let sum = 0;
    for (const x of volume.data) sum += x;
    assert.ok(Math.abs(nib.sum - sum) <= 1e-6 * Math.abs(sum) + 1);
    assert.equal(nib.v, volume.data[10 + volume.shape[0] * (20 + volume.shape[1] * 30)]);
    for (const ijk of [[0, 0, 0], [10, 20, 30], [volume.shape[0] - 1, 5, volume.shape[2] - 1]] as [number, number, number][]) {
      const lps = voxelToPatient(volume, ijk);
      const A = nib.affine as number[][];
      const ras = [0, 1, 2].map((r) => A[r][0] * ijk[0] + A[r][1] * ijk[1] + A[r][2] * ijk[2] + A[r][3]);
      assert.ok(Math.abs(-ras[0] - lps[0]) < 1e-3 && Math.abs(-ras[1] - lps[1]) < 1e-3 && Math.abs(ras[2] - lps[2]) < 1e-3, `${dir} ${ijk}: ${ras} vs LPS ${lps}`);
    }
    // And back: readNifti gives the same geometry and values.
    const back = readNifti(file).volume;
    assert.deepEqual(back.shape, volume.shape);
    for (let a = 0; a < 3; a++) assert.ok(Math.abs(back.origin[a] - volume.origin[a]) < 1e-3);
    for (let a = 0; a < 9; a++) assert.ok(Math.abs(back.direction[a] - volume.direction[a]) < 1e-5);
    assert.deepEqual(Array.from(back.data.subarray(0, 5000)), Array.from(volume.data.subarray(0, 5000)));
  }
});

test("readNifti: a file written by nibabel (qform only, oblique) gives nibabel's patient positions; damage is a typed error", () => {
  const dir = tempDir();
  const file = path.join(dir, "q.nii");
  execFileSync("/usr/bin/python3", ["-c", `
import nibabel as nib, numpy as np
a = np.arange(4*5*6, dtype=np.int16).reshape(4,5,6)
c, s = np.cos(0.3), np.sin(0.3)
aff = np.array([[2*c, -3*s, 0, 10], [2*s, 3*c, 0, -20], [0, 0, 4, 30], [0, 0, 0, 1]])
im = nib.Nifti1Image(a, None); im.set_qform(aff, code=1); im.set_sform(None, code=0); nib.save(im, "${file}")`]);
  const { volume, info } = readNifti(file);
  assert.equal(info.geometryFrom, "qform");
  assert.deepEqual(volume.shape, [4, 5, 6]);
  assert.equal(volume.data[1 + 4 * (2 + 5 * 3)], 1 * 30 + 2 * 6 + 3); // numpy C order: a[i,j,k] = 30i + 6j + k
  const p = voxelToPatient(volume, [1, 2, 3]);
  const c = Math.cos(0.3), s = Math.sin(0.3);
  const ras = [2 * c * 1 - 3 * s * 2 + 10, 2 * s * 1 + 3 * c * 2 - 20, 4 * 3 + 30];
  assert.ok(Math.abs(p[0] + ras[0]) < 1e-3 && Math.abs(p[1] + ras[1]) < 1e-3 && Math.abs(p[2] - ras[2]) < 1e-3, `${p} vs ${ras}`);
  const bytes = fs.readFileSync(file);
  fs.writeFileSync(path.join(dir, "cut.nii"), bytes.subarray(0, 400));
  assert.throws(() => readNifti(path.join(dir, "cut.nii")), (e: unknown) => e instanceof NiftiError && /cut\.nii.*image data needs/.test((e as Error).message));
  const huge = Buffer.from(bytes);
  huge.writeInt16LE(32767, 42); huge.writeInt16LE(32767, 44); huge.writeInt16LE(32767, 46);
  fs.writeFileSync(path.join(dir, "huge.nii"), huge);
  assert.throws(() => readNifti(path.join(dir, "huge.nii")), (e: unknown) => e instanceof NiftiError && /exceed/.test((e as Error).message));
});
